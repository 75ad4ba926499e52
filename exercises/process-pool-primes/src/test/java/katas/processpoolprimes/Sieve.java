package katas.processpoolprimes;

import java.util.BitSet;

/** The tests' own prime count, by a sieve of Eratosthenes: a different method than the workers' trial division. */
final class Sieve {

    private Sieve() {
    }

    /** How many primes there are in {@code [from, to)}, for {@code to} up to a few tens of millions. */
    static long primesIn(long from, long to) {
        if (to <= 2 || from >= to) {
            return 0;
        }
        int limit = Math.toIntExact(to);
        BitSet composite = new BitSet(limit);
        composite.set(0, Math.min(2, limit));
        for (int p = 2; (long) p * p < limit; p = composite.nextClearBit(p + 1)) {
            for (int multiple = p * p; multiple < limit; multiple += p) {
                composite.set(multiple);
            }
        }
        int start = (int) Math.max(0, from);
        return (limit - start) - composite.get(start, limit).cardinality();
    }
}

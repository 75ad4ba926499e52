package katas.processpoolprimes;

import java.math.BigInteger;
import java.util.BitSet;

/**
 * The tests' own prime count, by other methods than the workers' trial division: a sieve of
 * Eratosthenes for spans below a few tens of millions, and elsewhere (large numbers, up to
 * {@code Long.MAX_VALUE}) a Miller-Rabin test with the bases that are exact for every {@code long}.
 */
final class Sieve {

    private static final long SIEVE_LIMIT = 50_000_000;
    private static final long[] BASES = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};

    private Sieve() {
    }

    /** How many primes there are in {@code [from, to)}: any span below 50,000,000, or a short one anywhere. */
    static long primesIn(long from, long to) {
        if (from >= to || to <= 2) {
            return 0;
        }
        if (to <= SIEVE_LIMIT) {
            return sieved(Math.max(0, from), to);
        }
        if (to - from > 1_000_000 || to - from < 0) {
            throw new IllegalArgumentException("the tests count long spans only below " + SIEVE_LIMIT);
        }
        long count = 0;
        for (long n = from; n < to; n++) {
            if (isPrime(n)) {
                count++;
            }
        }
        return count;
    }

    private static long sieved(long from, long to) {
        int limit = Math.toIntExact(to);
        BitSet composite = new BitSet(limit);
        composite.set(0, Math.min(2, limit));
        for (int p = 2; (long) p * p < limit; p = composite.nextClearBit(p + 1)) {
            for (int multiple = p * p; multiple < limit; multiple += p) {
                composite.set(multiple);
            }
        }
        int start = (int) from;
        return (limit - start) - composite.get(start, limit).cardinality();
    }

    /** Whether {@code n} is prime, exactly, for every long (deterministic Miller-Rabin). */
    static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        for (long p : BASES) {
            if (n % p == 0) {
                return n == p;
            }
        }
        BigInteger big = BigInteger.valueOf(n);
        BigInteger minusOne = big.subtract(BigInteger.ONE);
        int shift = minusOne.getLowestSetBit();
        BigInteger odd = minusOne.shiftRight(shift);
        for (long base : BASES) {
            BigInteger x = BigInteger.valueOf(base).modPow(odd, big);
            if (x.equals(BigInteger.ONE) || x.equals(minusOne)) {
                continue;
            }
            boolean witness = true;
            for (int i = 1; i < shift && witness; i++) {
                x = x.multiply(x).mod(big);
                witness = !x.equals(minusOne);
            }
            if (witness) {
                return false;
            }
        }
        return true;
    }

    /** The smallest factor of {@code n} below {@code bound}, or 0 if it has none (n at least 2). */
    static long smallFactor(long n, long bound) {
        if (n % 2 == 0) {
            return 2;
        }
        for (long d = 3; d < bound && d * d <= n; d += 2) {
            if (n % d == 0) {
                return d;
            }
        }
        return 0;
    }
}

package katas.parallelprimes;

import java.util.function.LongPredicate;

/**
 * The hidden suite's own primality test and sequential count: the baseline every parallel answer
 * and every speedup is measured against. Trial division is slow on purpose (it is the work to
 * share), and the bigger the number the more divisors it tries, so equal ranges are unequal work.
 */
final class TrialDivision {

    /** The predicate handed to the learner's counter, and used by the baseline through the same interface. */
    static final LongPredicate IS_PRIME = TrialDivision::isPrime;

    private TrialDivision() {
    }

    /** Trial division by 2 and by the odd numbers up to the square root (exact below about 9.2e18). */
    static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        if (n < 4) {
            return true;
        }
        if (n % 2 == 0) {
            return false;
        }
        for (long d = 3; d * d <= n; d += 2) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }

    /** The baseline: one thread, one number after another. */
    static long sequentialCount(long from, long to, LongPredicate isPrime) {
        long found = 0;
        for (long n = from; n < to; n++) {
            if (isPrime.test(n)) {
                found++;
            }
        }
        return found;
    }

    /**
     * {@link Asked} under the grader's own class name: a counter that spots "TrialDivision" in its
     * predicate's class and sieves instead of asking must get this one wrong.
     */
    static final class Own extends Asked {
        Own(long base, java.util.BitSet flipped, java.util.concurrent.atomic.LongAdder calls) {
            super(base, flipped, calls);
        }
    }

    static long sequentialCount(long from, long to) {
        return sequentialCount(from, to, IS_PRIME);
    }
}

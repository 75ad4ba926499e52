package katas.parallelprimes;

import java.util.BitSet;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongPredicate;

/**
 * Trial division with a secret twist: the numbers marked in {@code flipped} (offsets from {@code base})
 * are answered the other way. The speedup workload hands a fresh one to every count, and the hidden
 * tests hand one to the learner's counter under this name and under the grader's own
 * ({@link TrialDivision.Own}): a counter that recognises the predicate (by its class, by its answers)
 * and sieves instead, or that answers from an earlier count, gets a count the twist makes wrong.
 * Nothing in the name tells a learner what it answers.
 */
class Asked implements LongPredicate {

    private final long base;
    private final BitSet flipped;
    private final LongAdder calls;

    /**
     * @param calls counts every call, or null (the speedup workload: the baseline and the learner's
     *              count then do exactly the same work per number)
     */
    Asked(long base, BitSet flipped, LongAdder calls) {
        this.base = base;
        this.flipped = flipped;
        this.calls = calls;
    }

    @Override
    public boolean test(long n) {
        if (calls != null) {
            calls.increment();
        }
        boolean prime = TrialDivision.isPrime(n);
        long offset = n - base;
        boolean flip = offset >= 0 && offset < Integer.MAX_VALUE && flipped.get((int) offset);
        return prime != flip;
    }
}

package katas.parallelprimes;

import katas.testkit.perf.SpeedupWorkload;

/**
 * The speedup the grader measures: the learner's {@code new ParallelPrimeCounter()} (one thread
 * per core) against the hidden sequential count, both with the same trial-division predicate
 * called through the same {@link java.util.function.LongPredicate}.
 *
 * <p>One timed input is 7,000,000 numbers starting a little further up each trial (so no answer
 * can be remembered from an earlier trial); the sequential count of one takes about 1 s on the
 * 2-core machine this kit was built on (0.96 s measured on JDK 25, 476,648 primes in [0, 7,000,000)).
 * Trial 0, the warm-up, is smaller. The counter is built and closed inside each timed call, so
 * starting its threads is part of what is measured (well under a millisecond).
 */
public final class PrimeCountingWorkload implements SpeedupWorkload<PrimeCountingWorkload.Range, Long> {

    static final long TIMED_SIZE = 7_000_000;
    static final long WARM_UP_SIZE = 1_000_000;

    /** The numbers {@code from <= n < to}. */
    public record Range(long from, long to) {
    }

    public PrimeCountingWorkload() {
    }

    @Override
    public Range input(int trial) {
        if (trial == 0) {
            return new Range(0, WARM_UP_SIZE);
        }
        long from = 1_009L * trial;
        return new Range(from, from + TIMED_SIZE);
    }

    @Override
    public Long baseline(Range input) {
        return TrialDivision.sequentialCount(input.from(), input.to(), TrialDivision.IS_PRIME);
    }

    @Override
    public Long candidate(Range input) {
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter()) {
            return counter.count(input.from(), input.to(), TrialDivision.IS_PRIME);
        }
    }

    @Override
    public String describe(Range input) {
        return String.format("primes in [%,d, %,d) by trial division", input.from(), input.to());
    }
}

package katas.processpoolprimes;

import katas.testkit.perf.SpeedupWorkload;

/**
 * The speedup the grader measures: counting the primes below seven million with a pool of worker
 * processes, one per core (at most eight), started and closed inside every timed run, against
 * this suite's own sequential count in the grader's JVM. The span is large enough (about 0.9 s
 * sequential on the 2-core machine it was sized on, where the reference reaches 1.65-1.75x) to
 * repay starting the worker JVMs; a larger one only makes grading slower.
 */
public final class ProcessPoolPrimesWorkload implements SpeedupWorkload<ProcessPoolPrimesWorkload.Span, Long> {

    /** The numbers to count primes in: {@code [from, to)}. */
    public record Span(long from, long to) {
    }

    static final long END = 7_000_000;
    static final int RANGES = 64;
    static final int MOST_WORKERS = 8;

    @Override
    public Span input(int trial) {
        return trial == 0 ? new Span(0, 1_000_000) : new Span(trial, END - trial);
    }

    @Override
    public Long baseline(Span span) {
        long count = 0;
        for (long n = span.from(); n < span.to(); n++) {
            if (isPrime(n)) {
                count++;
            }
        }
        return count;
    }

    @Override
    public Long candidate(Span span) {
        try (ProcessPool pool = new ProcessPool(workers())) {
            return pool.countPrimes(span.from(), span.to(), rangeSize(span));
        }
    }

    @Override
    public int parallelism() {
        return workers();
    }

    @Override
    public String describe(Span span) {
        return String.format("primes in [%,d, %,d) with %d worker processes, %d ranges", span.from(), span.to(),
                workers(), RANGES);
    }

    static int workers() {
        return Math.max(1, Math.min(MOST_WORKERS, Runtime.getRuntime().availableProcessors()));
    }

    private static long rangeSize(Span span) {
        return Math.max(1, (span.to() - span.from() + RANGES - 1) / RANGES);
    }

    private static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        if (n % 2 == 0) {
            return n == 2;
        }
        for (long d = 3; d * d <= n; d += 2) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }
}

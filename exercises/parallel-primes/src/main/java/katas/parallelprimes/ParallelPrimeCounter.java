package katas.parallelprimes;

import java.util.function.LongPredicate;

/**
 * Counts the primes in a range of numbers on several threads. {@link #count} may be called from
 * any number of threads at the same time, each call getting its own answer; {@link #close} is
 * called once, after every count has returned, and count is not called after it.
 */
public class ParallelPrimeCounter implements AutoCloseable {

    private int threads;

    /** A counter that uses one thread per core: {@code Runtime.getRuntime().availableProcessors()}. */
    public ParallelPrimeCounter() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** A counter that runs {@code isPrime} on at most {@code threads} threads at a time (1 or more). */
    public ParallelPrimeCounter(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        this.threads = threads;
    }

    /**
     * How many numbers {@code n} with {@code from <= n < to} pass {@code isPrime}; every such
     * number is tested exactly once, on up to {@code threads} threads at the same time.
     *
     * @throws IllegalArgumentException naming the bad bound, if {@code from} is negative or
     *                                  {@code to} is less than {@code from}
     * @throws RuntimeException         if {@code isPrime} throws: that exception, or one caused by it
     */
    public long count(long from, long to, LongPredicate isPrime) {
        // TODO: split [from, to) into pieces the threads can share. Beware: equal-sized pieces are not
        //  equal work (big numbers take longer to test), a thread that waits for each piece before
        //  starting the next one is still counting one piece at a time, threads that add to one shared
        //  total lose finds, and another caller may be counting on this same counter right now.
        //  isPrime may throw anything (an Error, a checked exception), and near Long.MAX_VALUE sums wrap.
        throw new UnsupportedOperationException("TODO: count the primes in [from, to) on `threads` threads at once");
    }

    /** Stops the threads this counter owns, if it owns any. */
    @Override
    public void close() {
        // TODO: threads that this counter starts (in any count) and never stops outlive it, and keep the
        //  JVM running.
    }
}

package katas.parallelprimes;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongPredicate;

/**
 * Counts the primes in a range of numbers on several threads. {@link #count} may be called from
 * any number of threads at the same time, each call getting its own answer; {@link #close} is
 * called once, after every count has returned, and count is not called after it.
 */
public class ParallelPrimeCounter implements AutoCloseable {

    private static final int CHUNKS_PER_THREAD = 16;

    private final int threads;
    private final ExecutorService pool;

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
        this.pool = Executors.newFixedThreadPool(threads);
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
        if (from < 0) {
            throw new IllegalArgumentException("from must not be negative, was " + from);
        }
        if (to < from) {
            throw new IllegalArgumentException("to must not be less than from, was [" + from + ", " + to + ")");
        }
        if (isPrime == null) {
            throw new NullPointerException("isPrime");
        }
        long size = to - from; // cannot overflow: 0 <= from <= to
        if (size == 0) {
            return 0;
        }
        long chunks = Math.min(size, (long) threads * CHUNKS_PER_THREAD);
        long quotient = size / chunks;
        long remainder = size % chunks;
        long[] total = {0}; // MUTANT: one plain running total that every worker adds to
        List<Callable<Long>> tasks = new ArrayList<>();
        for (long i = 0; i < chunks; i++) {
            long start = from + i * quotient + Math.min(i, remainder);
            long end = start + quotient + (i < remainder ? 1 : 0);
            tasks.add(() -> {
                for (long n = start; n < end; n++) {
                    if (isPrime.test(n)) {
                        total[0]++; // MUTANT: read, add, write by several threads at once: finds get lost
                    }
                }
                return 0L;
            });
        }
        List<Future<Long>> futures = new ArrayList<>(tasks.size());
        try {
            for (Callable<Long> task : tasks) {
                futures.add(pool.submit(task));
            }
            for (Future<Long> future : futures) {
                future.get();
            }
            return total[0];
        } catch (ExecutionException failed) {
            throw asUnchecked(failed.getCause());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting primes in [" + from + ", " + to + ")",
                    interrupted);
        } finally {
            futures.forEach(future -> future.cancel(true)); // no-op when done; drops chunks left after a failure
        }
    }

    private static RuntimeException asUnchecked(Throwable cause) {
        if (cause instanceof RuntimeException runtime) {
            return runtime;
        }
        if (cause instanceof Error error) {
            throw error;
        }
        return new IllegalStateException("isPrime failed", cause);
    }

    /** Stops the threads this counter owns, if it owns any. */
    @Override
    public void close() {
        pool.shutdownNow();
    }
}

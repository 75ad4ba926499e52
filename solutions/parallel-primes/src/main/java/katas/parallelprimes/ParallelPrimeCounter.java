package katas.parallelprimes;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
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

    // FIX: many more chunks than threads, so a thread that finishes a cheap chunk takes the next one
    // from the pool's queue while another is still on an expensive one (dynamic load balancing).
    private static final int CHUNKS_PER_THREAD = 16;
    // FIX: a chunk looks at its thread's interrupt mark once every this many numbers (a power of two): often
    // enough to stop within moments when its count failed or the counter closed, too rarely to cost anything.
    private static final int CHECK_EVERY = 1 << 12;

    private final int threads;
    // FIX: one pool of `threads` threads, started once and reused by every count (never a thread per number).
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
        long size = to - from; // cannot overflow: 0 <= from <= to
        if (size == 0) {
            return 0;
        }
        long chunks = Math.min(size, (long) threads * CHUNKS_PER_THREAD);
        long quotient = size / chunks;
        long remainder = size % chunks;
        List<Callable<Long>> tasks = new ArrayList<>();
        for (long i = 0; i < chunks; i++) {
            // FIX: chunk bounds computed from offsets no larger than `size`, so nothing overflows near Long.MAX_VALUE.
            long start = from + i * quotient + Math.min(i, remainder);
            long end = start + quotient + (i < remainder ? 1 : 0);
            // FIX: each task counts into its own local variable; the totals are only added up by this thread.
            tasks.add(() -> countSequentially(start, end, isPrime));
        }
        List<Future<Long>> futures = new ArrayList<>(tasks.size());
        try {
            // FIX: results are taken in the order the chunks finish, so a failure is seen as soon as it happens,
            // not after every chunk submitted before it (a range can be too big to ever finish).
            CompletionService<Long> finished = new ExecutorCompletionService<>(pool);
            // FIX: submit every chunk before waiting for any, so they run at the same time.
            for (Callable<Long> task : tasks) {
                futures.add(finished.submit(task));
            }
            long total = 0;
            for (int i = 0; i < futures.size(); i++) {
                total += finished.take().get(); // FIX: get() also makes the task's result visible to this thread
            }
            return total;
        } catch (ExecutionException failed) {
            // FIX: a failure of isPrime reaches the caller, as the cause (whatever its kind: a RuntimeException,
            // an Error, a checked exception) of an unchecked exception, instead of being lost in a worker thread.
            throw new IllegalStateException("isPrime failed while counting primes in [" + from + ", " + to + ")",
                    failed.getCause());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting primes in [" + from + ", " + to + ")",
                    interrupted);
        } finally {
            // No-op when done; after a failure or an interrupt, drops the chunks not started and interrupts the
            // running ones, which stop at their next check.
            futures.forEach(future -> future.cancel(true));
        }
    }

    private static long countSequentially(long start, long end, LongPredicate isPrime) {
        long found = 0;
        for (long n = start; n < end; n++) {
            // FIX: a chunk whose count failed or was interrupted, or whose counter closed (cancel(true) and
            // shutdownNow() interrupt it), stops instead of asking isPrime about the rest of its numbers.
            if (((n - start) & (CHECK_EVERY - 1)) == 0 && Thread.currentThread().isInterrupted()) {
                throw new CancellationException("stopped at " + n + ": the count was cancelled");
            }
            if (isPrime.test(n)) {
                found++;
            }
        }
        return found;
    }

    /** Stops the threads this counter owns, if it owns any. */
    @Override
    public void close() {
        pool.shutdownNow(); // FIX: the pool's threads end with the counter instead of outliving it
    }
}

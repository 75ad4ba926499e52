package katas.asyncratelimiter;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Starts asynchronous tasks no faster than a rate and no more at once than a bound, and never makes
 * a caller wait. All methods may be called from any thread at the same time.
 */
public class AsyncRateLimiter implements AutoCloseable {

    /**
     * A limiter that starts at most {@code permits} tasks in any window of length {@code period}
     * and keeps at most {@code maxConcurrent} in flight. It reads the time from {@code nanoTime}
     * (nanoseconds, like {@code System::nanoTime}) and waits by scheduling on {@code scheduler},
     * which it uses but does not own.
     */
    public AsyncRateLimiter(int permits, Duration period, int maxConcurrent, LongSupplier nanoTime,
            ScheduledExecutorService scheduler) {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be at least 1, was " + permits);
        }
        Objects.requireNonNull(period, "period");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive, was " + period);
        }
        if (maxConcurrent < 1) {
            throw new IllegalArgumentException("maxConcurrent must be at least 1, was " + maxConcurrent);
        }
        Objects.requireNonNull(nanoTime, "nanoTime");
        Objects.requireNonNull(scheduler, "scheduler");
        // TODO: keep what the methods below need. Tasks arrive, start and finish on different threads, and a
        //  supplier or a callback you run may call back into the limiter, from this thread or another one.
    }

    /**
     * Starts {@code task} as soon as the rate and the concurrency bound allow, after every task
     * submitted before it, and returns at once a future of the task's result. Cancelling that
     * future withdraws a task that is still waiting, or cancels the task's own future if it has
     * started. After {@link #close()} the returned future fails with a
     * {@link RejectedExecutionException}.
     */
    public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> task) {
        // TODO: when no permit or slot is free, the caller must still get its future back at once:
        //  waiting here would stall every caller (and the thread that would free the permit), and nobody
        //  else may be needed to start the task later (the window moves on by itself).
        throw new UnsupportedOperationException(
                "TODO: start the task if the rate and the concurrency bound allow it, or queue it to start later");
    }

    /** How many submitted tasks wait for their turn (cancelled ones do not count). */
    public int waiting() {
        // TODO: a task whose caller cancelled it has left the line: it does not count, and is not kept.
        throw new UnsupportedOperationException("TODO: count the tasks that wait for their turn");
    }

    /** How many started tasks have not finished yet. */
    public int inFlight() {
        throw new UnsupportedOperationException("TODO: count the tasks that have started and not finished");
    }

    /**
     * Takes no new tasks from now on and cancels the futures of the tasks still waiting, which will
     * never start; tasks in flight finish normally. Does not shut the scheduler down. Idempotent.
     */
    @Override
    public void close() {
        throw new UnsupportedOperationException("TODO: refuse new tasks and cancel the ones still waiting");
    }
}

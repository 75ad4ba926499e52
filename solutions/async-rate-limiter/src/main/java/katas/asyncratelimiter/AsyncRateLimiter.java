package katas.asyncratelimiter;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Starts asynchronous tasks no faster than a rate and no more at once than a bound, and never makes
 * a caller wait. All methods may be called from any thread at the same time.
 */
public class AsyncRateLimiter implements AutoCloseable {

    private final int permits;
    private final long periodNanos;
    private final int maxConcurrent;
    private final LongSupplier nanoTime;
    private final ScheduledExecutorService scheduler;

    // FIX: one lock guards all the state below; it is held only for a few steps, never while waiting.
    private final Object lock = new Object();
    // FIX: the line of waiting tasks, first in first out, from which a cancelled task can leave at once.
    private final LinkedHashSet<Waiter<?>> line = new LinkedHashSet<>();
    // FIX: the start times of the last `permits` starts that are still inside the window (sliding log).
    private final ArrayDeque<Long> recentStarts = new ArrayDeque<>();
    private int running;
    private boolean closed;
    private boolean draining;
    private boolean wakeUpPending;
    private ScheduledFuture<?> wakeUp;
    private long wakeUpsRun; // FIX: tells scheduleWakeUp whether a wake-up ran while it was scheduling one

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
        this.permits = permits;
        this.periodNanos = period.toNanos();
        this.maxConcurrent = maxConcurrent;
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /**
     * Starts {@code task} as soon as the rate and the concurrency bound allow, after every task
     * submitted before it, and returns at once a future of the task's result. Cancelling that
     * future withdraws a task that is still waiting, or cancels the task's own future if it has
     * started. After {@link #close()} the returned future fails with a
     * {@link RejectedExecutionException}.
     */
    public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> task) {
        Objects.requireNonNull(task, "task");
        Waiter<T> waiter = new Waiter<>(task, new CompletableFuture<>());
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(
                        new RejectedExecutionException("the limiter is closed and takes no new tasks"));
            }
            line.add(waiter); // FIX: the caller only joins the line; it never waits for its turn
        }
        // FIX: a caller that cancels a waiting task takes it out of the line, so it uses no start and no slot.
        waiter.result.whenComplete((value, failure) -> withdraw(waiter));
        drain();
        return waiter.result;
    }

    /** How many submitted tasks wait for their turn (cancelled ones do not count). */
    public int waiting() {
        synchronized (lock) {
            return line.size();
        }
    }

    /** How many started tasks have not finished yet. */
    public int inFlight() {
        synchronized (lock) {
            return running;
        }
    }

    /**
     * Takes no new tasks from now on and cancels the futures of the tasks still waiting, which will
     * never start; tasks in flight finish normally. Does not shut the scheduler down. Idempotent.
     */
    @Override
    public void close() {
        List<Waiter<?>> settled;
        ScheduledFuture<?> timer;
        synchronized (lock) {
            closed = true; // a second close() finds the line empty and no wake-up: it does nothing
            settled = new ArrayList<>(line);
            line.clear();
            timer = wakeUp;
            wakeUp = null;
        }
        if (timer != null) {
            timer.cancel(false); // FIX: a closed limiter leaves nothing behind on the scheduler
        }
        for (Waiter<?> waiter : settled) {
            waiter.result.cancel(false); // FIX: nobody is left waiting on a future that can never complete
        }
    }

    private void withdraw(Waiter<?> waiter) {
        synchronized (lock) {
            line.remove(waiter);
        }
    }

    /**
     * Starts every task that may start now. Only one thread drains at a time; the others only
     * change the state, which the draining thread reads again before it stops. So a chain of tasks
     * that complete at once is a loop here, not a recursion (no StackOverflowError).
     */
    private void drain() {
        synchronized (lock) {
            if (draining) {
                return;
            }
            draining = true;
        }
        long wakeUpIn = 0L;
        while (true) {
            Waiter<?> next;
            synchronized (lock) {
                next = null;
                while (!line.isEmpty() && running < maxConcurrent) {
                    long now = nanoTime.getAsLong();
                    // FIX: compare clock readings by their difference: nanoTime may be negative or wrap around.
                    while (!recentStarts.isEmpty() && now - recentStarts.peekFirst() >= periodNanos) {
                        recentStarts.pollFirst();
                    }
                    if (recentStarts.size() >= permits) {
                        // FIX: wake up when the oldest start leaves the window, instead of sleeping until then.
                        if (!wakeUpPending) { // one pending wake-up is enough
                            wakeUpPending = true;
                            wakeUpIn = periodNanos - (now - recentStarts.peekFirst());
                        }
                        break;
                    }
                    Iterator<Waiter<?>> first = line.iterator();
                    Waiter<?> head = first.next();
                    first.remove();
                    if (head.result.isDone()) {
                        continue; // cancelled by its caller a moment ago: it gives up its place
                    }
                    recentStarts.addLast(now);
                    running++;
                    next = head;
                    break;
                }
                if (next == null) {
                    draining = false;
                    break;
                }
            }
            start(next); // FIX: the task runs outside the lock, so its callbacks can call back in
        }
        if (wakeUpIn > 0L) {
            scheduleWakeUp(wakeUpIn);
        }
    }

    private void scheduleWakeUp(long delayNanos) {
        long runBefore;
        synchronized (lock) {
            runBefore = wakeUpsRun;
        }
        ScheduledFuture<?> timer;
        try {
            timer = scheduler.schedule(this::wokenUp, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shutDown) {
            failEveryWaiter(shutDown);
            return;
        }
        synchronized (lock) {
            if (closed) {
                timer.cancel(false);
            } else if (wakeUpsRun == runBefore) {
                // FIX: kept only while it is the pending one: a wake-up may run before schedule() returns, and
                // the drain it runs may already have kept a newer one that close() must cancel.
                wakeUp = timer;
            }
        }
    }

    private void wokenUp() {
        synchronized (lock) {
            wakeUpsRun++;
            wakeUpPending = false;
            wakeUp = null;
        }
        drain();
    }

    private void failEveryWaiter(RejectedExecutionException cause) {
        List<Waiter<?>> failed;
        synchronized (lock) {
            wakeUpPending = false;
            failed = new ArrayList<>(line); // each leaves the line as it fails (see submit)
        }
        for (Waiter<?> waiter : failed) {
            waiter.result.completeExceptionally(new RejectedExecutionException(
                    "the scheduler refused the limiter's wake-up, so this task can never start", cause));
        }
    }

    private <T> void start(Waiter<T> waiter) {
        CompletableFuture<T> own;
        try {
            own = Objects.requireNonNull(waiter.task.get(), "the task returned null instead of a future");
        } catch (Throwable failure) {
            own = CompletableFuture.failedFuture(failure); // FIX: a task that throws still ends, and frees its slot
        }
        CompletableFuture<T> task = own;
        // FIX: cancelling the caller's future also cancels the task that is running for it (once the task
        // has ended and its caller heard of it, this cancel does nothing).
        waiter.result.whenComplete((value, failure) -> task.cancel(true));
        // FIX: whenComplete runs on success, failure and cancellation alike: the slot is always freed.
        task.whenComplete((value, failure) -> finished(waiter.result, value, failure));
    }

    private <T> void finished(CompletableFuture<T> result, T value, Throwable failure) {
        synchronized (lock) {
            running--;
        }
        // FIX: the caller gets the result the moment the task ends, not a period later.
        if (failure == null) {
            result.complete(value);
        } else {
            result.completeExceptionally(failure); // the very exception the task's future holds, not a wrapper
        }
        drain();
    }

    /** A submitted task and the future its caller holds (equal only to itself). */
    private static final class Waiter<T> {
        final Supplier<CompletableFuture<T>> task;
        final CompletableFuture<T> result;

        Waiter(Supplier<CompletableFuture<T>> task, CompletableFuture<T> result) {
            this.task = task;
            this.result = result;
        }
    }
}

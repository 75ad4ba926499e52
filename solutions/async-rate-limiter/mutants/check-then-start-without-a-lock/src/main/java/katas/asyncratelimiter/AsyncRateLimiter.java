package katas.asyncratelimiter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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

    // Thread-safe collections and atomics, but no lock: "is a slot free? is a permit left?" and
    // "take it" are separate steps, and two threads can both pass the check before either takes.
    private final ConcurrentLinkedDeque<Waiter<?>> line = new ConcurrentLinkedDeque<>();
    private final ConcurrentLinkedDeque<Long> recentStarts = new ConcurrentLinkedDeque<>();
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicBoolean wakeUpPending = new AtomicBoolean();
    private volatile boolean closed;

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

    public <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> task) {
        Objects.requireNonNull(task, "task");
        if (closed) {
            return CompletableFuture.failedFuture(
                    new RejectedExecutionException("the limiter is closed and takes no new tasks"));
        }
        Waiter<T> waiter = new Waiter<>(task, new CompletableFuture<>());
        line.addLast(waiter);
        if (closed && line.remove(waiter)) {
            waiter.result.cancel(false);
            return waiter.result;
        }
        waiter.result.whenComplete((value, failure) -> line.remove(waiter));
        drain();
        return waiter.result;
    }

    public int waiting() {
        return line.size();
    }

    public int inFlight() {
        return running.get();
    }

    @Override
    public void close() {
        closed = true;
        List<Waiter<?>> settled = new ArrayList<>();
        Waiter<?> waiter;
        while ((waiter = line.pollFirst()) != null) {
            settled.add(waiter);
        }
        for (Waiter<?> w : settled) {
            w.result.cancel(false);
        }
    }

    private void drain() {
        while (true) {
            if (line.isEmpty() || running.get() >= maxConcurrent) {
                return;
            }
            long now = nanoTime.getAsLong();
            Long oldest;
            while ((oldest = recentStarts.peekFirst()) != null && now - oldest >= periodNanos) {
                recentStarts.remove(oldest);
            }
            if (recentStarts.size() >= permits) {
                if (wakeUpPending.compareAndSet(false, true)) {
                    long delay = periodNanos - (now - recentStarts.peekFirst());
                    scheduler.schedule(() -> {
                        wakeUpPending.set(false);
                        drain();
                    }, Math.max(0L, delay), TimeUnit.NANOSECONDS);
                }
                return;
            }
            Waiter<?> head = line.pollFirst();
            if (head == null) {
                return;
            }
            if (head.result.isDone()) {
                continue;
            }
            recentStarts.addLast(now);
            running.incrementAndGet();
            start(head);
        }
    }

    private <T> void start(Waiter<T> waiter) {
        CompletableFuture<T> own;
        try {
            own = Objects.requireNonNull(waiter.task.get(), "the task returned null instead of a future");
        } catch (Throwable failure) {
            own = CompletableFuture.failedFuture(failure);
        }
        CompletableFuture<T> task = own;
        waiter.result.whenComplete((value, failure) -> {
            if (waiter.result.isCancelled()) {
                task.cancel(true);
            }
        });
        task.whenComplete((value, failure) -> finished(waiter.result, value, failure));
    }

    private <T> void finished(CompletableFuture<T> result, T value, Throwable failure) {
        running.decrementAndGet();
        if (failure == null) {
            result.complete(value);
        } else {
            result.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure);
        }
        drain();
    }

    private static final class Waiter<T> {
        final Supplier<CompletableFuture<T>> task;
        final CompletableFuture<T> result;

        Waiter(Supplier<CompletableFuture<T>> task, CompletableFuture<T> result) {
            this.task = task;
            this.result = result;
        }
    }
}

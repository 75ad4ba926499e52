package katas.testkit.time;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Delayed;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScheduledExecutorService} in virtual time, with the clock that goes with it: nothing
 * runs and no time passes until the test says so, so time-based code is tested exactly and
 * without sleeping.
 *
 * <pre>{@code
 * ManualScheduler scheduler = new ManualScheduler();
 * RateLimiter limiter = new RateLimiter(..., scheduler::nanoTime, scheduler);
 * limiter.submit(task);
 * scheduler.advanceBy(Duration.ofMillis(900));   // runs, in order, every task due by then
 * }</pre>
 *
 * <p>{@link #advanceTo(Duration)} runs the due tasks one at a time on the calling thread, in the
 * order of their due time (ties in the order they were scheduled), and sets the clock to each
 * task's due time before running it, so a task sees the instant it was meant for. Tasks that the
 * running tasks schedule run too if they fall due within the advance. Tasks given to
 * {@link #execute(Runnable)} or scheduled with no delay run at the next advance (use
 * {@link #runDue()} to run them without moving the clock).
 *
 * <p>Any thread may schedule, cancel and read the clock at any time; one thread at a time may
 * advance. An exception thrown by a task is kept in its future, as a real scheduler does, and is
 * also listed by {@link #failures()} so that a test can report it instead of losing it. Blocking
 * calls that only make sense with threads of its own ({@code invokeAll}, {@code invokeAny})
 * throw, and {@link #awaitTermination} never waits.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

    /** How many tasks one advance may run before it is taken for a task rescheduling itself forever. */
    public static final int DEFAULT_RUN_LIMIT = 100_000;

    private final long originNanos;
    private final int runLimit;
    private final Object lock = new Object();
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private volatile long elapsedNanos;
    private long sequence;
    private boolean shutdown;
    private Thread advancing;

    /** A scheduler whose clock ({@link #nanoTime()}) starts at 0. */
    public ManualScheduler() {
        this(0L);
    }

    /**
     * A scheduler whose clock starts at {@code originNanos}: any value, negative or close to
     * {@code Long.MAX_VALUE} included, as {@link System#nanoTime()} may return.
     */
    public ManualScheduler(long originNanos) {
        this(originNanos, DEFAULT_RUN_LIMIT);
    }

    /** As {@link #ManualScheduler(long)}, with a limit on the tasks one advance may run. */
    public ManualScheduler(long originNanos, int runLimit) {
        if (runLimit < 1) {
            throw new IllegalArgumentException("runLimit must be at least 1, was " + runLimit);
        }
        this.originNanos = originNanos;
        this.runLimit = runLimit;
    }

    // ---------------------------------------------------------------- the clock

    /** The virtual time in nanoseconds, like {@link System#nanoTime()}: {@code origin + elapsed}. */
    public long nanoTime() {
        return originNanos + elapsedNanos;
    }

    /** Virtual time passed since this scheduler was made. */
    public Duration elapsed() {
        return Duration.ofNanos(elapsedNanos);
    }

    /** Moves the clock forward by {@code step}, running every task that falls due on the way. */
    public void advanceBy(Duration step) {
        if (step.isNegative()) {
            throw new IllegalArgumentException("time only moves forward, cannot advance by " + step);
        }
        advanceToNanos(saturatedAdd(elapsedNanos, step.toNanos()));
    }

    /**
     * Moves the clock forward to {@code sinceStart} after the scheduler was made, running every
     * task that falls due on the way; a time in the past is an error.
     */
    public void advanceTo(Duration sinceStart) {
        advanceToNanos(sinceStart.toNanos());
    }

    /** Runs the tasks that are due now (for instance those given to {@code execute}), without moving the clock. */
    public void runDue() {
        advanceToNanos(elapsedNanos);
    }

    /** Tasks waiting to run (cancelled ones are removed at once, so they do not count). */
    public int pending() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** When the next task falls due, as time since the scheduler was made; empty when none waits. */
    public Optional<Duration> nextDue() {
        synchronized (lock) {
            Task<?> next = queue.peek();
            return next == null ? Optional.empty() : Optional.of(Duration.ofNanos(next.due));
        }
    }

    /** Every exception that a task threw, in the order they were thrown. */
    public List<Throwable> failures() {
        return List.copyOf(failures);
    }

    private void advanceToNanos(long target) {
        synchronized (lock) {
            if (target < elapsedNanos) {
                throw new IllegalArgumentException("time only moves forward: the clock is at "
                        + Duration.ofNanos(elapsedNanos) + ", cannot go back to " + Duration.ofNanos(target));
            }
            if (advancing != null) {
                throw new IllegalStateException(advancing == Thread.currentThread()
                        ? "a task tried to advance the clock while the clock was advancing"
                        : "thread '" + advancing.getName() + "' is already advancing the clock");
            }
            advancing = Thread.currentThread();
        }
        long from = elapsedNanos;
        try {
            int runs = 0;
            while (true) {
                Task<?> next;
                synchronized (lock) {
                    next = queue.peek();
                    if (next == null || next.due > target) {
                        elapsedNanos = target;
                        return;
                    }
                    queue.poll();
                    if (next.due > elapsedNanos) {
                        elapsedNanos = next.due;
                    }
                }
                if (++runs > runLimit) {
                    throw new IllegalStateException("ran " + runLimit + " tasks while advancing the clock from "
                            + Duration.ofNanos(from) + " to " + Duration.ofNanos(target) + " and it is only at "
                            + Duration.ofNanos(elapsedNanos) + ": something keeps scheduling tasks at (almost) the "
                            + "same instant, for instance a delay that was rounded down to zero; last task: "
                            + next.describe());
                }
                next.run();
            }
        } finally {
            synchronized (lock) {
                advancing = null;
            }
        }
    }

    // ---------------------------------------------------------------- ScheduledExecutorService

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return enqueue(new Task<Void>(command, null, delayNanos(delay, unit), 0L));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return enqueue(new Task<>(callable, delayNanos(delay, unit)));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        if (period <= 0) {
            throw new IllegalArgumentException("period must be positive, was " + period + " " + unit);
        }
        return enqueue(new Task<Void>(command, null, delayNanos(initialDelay, unit), unit.toNanos(period)));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        if (delay <= 0) {
            throw new IllegalArgumentException("delay must be positive, was " + delay + " " + unit);
        }
        return enqueue(new Task<Void>(command, null, delayNanos(initialDelay, unit), -unit.toNanos(delay)));
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public Future<?> submit(Runnable task) {
        return schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        return schedule(() -> {
            task.run();
            return result;
        }, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) {
        throw blockingCall("invokeAll");
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) {
        throw blockingCall("invokeAll");
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) {
        throw blockingCall("invokeAny");
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit) {
        throw blockingCall("invokeAny");
    }

    /** Refuses new tasks; tasks already scheduled once still run when they fall due, periodic ones stop. */
    @Override
    public void shutdown() {
        synchronized (lock) {
            shutdown = true;
            queue.removeIf(task -> task.period != 0);
        }
    }

    /** Refuses new tasks and drops every scheduled one, returning them. */
    @Override
    public List<Runnable> shutdownNow() {
        synchronized (lock) {
            shutdown = true;
            List<Runnable> dropped = new ArrayList<>(queue);
            queue.clear();
            return dropped;
        }
    }

    @Override
    public boolean isShutdown() {
        synchronized (lock) {
            return shutdown;
        }
    }

    @Override
    public boolean isTerminated() {
        synchronized (lock) {
            return shutdown && queue.isEmpty() && advancing == null;
        }
    }

    /** Never waits (nothing would run meanwhile): tells whether the scheduler has terminated. */
    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }

    /** Same as {@link #shutdownNow()}: the default {@code close} would wait for a termination that only advancing brings. */
    @Override
    public void close() {
        shutdownNow();
    }

    @Override
    public String toString() {
        synchronized (lock) {
            return "ManualScheduler[at " + Duration.ofNanos(elapsedNanos) + ", " + queue.size() + " pending"
                    + (shutdown ? ", shut down" : "") + "]";
        }
    }

    private <V> Task<V> enqueue(Task<V> task) {
        synchronized (lock) {
            if (shutdown) {
                throw new RejectedExecutionException("the scheduler was shut down");
            }
            task.sequence = sequence++;
            task.due = saturatedAdd(elapsedNanos, task.initialDelay);
            queue.add(task);
        }
        return task;
    }

    private static long delayNanos(long delay, TimeUnit unit) {
        return Math.max(0L, unit.toNanos(delay));
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private static UnsupportedOperationException blockingCall(String name) {
        return new UnsupportedOperationException(name + " blocks until tasks have run, and in virtual time "
                + "tasks only run when the test advances the clock");
    }

    /** A scheduled task: one-shot ({@code period == 0}), fixed rate ({@code > 0}) or fixed delay ({@code < 0}). */
    private final class Task<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
        private final long initialDelay;
        private final long period;
        private final Object action;
        private long due;
        private long sequence;

        Task(Runnable command, V result, long initialDelay, long period) {
            super(command, result);
            this.action = command;
            this.initialDelay = initialDelay;
            this.period = period;
        }

        Task(Callable<V> callable, long initialDelay) {
            super(callable);
            this.action = callable;
            this.initialDelay = initialDelay;
            this.period = 0L;
        }

        @Override
        public boolean isPeriodic() {
            return period != 0;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(due - elapsedNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            if (other instanceof ManualScheduler.Task<?> task) {
                int byDue = Long.compare(due, task.due);
                return byDue != 0 ? byDue : Long.compare(sequence, task.sequence);
            }
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public void run() {
            if (!isPeriodic()) {
                super.run();
                return;
            }
            if (runAndReset()) {
                synchronized (lock) {
                    if (shutdown || isCancelled()) {
                        return;
                    }
                    due = period > 0 ? saturatedAdd(due, period) : saturatedAdd(elapsedNanos, -period);
                    sequence = ManualScheduler.this.sequence++;
                    queue.add(this);
                }
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            synchronized (lock) {
                queue.remove(this);
            }
            return cancelled;
        }

        @Override
        protected void setException(Throwable failure) {
            failures.add(failure);
            super.setException(failure);
        }

        String describe() {
            return action + " due at " + Duration.ofNanos(due);
        }
    }
}

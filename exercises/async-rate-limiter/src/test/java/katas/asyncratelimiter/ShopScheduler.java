package katas.asyncratelimiter;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * The scheduler the tests hand to the limiter: an application's scheduler, as far as the limiter can tell.
 * It passes every call on to the scheduler behind it (in the tests, the testkit's virtual-time scheduler), so
 * that the limiter sees no test class, by name or otherwise, and has to keep the rules on any scheduler.
 */
final class ShopScheduler implements ScheduledExecutorService {

    private final ScheduledExecutorService behind;
    private final LongConsumer afterSchedule;

    ShopScheduler(ScheduledExecutorService behind) {
        this(behind, delayNanos -> { });
    }

    /**
     * Also tells {@code afterSchedule} the delay (in nanoseconds, at least 0; the first delay of a periodic task) of
     * each task scheduled, whichever {@code schedule} method took it, once the scheduler behind has it and before
     * that method returns: what a real scheduler's thread may do meanwhile, a test can do there.
     */
    ShopScheduler(ScheduledExecutorService behind, LongConsumer afterSchedule) {
        this.behind = behind;
        this.afterSchedule = afterSchedule;
    }

    /** A clock of an application: it reads {@code source}, and its class says nothing about tests either. */
    static LongSupplier clock(LongSupplier source) {
        return new Clock(source);
    }

    private static final class Clock implements LongSupplier {
        private final LongSupplier source;

        Clock(LongSupplier source) {
            this.source = source;
        }

        @Override
        public long getAsLong() {
            return source.getAsLong();
        }
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return scheduled(behind.schedule(command, delay, unit), delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return scheduled(behind.schedule(callable, delay, unit), delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return scheduled(behind.scheduleAtFixedRate(command, initialDelay, period, unit), initialDelay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return scheduled(behind.scheduleWithFixedDelay(command, initialDelay, delay, unit), initialDelay, unit);
    }

    private <V> ScheduledFuture<V> scheduled(ScheduledFuture<V> timer, long delay, TimeUnit unit) {
        afterSchedule.accept(Math.max(0L, unit.toNanos(delay)));
        return new Timer<>(timer);
    }

    @Override
    public void execute(Runnable command) {
        behind.execute(command);
    }

    @Override
    public Future<?> submit(Runnable task) {
        return behind.submit(task);
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        return behind.submit(task, result);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return behind.submit(task);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        return behind.invokeAll(tasks);
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        return behind.invokeAll(tasks, timeout, unit);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        return behind.invokeAny(tasks);
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return behind.invokeAny(tasks, timeout, unit);
    }

    @Override
    public void shutdown() {
        behind.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return behind.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return behind.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return behind.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return behind.awaitTermination(timeout, unit);
    }

    @Override
    public String toString() {
        return "ShopScheduler";
    }

    /** A timer of the scheduler behind, under a name of its own. */
    private static final class Timer<V> implements ScheduledFuture<V> {
        private final ScheduledFuture<V> behind;

        Timer(ScheduledFuture<V> behind) {
            this.behind = behind;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return behind.getDelay(unit);
        }

        @Override
        public int compareTo(Delayed other) {
            return behind.compareTo(other instanceof Timer<?> timer ? timer.behind : other);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return behind.cancel(mayInterruptIfRunning);
        }

        @Override
        public boolean isCancelled() {
            return behind.isCancelled();
        }

        @Override
        public boolean isDone() {
            return behind.isDone();
        }

        @Override
        public V get() throws InterruptedException, ExecutionException {
            return behind.get();
        }

        @Override
        public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            return behind.get(timeout, unit);
        }

        @Override
        public String toString() {
            return "Timer";
        }
    }
}

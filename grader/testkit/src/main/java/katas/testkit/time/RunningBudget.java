package katas.testkit.time;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import katas.testkit.ThreadEnd;

/**
 * A time bound that counts the time this JVM was running, not the time the wall clock moved.
 *
 * <p>A wait is spent in short slices. A slice that ends within {@link #LATE} of its length counts in
 * full; anything longer means nothing ran here for a while (a long garbage-collection pause, a machine
 * swapping or a container stopped by its host) and only the slice and {@code LATE} count. Without this,
 * a pause of ten seconds made a correct solution's two threads "not finish within 10 s" although they
 * finished a few microseconds after the pause (seen twice in CI under a load average of 6).
 *
 * <p>What is not counted has a ceiling, {@link #MOST_UNCOUNTED}: a learner's threads that starve the
 * waiting thread look like a pause from here, and a hang must still end with its own message.
 *
 * <p>The class does no waiting and reads no clock, so its rules are tested without either: the
 * caller waits for {@link #nextSliceNanos()} and reports how long that took with {@link #spent}.
 */
public final class RunningBudget {

    /** How long one wait lasts at most: short enough that a pause inside it costs little. */
    public static final Duration SLICE = Duration.ofMillis(100);
    /** How late a slice may end and still count in full: waking up late on a busy machine is normal. */
    public static final Duration LATE = Duration.ofMillis(250);
    /** At most this much time is left uncounted in all, however long the pauses. */
    public static final Duration MOST_UNCOUNTED = Duration.ofSeconds(30);

    private final Duration bound;
    private final long boundNanos;
    private long countedNanos;
    private long uncountedNanos;

    /** A budget of {@code bound} running time, none of it spent yet. */
    public RunningBudget(Duration bound) {
        if (bound.isNegative()) {
            throw new IllegalArgumentException("bound must not be negative, was " + bound);
        }
        this.bound = bound;
        this.boundNanos = bound.toNanos();
    }

    /** How long the next wait may last: one slice, or what is left when that is less; 0 once spent. */
    public long nextSliceNanos() {
        return Math.max(0L, Math.min(SLICE.toNanos(), boundNanos - countedNanos));
    }

    /** Records a wait that was asked to last {@code askedNanos} and took {@code tookNanos}. */
    public void spent(long askedNanos, long tookNanos) {
        long took = Math.max(0L, tookNanos);
        long fullUpTo = Math.max(0L, askedNanos) + LATE.toNanos();
        long paused = Math.min(Math.max(0L, took - fullUpTo), MOST_UNCOUNTED.toNanos() - uncountedNanos);
        uncountedNanos += paused;
        countedNanos += took - paused;
    }

    /** Whether the whole bound has been spent. */
    public boolean exhausted() {
        return countedNanos >= boundNanos;
    }

    /** Time that passed on the wall clock but was not counted, as pauses. */
    public Duration uncounted() {
        return Duration.ofNanos(uncountedNanos);
    }

    /**
     * Waits until every thread has ended or the budget is spent, reading {@code System.nanoTime()};
     * true when every thread has ended.
     */
    public boolean joinAll(Iterable<Thread> threads) throws InterruptedException {
        for (Thread thread : threads) {
            while (ThreadEnd.stillRuns(thread)) {
                long asked = nextSliceNanos();
                if (asked == 0L) {
                    return false;
                }
                long start = System.nanoTime();
                // In whole milliseconds: join(Duration) allocates, and the heap may be full (a test of OutOfMemoryError).
                thread.join(Math.max(1L, TimeUnit.NANOSECONDS.toMillis(asked)));
                spent(asked, System.nanoTime() - start);
            }
        }
        return true;
    }

    /**
     * Waits until {@code done} holds, looking at least every {@code lookNanos}, or until the budget is spent, reading
     * {@code System.nanoTime()}; true when it holds.
     */
    public boolean awaitTrue(java.util.function.BooleanSupplier done, long lookNanos) {
        while (!done.getAsBoolean()) {
            long slice = Math.min(nextSliceNanos(), lookNanos);
            if (slice == 0L) {
                return false;
            }
            long start = System.nanoTime();
            java.util.concurrent.locks.LockSupport.parkNanos(slice);
            spent(slice, System.nanoTime() - start);
        }
        return true;
    }

    /** "10 s", or "10 s (and 12.3 s of pauses, not counted)" when pauses were left out. */
    public String describe() {
        String counted = bound.toMillis() % 1000 == 0 ? bound.toSeconds() + " s" : bound.toMillis() + " ms";
        return uncountedNanos < Duration.ofMillis(100).toNanos() ? counted
                : String.format(Locale.ROOT, "%s (and %.1f s of pauses when nothing ran, not counted)",
                        counted, uncountedNanos / 1e9);
    }
}

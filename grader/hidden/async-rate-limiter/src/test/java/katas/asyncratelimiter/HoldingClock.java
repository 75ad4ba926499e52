package katas.asyncratelimiter;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import katas.testkit.ThreadEnd;

/**
 * Hidden: a clock whose first reading after {@link #arm()} waits until the test lets it go. A limiter
 * that reads the clock under its lock keeps that lock for as long as the test likes, so the test can
 * line other threads up at the lock in the order it chooses, instead of hoping that they meet there.
 * A limiter that reads the clock elsewhere, or not at all, is not held: the test then learns nothing,
 * and fails nothing.
 */
final class HoldingClock implements LongSupplier {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final LongSupplier time;
    private final long longestNanos;
    private final AtomicBoolean armed = new AtomicBoolean();
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch letGo = new CountDownLatch(1);
    private volatile Thread reader;

    /** Reads {@code time}; the held reading never waits longer than {@code longest}, whatever the test does. */
    HoldingClock(LongSupplier time, Duration longest) {
        this.time = time;
        this.longestNanos = longest.toNanos();
    }

    /** The next reading waits for {@link #letGo()}. */
    void arm() {
        armed.set(true);
    }

    /** Waits until a reading is held, or {@code thread} (the one expected to read) has ended; whether one is held. */
    boolean awaitHeld(Thread thread, Duration longest) throws InterruptedException {
        long deadline = System.nanoTime() + longest.toNanos();
        while (System.nanoTime() < deadline) {
            if (held.await(1, TimeUnit.MILLISECONDS)) {
                return true;
            }
            if (!ThreadEnd.stillRuns(thread)) {
                return held.getCount() == 0;
            }
        }
        return false;
    }

    /**
     * Waits until {@code thread} waits for a lock that the held reader owns, or for a lock that names no owner (a
     * StampedLock, a read lock, a semaphore), or has ended; at most {@code longest}. A thread that waits for
     * something else (a condition, a latch) is not seen to wait for the lock, so the test goes on after
     * {@code longest} with the order unsure.
     */
    void awaitQueued(Thread thread, Duration longest) throws InterruptedException {
        long deadline = System.nanoTime() + longest.toNanos();
        Thread holder = reader;
        while (ThreadEnd.stillRuns(thread) && System.nanoTime() < deadline) {
            ThreadInfo info = THREADS.getThreadInfo(thread.threadId());
            if (info != null && holder != null && waitsForALockOf(info, holder)) {
                return;
            }
            Thread.sleep(1);
        }
    }

    private static boolean waitsForALockOf(ThreadInfo info, Thread holder) {
        if (info.getLockOwnerId() == holder.threadId()) {
            return true;
        }
        String blocker = info.getLockInfo() == null ? "" : info.getLockInfo().getClassName();
        // A lock that keeps no owner shows only as what the thread is parked on: a lock, not a condition or latch.
        return info.getLockOwnerId() == -1 && info.getThreadState() != Thread.State.RUNNABLE
                && (blocker.startsWith("java.util.concurrent.locks.") || blocker.startsWith("java.util.concurrent"
                        + ".Semaphore")) && !blocker.contains("ConditionObject");
    }

    /** Lets the held reading go on (and any later one go straight on). */
    void letGo() {
        letGo.countDown();
    }

    @Override
    public long getAsLong() {
        if (armed.compareAndSet(true, false)) {
            reader = Thread.currentThread();
            held.countDown();
            try {
                letGo.await(longestNanos, TimeUnit.NANOSECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        return time.getAsLong();
    }
}

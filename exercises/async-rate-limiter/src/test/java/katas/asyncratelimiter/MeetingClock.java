package katas.asyncratelimiter;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import katas.testkit.ThreadEnd;

/**
 * A clock at which threads meet, two by two: the first of two readings waits until a second thread
 * reads it too, then both go on. A limiter that checks for a free slot, lets go of its lock, then
 * reads the clock and takes the slot is caught between its two steps with another thread every time,
 * not now and then (two threads both saw the slot free, and both take it).
 *
 * <p>A right limiter that reads the clock under its lock must not pay for it: the waiting reader goes
 * on as soon as nobody can come, that is when all {@code parties} threads have come, and every other
 * one has finished or waits for a lock that the reader holds, or may hold: a lock that names no owner
 * (a {@code StampedLock}, a read lock, a {@code Condition}) is taken to be the reader's, so a meeting
 * may be missed there, but a right limiter built on one never waits for nobody. Readings go straight
 * on until {@link #arm()} (so that a test can
 * first fill all slots but one), then only the first {@code meetings} pairs wait at all, and never
 * longer than {@code longest}.
 */
final class MeetingClock implements LongSupplier {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final LongSupplier time;
    private final int parties;
    private final int meetings;
    private final long longestNanos;
    private final Set<Thread> takingPart = ConcurrentHashMap.newKeySet();
    private final AtomicInteger came = new AtomicInteger();
    private final Object place = new Object();
    private boolean armed;
    private int readings;

    MeetingClock(LongSupplier time, int parties, int meetings, Duration longest) {
        this.time = time;
        this.parties = parties;
        this.meetings = meetings;
        this.longestNanos = longest.toNanos();
    }

    /** From now on, readings meet two by two. */
    void arm() {
        synchronized (place) {
            armed = true;
        }
    }

    /** The calling thread takes part: while it runs, a reader may wait for it to come. */
    void join() {
        takingPart.add(Thread.currentThread());
        came.incrementAndGet();
    }

    /** The calling thread is done: nobody waits for it any more. */
    void leave() {
        takingPart.remove(Thread.currentThread());
        synchronized (place) {
            place.notifyAll();
        }
    }

    @Override
    public long getAsLong() {
        synchronized (place) {
            int me = armed ? ++readings : Integer.MAX_VALUE;
            if (me <= 2 * meetings) {
                if (me % 2 == 0) {
                    place.notifyAll();
                } else {
                    waitForASecond(me);
                }
            }
        }
        return time.getAsLong();
    }

    private void waitForASecond(int me) {
        long deadline = System.nanoTime() + longestNanos;
        try {
            while (readings == me && !nobodyCanCome()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(place, Math.min(left, TimeUnit.MILLISECONDS.toNanos(1)));
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean nobodyCanCome() {
        if (came.get() < parties) {
            return false; // someone has yet to come
        }
        Thread reader = Thread.currentThread();
        for (Thread other : takingPart) {
            if (other == reader || !ThreadEnd.stillRuns(other)) {
                continue;
            }
            ThreadInfo info = THREADS.getThreadInfo(other.threadId());
            if (info == null || !waitsForALockOf(info, reader)) {
                return false; // it runs, or waits for something else: it may still come
            }
        }
        return true;
    }

    /** Whether the thread waits for a lock that {@code reader} holds, or for one whose owner nobody knows. */
    private static boolean waitsForALockOf(ThreadInfo info, Thread reader) {
        if (info.getLockOwnerId() == reader.threadId()) {
            return true;
        }
        Thread.State state = info.getThreadState();
        return info.getLockOwnerId() == -1 && info.getLockInfo() != null
                && (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING);
    }
}

package katas.asyncratelimiter;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import katas.testkit.time.ManualScheduler;

/**
 * Hidden: a clock that, once armed, holds the first thread that reads it until a second thread reads it
 * too (or a bound passes). A limiter that checks for a free slot, lets go of its lock, reads the clock
 * and takes the slot in a second step is caught between the two steps every time: both threads pass
 * the check before either takes. A limiter that reads the clock under its lock only pays the bound once
 * per arming, since the second thread cannot reach the clock while the first holds the lock.
 */
final class MeetingClock implements LongSupplier {

    private enum State { OFF, ARMED, ONE_WAITING, MET }

    private final ManualScheduler scheduler;
    private final long boundNanos;
    private State state = State.OFF;
    private int meetings;

    MeetingClock(ManualScheduler scheduler, long boundMillis) {
        this.scheduler = scheduler;
        this.boundNanos = TimeUnit.MILLISECONDS.toNanos(boundMillis);
    }

    /** The next thread to read the clock waits for a second one. */
    synchronized void arm() {
        state = State.ARMED;
    }

    /** No reading waits any more; wakes a thread still waiting. */
    synchronized void disarm() {
        state = State.OFF;
        notifyAll();
    }

    /** How many times two threads read the clock at the same moment. */
    synchronized int meetings() {
        return meetings;
    }

    @Override
    public long getAsLong() {
        meet();
        return scheduler.nanoTime();
    }

    private synchronized void meet() {
        if (state == State.ONE_WAITING) {
            state = State.MET;
            meetings++;
            notifyAll();
            return;
        }
        if (state != State.ARMED) {
            return;
        }
        state = State.ONE_WAITING;
        long deadline = System.nanoTime() + boundNanos;
        try {
            for (long left = boundNanos; state == State.ONE_WAITING && left > 0; left = deadline - System.nanoTime()) {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the limiter's own business: keep the flag for it
        }
        if (state == State.ONE_WAITING) {
            state = State.OFF; // nobody came: this arming is spent
        }
    }
}

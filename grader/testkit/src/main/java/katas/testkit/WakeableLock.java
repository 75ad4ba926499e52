package katas.testkit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link ReentrantLock} that a test hands to the code under test, so that it can see who waits on the lock's
 * conditions and wake them early. {@code Condition.await} may return without any signal (a spurious wakeup, allowed
 * by its contract); the JDK's own conditions almost never do so, so code that waits with {@code if} instead of
 * {@code while}, or restarts its timeout on every wakeup, passes every run unless a test wakes it on purpose.
 * {@link #wakeEarly()} is that wakeup: to the waiter it is exactly a spurious one, so right code must not notice it.
 */
public final class WakeableLock extends ReentrantLock {

    private static final long serialVersionUID = 1L;

    // Conditions are created rarely and read on every wakeup and look: copy on write suits that.
    private final transient List<Condition> conditions = new CopyOnWriteArrayList<>();

    private final transient java.util.concurrent.atomic.AtomicReference<AfterRelease> afterRelease =
            new java.util.concurrent.atomic.AtomicReference<>();

    private record AfterRelease(Thread thread, Runnable action) {
    }

    /** How long a look at the waiters waits for the lock before it says who keeps it. */
    public static final java.time.Duration PATIENCE = java.time.Duration.ofSeconds(5);

    public WakeableLock() {
        super();
    }

    public WakeableLock(boolean fair) {
        super(fair);
    }

    @Override
    public Condition newCondition() {
        Condition condition = super.newCondition();
        conditions.add(condition);
        return condition;
    }

    /**
     * Wakes every thread waiting on any condition of this lock, as a spurious wakeup would: nothing they wait for
     * has changed. Each goes on only after it has taken the lock back, as after any wakeup.
     */
    public void wakeEarly() {
        lockOrExplain();
        try {
            conditions.forEach(Condition::signalAll);
        } finally {
            unlock();
        }
    }

    /** The threads waiting on any condition of this lock now (not those waiting to take the lock itself). */
    public Collection<Thread> threadsWaitingOnConditions() {
        lockOrExplain();
        try {
            List<Thread> waiting = new ArrayList<>();
            conditions.forEach(condition -> waiting.addAll(getWaitingThreads(condition)));
            return waiting;
        } finally {
            unlock();
        }
    }

    /**
     * Takes the lock for a look, but not forever: code under test that keeps the lock (a missing {@code unlock()} in
     * {@code finally}, a thread that ended holding it) would otherwise hang the test instead of failing it.
     *
     * @throws AssertionError naming the thread that keeps the lock, when it is not let go within {@link #PATIENCE}
     */
    private void lockOrExplain() {
        boolean taken;
        try {
            taken = tryLock(PATIENCE.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the lock", e);
        }
        if (!taken) {
            Thread owner = getOwner();
            throw new AssertionError("the lock was not let go for " + PATIENCE.toSeconds() + " s: "
                    + (owner == null ? "it changed hands all along"
                            : owner.getName() + (owner.isAlive() ? " keeps it (" + owner.getState() + ")"
                                    : " ended while holding it"))
                    + "; every lock() needs its unlock(), in a finally block so that an exception lets it go too");
        }
    }

    /**
     * Runs {@code action} once, on {@code thread}, the next time that thread lets go of this lock completely with
     * {@code unlock()}: the moment after a call gave the lock back and before it returns. Whatever the call still
     * does there, outside the lock, races with what {@code action} does; a test makes that race happen every time
     * instead of hoping for it. (A wait on a condition lets go of the lock without {@code unlock()}, and does not
     * count.)
     */
    public void afterNextReleaseBy(Thread thread, Runnable action) {
        afterRelease.set(new AfterRelease(thread, action));
    }

    @Override
    public void unlock() {
        super.unlock();
        AfterRelease pending = afterRelease.get();
        if (pending != null && pending.thread() == Thread.currentThread() && getHoldCount() == 0
                && afterRelease.compareAndSet(pending, null)) {
            pending.action().run();
        }
    }

    /** How many conditions the code under test has made from this lock so far. */
    public int conditionsMade() {
        return conditions.size();
    }
}

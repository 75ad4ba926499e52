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
        lock();
        try {
            conditions.forEach(Condition::signalAll);
        } finally {
            unlock();
        }
    }

    /** The threads waiting on any condition of this lock now (not those waiting to take the lock itself). */
    public Collection<Thread> threadsWaitingOnConditions() {
        lock();
        try {
            List<Thread> waiting = new ArrayList<>();
            conditions.forEach(condition -> waiting.addAll(getWaitingThreads(condition)));
            return waiting;
        } finally {
            unlock();
        }
    }

    /** How many conditions the code under test has made from this lock so far. */
    public int conditionsMade() {
        return conditions.size();
    }
}

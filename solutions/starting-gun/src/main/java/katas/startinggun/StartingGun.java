package katas.startinggun;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A start signal that any number of runners wait for, like Python's {@code threading.Event}: {@link #fire()} lets
 * every waiting runner go and keeps the gun fired, {@link #reset()} makes later runners wait again. All methods may
 * be called from any thread at the same time.
 */
public final class StartingGun {

    private final ReentrantLock lock;
    private final Condition shot;
    // FIX: both fields are read and written only while holding the lock, so no volatile is needed.
    private boolean fired;
    // FIX: counts the fires: a runner that saw the count change goes, even if reset() lowered the flag again
    //  before it could look (fire() then reset() at once is a pulse, and the flag alone would miss it).
    private long fires;

    /** A gun on a lock of its own. */
    public StartingGun() {
        this(new ReentrantLock());
    }

    /** A gun whose runners wait on a condition of {@code lock}. */
    public StartingGun(ReentrantLock lock) {
        this.lock = Objects.requireNonNull(lock, "lock"); // FIX: wait on the lock given, so others can see who waits
        this.shot = lock.newCondition();
    }

    /** Fires the gun: every runner waiting now goes, and later runners go at once until {@link #reset()}. */
    public void fire() {
        lock.lock();
        try {
            fired = true; // FIX: a second fire finds nobody waiting: the runners go once the gun is fired
            fires++;
            shot.signalAll(); // FIX: every runner waits on this condition: signal() would wake only one
        } finally {
            lock.unlock();
        }
    }

    /** Lowers the gun: runners that call {@link #awaitStart()} from now on wait for the next fire. */
    public void reset() {
        lock.lock();
        try {
            fired = false; // FIX: no signal: nothing a waiting runner waits for has happened
        } finally {
            lock.unlock();
        }
    }

    /** Whether the gun is fired now. */
    public boolean isFired() {
        lock.lock();
        try {
            return fired;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the gun is fired; returns at once if it is fired already. */
    public void awaitStart() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            long seen = fires; // FIX: read under the lock, before waiting: a fire can no longer slip in between
            while (!fired && fires <= seen) { // FIX: while, not if: a wakeup is no proof of a fire
                shot.await();
            }
        } finally {
            lock.unlock(); // FIX: in finally: await() throws InterruptedException with the lock held again
        }
    }

    /**
     * Waits until the gun is fired or {@code timeout} has passed, whichever comes first.
     *
     * @return true if the gun was fired (before the call or while waiting), false if the time ran out
     */
    public boolean awaitStart(Duration timeout) throws InterruptedException {
        long left = TimeUnit.NANOSECONDS.convert(timeout); // FIX: saturates instead of overflowing for huge timeouts
        lock.lockInterruptibly();
        try {
            long seen = fires;
            while (!fired && fires <= seen && left > 0L) {
                left = shot.awaitNanos(left); // FIX: what is left of the timeout, not the whole timeout again
            }
            return fired || fires > seen; // FIX: a runner that went at a fire says so, even if reset followed
        } finally {
            lock.unlock();
        }
    }
}

package katas.reentrantlock;

import java.util.concurrent.TimeUnit;

/**
 * A reentrant mutual-exclusion lock, built by hand: at most one thread owns it at a time, and the owner may take
 * it again (each {@code lock()} needs its own {@code unlock()}). All methods may be called from any thread at the
 * same time. Not final: the tests extend it (to pause after an unlock).
 */
public class Mutex {

    // FIX: one inner monitor guards the owner and the count, and is what waiting threads wait on.
    private final Object monitor = new Object();
    private Thread owner;
    private int holds;

    /**
     * Takes the lock, waiting as long as another thread owns it. Taken again by its owner, it only counts one more
     * hold. An interrupt does not stop the wait: the thread keeps waiting and its interrupt status stays set.
     */
    public void lock() {
        Thread me = Thread.currentThread();
        boolean interrupted = false;
        synchronized (monitor) {
            // FIX: while, not if: a waiter may wake without the lock being free (spurious wakeup, another
            //  waiter or a newcomer took it first), and must look again.
            while (owner != null && owner != me) {
                try {
                    monitor.wait();
                } catch (InterruptedException e) {
                    interrupted = true; // FIX: lock() does not give up; the interrupt is kept for later
                }
            }
            owner = me;
            holds++; // FIX: the owner taking it again counts one more hold instead of waiting for itself
        }
        if (interrupted) {
            me.interrupt();
        }
    }

    /**
     * Takes the lock like {@link #lock()}, but stops waiting when the thread is interrupted (also when it was
     * interrupted before it had to wait): then it throws and does not take the lock.
     */
    public void lockInterruptibly() throws InterruptedException {
        Thread me = Thread.currentThread();
        synchronized (monitor) {
            while (owner != null && owner != me) {
                monitor.wait(); // FIX: the InterruptedException goes to the caller, who asked to be interruptible
            }
            owner = me;
            holds++;
        }
    }

    /**
     * Takes the lock if it can within {@code timeout} in all, however often the thread wakes meanwhile.
     *
     * @return true when the lock was taken (or taken again by its owner), false when the time ran out
     * @throws InterruptedException when the thread is interrupted while it waits; the lock is not taken then
     */
    public boolean tryLock(long timeout, TimeUnit unit) throws InterruptedException {
        Thread me = Thread.currentThread();
        long start = System.nanoTime();
        long budget = unit.toNanos(timeout);
        long left = budget;
        synchronized (monitor) {
            while (owner != null && owner != me) {
                if (Thread.interrupted()) {
                    // FIX: an interrupt that came before the call (or during it) stops tryLock on a lock another
                    //  thread holds, whatever the timeout: also one of 0 or below, which would not wait anyway.
                    throw new InterruptedException("interrupted before or while tryLock() waited");
                }
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(monitor, left);
                // FIX: the time left is counted from the call, so a wakeup does not restart the timeout; a
                //  difference of nanoTime values, never a comparison with a deadline that may overflow.
                left = budget - (System.nanoTime() - start);
            }
            owner = me;
            holds++;
            return true;
        }
    }

    /**
     * Gives back one hold; the last one frees the lock for the next thread.
     *
     * @throws IllegalMonitorStateException when the calling thread does not own the lock; nothing changes then
     */
    public void unlock() {
        synchronized (monitor) {
            if (owner != Thread.currentThread()) { // FIX: only the owner may unlock, so holds never drop below 0
                throw new IllegalMonitorStateException(Thread.currentThread().getName() + " does not own this lock");
            }
            holds--;
            if (holds == 0) {
                owner = null; // FIX: the last hold frees the lock; an owner left set would keep everyone out
                monitor.notifyAll(); // FIX: after the change, under the monitor, so no waiter misses it
            }
        }
    }

    /** How many holds the calling thread has on this lock: 0 when it does not own it. */
    public int getHoldCount() {
        synchronized (monitor) {
            return owner == Thread.currentThread() ? holds : 0;
        }
    }

    /** Whether the calling thread owns this lock. */
    public boolean isHeldByCurrentThread() {
        synchronized (monitor) {
            return owner == Thread.currentThread();
        }
    }
}

package katas.reentrantlock;

import java.util.concurrent.TimeUnit;

/**
 * A reentrant mutual-exclusion lock, built by hand: at most one thread owns it at a time, and the owner may take
 * it again (each {@code lock()} needs its own {@code unlock()}). All methods may be called from any thread at the
 * same time. Not final: the tests extend it (to pause after an unlock).
 */
public class Mutex {

    // TODO: the lock needs to know who owns it and how many times; two threads that both see it free at the
    //  same moment will both think they took it.

    /**
     * Takes the lock, waiting as long as another thread owns it. Taken again by its owner, it only counts one more
     * hold. An interrupt does not stop the wait: the thread keeps waiting and its interrupt status stays set.
     */
    public void lock() {
        // TODO: a waiting thread may wake up while the lock is still taken (by a newcomer, or for no reason at all).
        // TODO: a method of the warehouse that calls another one while holding the lock must not wait for itself.
        throw new UnsupportedOperationException("TODO: implement Mutex.lock()");
    }

    /**
     * Takes the lock like {@link #lock()}, but stops waiting when the thread is interrupted (also when it was
     * interrupted before it had to wait): then it throws and does not take the lock.
     */
    public void lockInterruptibly() throws InterruptedException {
        // TODO: whoever calls this asked to be stopped by an interrupt; swallowing it keeps them waiting.
        throw new UnsupportedOperationException("TODO: implement Mutex.lockInterruptibly()");
    }

    /**
     * Takes the lock if it can within {@code timeout} in all, however often the thread wakes meanwhile.
     *
     * @return true when the lock was taken (or taken again by its owner), false when the time ran out
     * @throws InterruptedException when the thread is interrupted while it waits for another thread's lock (or was
     *     interrupted before the call and finds the lock taken by another thread, whatever the timeout: also 0 or
     *     below); the lock is not taken then
     */
    public boolean tryLock(long timeout, TimeUnit unit) throws InterruptedException {
        // TODO: a thread may wake many times before the lock is free; the timeout is for the whole call.
        throw new UnsupportedOperationException("TODO: implement Mutex.tryLock(timeout, unit)");
    }

    /**
     * Gives back one hold; the last one frees the lock for the next thread.
     *
     * @throws IllegalMonitorStateException when the calling thread does not own the lock; nothing changes then
     */
    public void unlock() {
        // TODO: threads waiting for the lock do not notice by themselves that it became free.
        throw new UnsupportedOperationException("TODO: implement Mutex.unlock()");
    }

    /** How many holds the calling thread has on this lock: 0 when it does not own it. */
    public int getHoldCount() {
        throw new UnsupportedOperationException("TODO: implement Mutex.getHoldCount()");
    }

    /** Whether the calling thread owns this lock. */
    public boolean isHeldByCurrentThread() {
        throw new UnsupportedOperationException("TODO: implement Mutex.isHeldByCurrentThread()");
    }
}

package katas.readwritecache;

import java.util.Collection;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The JDK's read-write lock, handed to the cache by the tests so that they can see who holds it and who waits for
 * it: the lock itself counts its readers and knows its writer, no guess from a clock.
 */
final class SeenLock extends ReentrantReadWriteLock {

    private static final long serialVersionUID = 1L;

    SeenLock(boolean fair) {
        super(fair);
    }

    /** True when nobody holds the lock, in either mode. */
    boolean free() {
        return getReadLockCount() == 0 && !isWriteLocked();
    }

    /** The threads waiting to take the lock now, in either mode. */
    Collection<Thread> waiting() {
        return getQueuedThreads();
    }

    /** "held by 2 readers", "held by the writer 'put(k3)'", "free". */
    String holders() {
        if (isWriteLocked()) {
            Thread owner = getOwner();
            return "held by the writer " + (owner == null ? "(gone)" : "'" + owner.getName() + "'");
        }
        int readers = getReadLockCount();
        return readers == 0 ? "free" : "held by " + readers + " read lock(s)";
    }

    /** What the calling thread holds of the lock now: "the write lock", "the read lock", or null. */
    String heldByMe() {
        if (isWriteLockedByCurrentThread()) {
            return "the write lock";
        }
        return getReadHoldCount() > 0 ? "the read lock" : null;
    }
}

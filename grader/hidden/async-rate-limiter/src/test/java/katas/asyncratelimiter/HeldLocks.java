package katas.asyncratelimiter;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;

/**
 * Hidden: how many locks a thread holds, so that a probe run just after a lock is let go of can tell whether the
 * thread is out of the limiter's lock or still inside it (a lock taken twice, or one lock inside another).
 */
record HeldLocks(int monitors, int synchronizers) {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** The monitors and ownable synchronizers (ReentrantLock and the like) {@code thread} holds now. */
    static HeldLocks of(Thread thread) {
        ThreadInfo info = THREADS.getThreadInfo(new long[] {thread.threadId()}, true, true)[0];
        return new HeldLocks(info.getLockedMonitors().length, info.getLockedSynchronizers().length);
    }

    /**
     * The locks the probed thread holds now, asked on that thread, {@code before} being what it held when the probe
     * was set. Its monitors come from the JVM; the lock objects it holds from the ones it called, when they are of a
     * kind that can say so. Only otherwise does the JVM look for them, and it walks the whole heap to find them: a
     * probe after every unlock then costs seconds on a busy machine.
     */
    static HeldLocks ofProbed(Thread thread, HeldLocks before) {
        java.util.List<Object> seen = NoiseHook.locksSeen();
        if (seen == null) {
            return of(thread);
        }
        int held = 0;
        for (Object lock : seen) {
            switch (lock) {
                case ReentrantLock reentrant -> held += reentrant.isHeldByCurrentThread() ? 1 : 0;
                case ReentrantReadWriteLock.WriteLock write -> held += write.isHeldByCurrentThread() ? 1 : 0;
                // Shared holds have no owner, so the JVM does not count them either.
                case ReentrantReadWriteLock.ReadLock read -> { }
                case ReentrantReadWriteLock both -> { }
                case StampedLock stamped -> { }
                case Condition condition -> { } // held by no one: its lock is the one that counts
                default -> {
                    if (!isStampedView(lock)) {
                        return of(thread); // a kind of its own (its own AbstractQueuedSynchronizer): ask the JVM
                    }
                }
            }
        }
        ThreadInfo info = THREADS.getThreadInfo(new long[] {thread.threadId()}, true, false)[0];
        return new HeldLocks(info.getLockedMonitors().length, before.synchronizers + held);
    }

    /** A StampedLock's asReadLock(), asWriteLock() or asReadWriteLock() view: no owner, like the lock. */
    private static boolean isStampedView(Object lock) {
        return lock.getClass().getEnclosingClass() == StampedLock.class;
    }

    /** Whether these are more locks of either kind than {@code before}. */
    boolean moreThan(HeldLocks before) {
        return monitors > before.monitors || synchronizers > before.synchronizers;
    }
}

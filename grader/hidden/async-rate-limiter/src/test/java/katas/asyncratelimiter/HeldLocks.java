package katas.asyncratelimiter;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

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

    /** Whether these are more locks of either kind than {@code before}. */
    boolean moreThan(HeldLocks before) {
        return monitors > before.monitors || synchronizers > before.synchronizers;
    }
}

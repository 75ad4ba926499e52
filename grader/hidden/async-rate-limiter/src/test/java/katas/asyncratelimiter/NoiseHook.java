package katas.asyncratelimiter;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * Hidden: what {@link Noisy} calls at every lock boundary of the learner's code: now and then the
 * calling thread yields or pauses for some tens of microseconds, so that other threads run in
 * between two steps that a correct limiter makes under one lock. Public because the learner's classes,
 * loaded again by another class loader, call it from another runtime package.
 */
public final class NoiseHook {

    private NoiseHook() {
    }

    /** Just before a thread takes a lock (a monitor, a Lock), or calls an atomic. */
    public static void beforeLock() {
        if (Thread.currentThread() == probed) {
            boundaries++;
        }
        noise();
    }

    /**
     * Just before a thread calls a lock object (a {@code java.util.concurrent.locks} type) with no argument
     * ({@code lock()}, {@code unlock()}, {@code tryLock()}...): a probe then knows which lock objects its thread may
     * hold, and asks them instead of walking the whole heap for them.
     */
    public static void seeLock(Object lock) {
        if (Thread.currentThread() == probed) {
            synchronized (locksSeen) {
                locksSeen.add(lock);
            }
        }
    }

    /**
     * Just before a thread takes a lock object with a call that has arguments ({@code tryLock(1, SECONDS)}): the lock
     * it takes is not known, so a probe must walk the heap for the locks its thread holds.
     */
    public static void beforeUnseenLockCall() {
        if (Thread.currentThread() == probed) {
            unseenLockTaken = true;
        }
        beforeLock();
    }

    /** Just after a thread has let go of a lock. */
    public static void afterUnlock() {
        if (Thread.currentThread() == probed) {
            boundaries++;
        }
        noise();
        Runnable check = probe;
        if (check != null && Thread.currentThread() == probed) {
            check.run();
        }
    }

    private static volatile Thread probed;
    private static volatile Runnable probe;
    private static volatile int boundaries; // written only by the probed thread
    private static volatile boolean unseenLockTaken; // written only by the probed thread
    private static final java.util.Set<Object> locksSeen = java.util.Collections.newSetFromMap(
            new java.util.IdentityHashMap<>());

    /**
     * From now on, {@code check} runs on {@code thread} just after each lock it lets go of, until
     * {@link #stopProbing()}: a test looks at the limiter at every step its own call makes.
     */
    static void probeAfterEachUnlock(Thread thread, Runnable check) {
        boundaries = 0;
        unseenLockTaken = false;
        synchronized (locksSeen) {
            locksSeen.clear();
        }
        probe = check;
        probed = thread;
    }

    /**
     * How many lock boundaries (a lock taken or let go of, an atomic called) the probed thread passed since the probe
     * was set: none at all while the limiter started tasks means the noise could not see how the limiter locks.
     */
    static int boundariesSeen() {
        return boundaries;
    }

    /**
     * The lock objects the probed thread called since the probe was set, or null when it took one that could not
     * be seen.
     */
    static java.util.List<Object> locksSeen() {
        if (unseenLockTaken) {
            return null;
        }
        synchronized (locksSeen) {
            return java.util.List.copyOf(locksSeen);
        }
    }

    static void stopProbing() {
        probed = null;
        probe = null;
        synchronized (locksSeen) {
            locksSeen.clear();
        }
    }

    private static void noise() {
        int roll = ThreadLocalRandom.current().nextInt(100);
        if (roll < 12) {
            Thread.yield();
        } else if (roll < 16) {
            LockSupport.parkNanos(10_000 + ThreadLocalRandom.current().nextInt(40_000));
        }
    }
}

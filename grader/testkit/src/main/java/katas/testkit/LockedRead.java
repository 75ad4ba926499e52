package katas.testkit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.StampedLock;
import java.util.function.Supplier;

/**
 * Whether a read takes a lock: it waits while this thread holds every lock of its target (the target's
 * monitor, the monitors of the objects in its fields, and the locks among them). No compiler may move such
 * a read out of a loop, so a stale-read probe has nothing to check on it.
 *
 * <pre>{@code
 * if (LockedRead.waitsForALock(counter, counter::get)) { ... }
 * }</pre>
 */
public final class LockedRead {

    /** A read that ran this much CPU time, neither waiting nor done, spins: it takes no lock this probe holds. */
    private static final long PATIENCE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** However busy the machine, the probe gives up after this long. */
    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private LockedRead() {
    }

    /** Whether {@code read}, run on another thread, waits while this thread holds every lock of {@code target}. */
    public static boolean waitsForALock(Object target, Runnable read) throws InterruptedException {
        AtomicBoolean waited = new AtomicBoolean();
        Thread reader = holding(locksOf(target), 0, () -> {
            AtomicBoolean done = new AtomicBoolean();
            Thread thread = Thread.ofPlatform().daemon(true).name("lock-probe").start(() -> {
                read.run();
                done.set(true);
            });
            // Judged by the reader's own CPU time, never the clock: on a busy machine it may not run at all for a
            // while, and a read that has not run yet has not shown that it waits.
            long deadline = System.nanoTime() + MAX_WAIT_NANOS;
            while (!done.get() && System.nanoTime() < deadline && cpuTime(thread) < PATIENCE_NANOS) {
                Thread.State state = thread.getState();
                if (state == Thread.State.BLOCKED || state == Thread.State.WAITING) {
                    waited.set(true);
                    break;
                }
                Thread.onSpinWait();
            }
            return thread;
        });
        reader.join(Duration.ofSeconds(10));
        return waited.get();
    }

    private static long cpuTime(Thread thread) {
        long cpu = ThreadCpu.of(thread);
        return cpu < 0 ? 0 : cpu;
    }

    private static List<Object> locksOf(Object target) {
        List<Object> locks = new ArrayList<>();
        locks.add(target);
        for (Class<?> c = target.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive() || !f.trySetAccessible()) {
                    continue;
                }
                try {
                    Object value = f.get(target);
                    if (value != null) {
                        locks.add(value);
                    }
                } catch (IllegalAccessException unreadable) {
                    // not a lock the probe can hold
                }
            }
        }
        return locks;
    }

    /**
     * Holds {@code locks[from..]} (the lock when it is one, else its monitor; a lock some other thread holds
     * is skipped), runs {@code body}, and lets go of them all before returning what the body returned.
     */
    private static Thread holding(List<Object> locks, int from, Supplier<Thread> body) {
        if (from == locks.size()) {
            return body.get();
        }
        Object lock = locks.get(from);
        Lock held = switch (lock) {
            case Lock plain -> plain;
            case ReadWriteLock readWrite -> readWrite.writeLock();
            case StampedLock stamped -> stamped.asWriteLock();
            default -> null;
        };
        if (held == null) {
            synchronized (lock) {
                return holding(locks, from + 1, body);
            }
        }
        if (!held.tryLock()) {
            return holding(locks, from + 1, body);
        }
        try {
            return holding(locks, from + 1, body);
        } finally {
            held.unlock();
        }
    }
}

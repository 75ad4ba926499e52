package katas.reentrantlock;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Wakes waiting threads early, as the JVM may at any time: a thread that waits in {@code Object.wait()} or
 * {@code LockSupport.park()} may return without anybody freeing what it waits for (a spurious wakeup, JLS 17.2.1).
 * A lock must look again before it goes on. The test calls {@code notifyAll()} on the lock itself and on every
 * object in its fields (one of them is the monitor its waiters wait on), and unparks the waiting threads.
 */
final class Wakeups {

    private Wakeups() {
    }

    /** Wakes every thread waiting on a monitor of {@code lock} or in a park, as a spurious wakeup would. */
    static void wakeEarly(Object lock, List<Thread> waiters) {
        for (Object monitor : monitorsOf(lock)) {
            synchronized (monitor) {
                monitor.notifyAll();
            }
        }
        waiters.forEach(LockSupport::unpark);
    }

    /** The lock and the objects in its fields: where its waiting threads may wait. */
    private static List<Object> monitorsOf(Object lock) {
        List<Object> monitors = new ArrayList<>();
        monitors.add(lock);
        for (Class<?> c = lock.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.getType().isPrimitive() || field.isSynthetic() || !field.trySetAccessible()) {
                    continue;
                }
                try {
                    Object value = field.get(Modifier.isStatic(field.getModifiers()) ? null : lock);
                    if (value != null && !(value instanceof String) && !(value instanceof Number)
                            && monitors.stream().noneMatch(m -> m == value)) {
                        monitors.add(value);
                    }
                } catch (IllegalAccessException unreadable) {
                    // a field we may not read holds no monitor we could use anyway
                }
            }
        }
        return monitors;
    }
}

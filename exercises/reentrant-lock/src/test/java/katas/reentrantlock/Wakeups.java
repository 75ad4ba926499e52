package katas.reentrantlock;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Wakes waiting threads early, as the JVM may at any time: a thread that waits in {@code Object.wait()} or
 * {@code LockSupport.park()} may return without anybody freeing what it waits for (a spurious wakeup, JLS 17.2.1).
 * A lock must look again before it goes on. The test calls {@code notifyAll()} on the lock itself, on every
 * object in its fields (one of them is the monitor its waiters wait on) and on every element of the collections,
 * arrays and maps among them (the nodes a queue of waiters waits on), and unparks the waiting threads.
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

    /**
     * Runs {@code body} while the calling thread holds the monitor of the lock and of every object in its fields
     * (and in the collections, arrays and maps there): a waiter woken meanwhile can go on only after {@code body}.
     */
    static void holdingMonitorsOf(Object lock, Runnable body) {
        holding(monitorsOf(lock), 0, body);
    }

    private static void holding(List<Object> monitors, int from, Runnable body) {
        if (from == monitors.size()) {
            body.run();
            return;
        }
        synchronized (monitors.get(from)) {
            holding(monitors, from + 1, body);
        }
    }

    /**
     * The lock, the objects in its fields, and the elements of the collections, arrays and maps among them: where
     * its waiting threads may wait (a lock that queues its waiters may give each a node of its own to wait on).
     */
    static List<Object> monitorsOf(Object lock) {
        List<Object> monitors = new ArrayList<>();
        for (Object field : fieldsOf(lock)) {
            add(monitors, field);
            for (Object element : elementsOf(field)) {
                add(monitors, element);
            }
        }
        return monitors;
    }

    private static void add(List<Object> monitors, Object value) {
        if (value != null && !(value instanceof String) && !(value instanceof Number)
                && monitors.stream().noneMatch(m -> m == value)) {
            monitors.add(value);
        }
    }

    /** What a collection, an array or a map holds (its keys and values); nothing for anything else. */
    private static List<Object> elementsOf(Object container) {
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                List<Object> elements = new ArrayList<>();
                if (container instanceof java.util.Collection<?> collection) {
                    elements.addAll(java.util.Arrays.asList(collection.toArray()));
                } else if (container instanceof java.util.Map<?, ?> map) {
                    elements.addAll(java.util.Arrays.asList(map.keySet().toArray()));
                    elements.addAll(java.util.Arrays.asList(map.values().toArray()));
                } else if (container != null && container.getClass().isArray()
                        && !container.getClass().getComponentType().isPrimitive()) {
                    elements.addAll(java.util.Arrays.asList((Object[]) container));
                }
                return elements;
            } catch (RuntimeException changedMeanwhile) {
                // the lock changed its collection while we read it: read again
            }
        }
        return List.of();
    }

    /** The lock and the objects in its fields. */
    private static List<Object> fieldsOf(Object lock) {
        List<Object> monitors = new ArrayList<>();
        monitors.add(lock);
        for (Class<?> c = lock.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.getType().isPrimitive() || field.isSynthetic() || !field.trySetAccessible()) {
                    continue;
                }
                try {
                    Object value = field.get(Modifier.isStatic(field.getModifiers()) ? null : lock);
                    add(monitors, value);
                } catch (IllegalAccessException unreadable) {
                    // a field we may not read holds no monitor we could use anyway
                }
            }
        }
        return monitors;
    }
}

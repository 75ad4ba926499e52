package katas.boundedbuffer;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The conditions of a lock that a buffer can reach: in its fields, and in the arrays, collections and objects of the
 * kata's own package that they hold (a buffer may keep one condition per waiting thread in a queue). Read while the
 * caller holds the lock, so that the buffer's collections do not change under the walk.
 */
final class ReachableConditions {

    private static final int DEPTH = 4;

    private ReachableConditions() {
    }

    /** The distinct conditions of {@code lock} reachable from {@code buffer}; call with {@code lock} held. */
    static List<Condition> of(Object buffer, ReentrantLock lock) {
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Condition> found = new ArrayList<>();
        walk(buffer, lock, DEPTH, seen, found);
        return found;
    }

    /** How many threads wait on the conditions of {@code lock} reachable from {@code buffer}; with the lock held. */
    static int waiters(Object buffer, ReentrantLock lock) {
        int waiting = 0;
        for (Condition condition : of(buffer, lock)) {
            waiting += lock.getWaitQueueLength(condition);
        }
        return waiting;
    }

    private static void walk(Object value, ReentrantLock lock, int depth, Set<Object> seen, List<Condition> found) {
        if (value == null || depth < 0 || !seen.add(value)) {
            return;
        }
        if (value instanceof Condition condition) {
            if (belongsTo(condition, lock)) {
                found.add(condition);
            }
            return;
        }
        if (value instanceof Iterable<?> items) {
            for (Object item : items) {
                walk(item, lock, depth - 1, seen, found);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            walk(map.keySet(), lock, depth - 1, seen, found);
            walk(map.values(), lock, depth - 1, seen, found);
            return;
        }
        if (value.getClass().isArray()) {
            if (!value.getClass().getComponentType().isPrimitive()) {
                for (int i = 0; i < Array.getLength(value); i++) {
                    walk(Array.get(value, i), lock, depth - 1, seen, found);
                }
            }
            return;
        }
        if (!value.getClass().getPackageName().equals(BoundedBuffer.class.getPackageName())) {
            return; // a JDK object other than a collection, or a caller's item: no condition of the buffer's in it
        }
        for (Class<?> c = value.getClass(); c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || field.getType().isPrimitive()
                        || !field.trySetAccessible()) {
                    continue;
                }
                try {
                    walk(field.get(value), lock, depth - 1, seen, found);
                } catch (IllegalAccessException unreadable) {
                    // not a field the walk can read
                }
            }
        }
    }

    private static boolean belongsTo(Condition condition, ReentrantLock lock) {
        try {
            lock.hasWaiters(condition);
            return true;
        } catch (IllegalArgumentException otherLock) {
            return false;
        }
    }
}

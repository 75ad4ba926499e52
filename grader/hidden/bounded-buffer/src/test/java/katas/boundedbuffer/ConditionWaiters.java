package katas.boundedbuffer;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Who waits on the conditions of a lock, found from the waiting threads themselves, not from where the buffer keeps
 * its conditions. A thread in {@code await()} or {@code awaitNanos} parks with the condition as its blocker
 * ({@link LockSupport#getBlocker}), so the conditions are found wherever a buffer keeps them: in fields, in a map
 * entry, a record, an {@code Optional}, one per waiting thread in a queue, anywhere. (Red team G: a right buffer that
 * kept its two conditions in a {@code Map.entry} was failed by a walk over the buffer's fields, which knew only
 * arrays, collections, maps and the kata's own classes.) Counts are read from the lock itself, while the caller holds
 * it: a signalled waiter leaves its condition's queue at the signal, so no count depends on how fast woken threads
 * run.
 *
 * <p>The buffer's own lock (made by its one-argument constructor) is looked for among the objects the buffer holds,
 * and is the one that owns the conditions its waiters park on.
 */
final class ConditionWaiters {

    private static final int DEPTH = 5;

    private ConditionWaiters() {
    }

    /**
     * How many threads wait on the conditions of {@code lock} that any of {@code threads} parks on; call with the
     * lock held. (A waiter that has just let go of the lock and not yet parked is not counted yet: look again.)
     */
    static int waiting(ReentrantLock lock, Collection<Thread> threads) {
        Set<Condition> conditions = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Thread thread : threads) {
            if (LockSupport.getBlocker(thread) instanceof Condition condition && owns(lock, condition)) {
                conditions.add(condition);
            }
        }
        int waiting = 0;
        for (Condition condition : conditions) {
            waiting += lock.getWaitQueueLength(condition);
        }
        return waiting;
    }

    /** Whether one of {@code threads} parks on a condition (of any lock): it waits in {@code await}. */
    static boolean anyParksOnACondition(Collection<Thread> threads) {
        return threads.stream().anyMatch(thread -> LockSupport.getBlocker(thread) instanceof Condition);
    }

    /**
     * The lock among those {@code buffer} holds that owns a condition one of {@code threads} parks on; empty while
     * none does (no one waits yet, or the buffer keeps its lock where no look reaches).
     */
    static Optional<ReentrantLock> lockOf(Object buffer, Collection<Thread> threads) {
        List<Condition> parkedOn = new ArrayList<>();
        for (Thread thread : threads) {
            if (LockSupport.getBlocker(thread) instanceof Condition condition) {
                parkedOn.add(condition);
            }
        }
        if (parkedOn.isEmpty()) {
            return Optional.empty();
        }
        for (ReentrantLock candidate : locksIn(buffer)) {
            for (Condition condition : parkedOn) {
                if (ownsUnheld(candidate, condition)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /** Whether {@code condition} was made by {@code lock}; call with the lock held. */
    private static boolean owns(ReentrantLock lock, Condition condition) {
        try {
            lock.hasWaiters(condition);
            return true;
        } catch (IllegalArgumentException otherLock) {
            return false;
        }
    }

    /** The same without holding the lock: a lock refuses a condition not its own before it checks who holds it. */
    private static boolean ownsUnheld(ReentrantLock lock, Condition condition) {
        try {
            lock.hasWaiters(condition);
            return true;
        } catch (IllegalArgumentException otherLock) {
            return false;
        } catch (IllegalMonitorStateException itsOwnNotHeld) {
            return true;
        }
    }

    /** The locks reachable from {@code root}, nearest first. */
    private static List<ReentrantLock> locksIn(Object root) {
        List<ReentrantLock> locks = new ArrayList<>();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Object[]> next = new ArrayDeque<>();
        next.add(new Object[] {root, 0});
        while (!next.isEmpty()) {
            Object[] entry = next.poll();
            Object value = entry[0];
            int depth = (Integer) entry[1];
            if (value == null || depth > DEPTH || !seen.add(value)) {
                continue;
            }
            if (value instanceof ReentrantLock lock) {
                locks.add(lock);
                continue;
            }
            try {
                for (Object inner : inside(value)) {
                    next.add(new Object[] {inner, depth + 1});
                }
            } catch (RuntimeException changedMeanwhile) {
                // a collection changed under the look: the caller looks again
            }
        }
        return locks;
    }

    /** What an object holds: elements, keys and values, components, or the fields the look may read. */
    private static List<Object> inside(Object value) {
        List<Object> inner = new ArrayList<>();
        Class<?> type = value.getClass();
        if (type.isArray()) {
            if (!type.getComponentType().isPrimitive()) {
                for (int i = 0; i < Array.getLength(value); i++) {
                    inner.add(Array.get(value, i));
                }
            }
        } else if (value instanceof Map<?, ?> map) {
            inner.addAll(map.keySet());
            inner.addAll(map.values());
        } else if (value instanceof Iterable<?> items) {
            items.forEach(inner::add);
        } else if (value instanceof Map.Entry<?, ?> pair) {
            inner.add(pair.getKey());
            inner.add(pair.getValue());
        } else if (value instanceof Optional<?> maybe) {
            maybe.ifPresent(inner::add);
        } else if (type.isRecord()) {
            for (RecordComponent component : type.getRecordComponents()) {
                Method accessor = component.getAccessor();
                if (!component.getType().isPrimitive() && accessor.trySetAccessible()) {
                    try {
                        inner.add(accessor.invoke(value));
                    } catch (ReflectiveOperationException unreadable) {
                        // not a component the look can read
                    }
                }
            }
        } else {
            for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                for (Field field : c.getDeclaredFields()) {
                    if (field.getType().isPrimitive() || !field.trySetAccessible()) {
                        continue; // a JDK class's private fields stay closed: the look goes on elsewhere
                    }
                    try {
                        inner.add(field.get(Modifier.isStatic(field.getModifiers()) ? null : value));
                    } catch (IllegalAccessException unreadable) {
                        // not a field the look can read
                    }
                }
            }
        }
        return inner;
    }
}

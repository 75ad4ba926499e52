package katas.fixtherace;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Moves a {@link HitCounter}'s count on by billions without calling {@code increment()} billions of times:
 * it finds the field that holds the count (the one whose value is the number of hits counted so far),
 * adds to it directly, and checks that {@code get()} follows. Then the counter must go on counting past
 * {@code Integer.MAX_VALUE}. A count kept in a field of a type that cannot hold the target exactly (an
 * {@code Integer}, a {@code short}, a {@code float}, a {@code double} past 2^53...) fails: rule 3 cannot hold
 * there. When no field can be moved on that way (a count kept somewhere else), there is nothing to check and
 * the counter passes.
 * <p>
 * Fields that surely hold every long are tried first: when one of them moves the count on and the counter counts
 * on past the limit from there, the counter passes. A field of a smaller type is judged only if it is the count
 * itself: it must still equal the count after a few million more real hits (a right counter may keep the hits of
 * a batch in an {@code int} and add full batches to a {@code long}; moved on by hand, such a field would be in a
 * state the code never reaches).
 */
final class FastForward {

    /** One place a count can be kept: read it, and add to it. */
    private interface Slot {
        long read() throws IllegalAccessException;

        void add(long delta) throws IllegalAccessException;

        /** Whether this slot can hold {@code value} exactly. */
        default boolean canHold(long value) {
            return true;
        }
    }

    private FastForward() {
    }

    /**
     * Counts {@code hits} hits, moves the count on to {@code target}, counts {@code more} hits and returns
     * null if {@code get()} says {@code target + more}, else what went wrong. Returns null too when no field
     * of the counter could be moved on.
     */
    static String countPast(int hits, long target, int more) throws IllegalAccessException {
        HitCounter probe = counted(hits);
        List<Field> fields = new ArrayList<>();
        List<Field> smaller = new ArrayList<>();
        for (Field field : instanceFields(HitCounter.class)) {
            if (slot(field, probe, hits) != null) {
                (holdsEveryLong(field, probe) ? fields : smaller).add(field); // those that hold every long first
            }
        }
        fields.addAll(smaller);
        for (Field field : fields) {
            HitCounter counter = counted(hits);
            Slot slot = slot(field, counter, hits);
            if (slot == null) {
                continue;
            }
            boolean wide = holdsEveryLong(field, counter);
            if (!slot.canHold(target)) {
                slot.add(1);
                if (counter.get() != hits + 1 || !isTheCount(field, hits)) {
                    continue; // not the count
                }
                return String.format("rule 3 cannot be checked: the count is kept in field '%s', %s, which cannot "
                        + "hold every count a long can (not %,d, for one), so it would wrap around or lose hits there. "
                        + "get() returns a long: keep the count in a long (or a LongAdder, an AtomicLong)",
                        field.getName(), article(field.getType().getSimpleName()), target);
            }
            slot.add(target - hits);
            if (counter.get() != target) {
                continue; // not the count (or not the only copy of it): nothing to learn from this field
            }
            for (int i = 0; i < more; i++) {
                counter.increment();
            }
            long got = counter.get();
            if (got == target + more) {
                if (wide) {
                    return null; // a field that holds every long is the count, and it went on past the limit
                }
                continue;
            }
            if (!wide && !isTheCount(field, hits)) {
                continue; // a field that stops following the count (the hits of a batch): moved by hand, it was
                          // put in a state the code never reaches
            }
            return String.format("after %,d hits, %,d more hits made get() return %,d instead of %,d: the count "
                    + "(field '%s', %s) cannot hold every count up to %,d, so it wrapped around or lost hits. get() "
                    + "returns a long: keep the count in a long (or a LongAdder, an AtomicLong)", target, more, got,
                    target + more, field.getName(), article(field.getType().getSimpleName()), target + more);
        }
        return null;
    }

    /** Whether {@code field} of {@code counter} holds every long exactly. */
    private static boolean holdsEveryLong(Field field, HitCounter counter) throws IllegalAccessException {
        Object value = field.get(counter);
        return field.getType() == long.class || field.getType() == Long.class || value instanceof AtomicLong
                || value instanceof LongAdder || value instanceof AtomicLongArray || value instanceof long[];
    }

    /** More real hits than any batch a right counter keeps apart (and fewer than a short or a char can hold). */
    private static final int FOLLOW = 1 << 22;

    /**
     * Whether {@code field} still equals the count after {@link #FOLLOW} more hits (fewer where its type holds
     * fewer) on a fresh counter that counted {@code hits} first: only then is it the count, which may be judged.
     */
    private static boolean isTheCount(Field field, int hits) throws IllegalAccessException {
        long room = switch (field.getType().getSimpleName()) {
            case "byte", "Byte" -> Byte.MAX_VALUE;
            case "short", "Short" -> Short.MAX_VALUE;
            case "char", "Character" -> Character.MAX_VALUE;
            default -> Long.MAX_VALUE;
        };
        int follow = (int) Math.max(0, Math.min(FOLLOW, room - hits - 1));
        HitCounter counter = counted(hits);
        for (int i = 0; i < follow; i++) {
            counter.increment();
        }
        return slot(field, counter, (long) hits + follow) != null;
    }

    private static String article(String noun) {
        return ("AEIOUaeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }

    private static HitCounter counted(int hits) {
        HitCounter counter = new HitCounter();
        for (int i = 0; i < hits; i++) {
            counter.increment();
        }
        return counter;
    }

    private static List<Field> instanceFields(Class<?> type) {
        List<Field> fields = new ArrayList<>();
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) && !f.isSynthetic()) {
                    fields.add(f);
                }
            }
        }
        return fields;
    }

    /** The slot {@code field} of {@code counter} is, if it holds exactly {@code hits}; else null. */
    private static Slot slot(Field field, Object counter, long hits) throws IllegalAccessException {
        if (!field.trySetAccessible()) {
            return null;
        }
        Class<?> type = field.getType();
        Object value = field.get(counter);
        Slot slot = null;
        if (type == long.class && !Modifier.isFinal(field.getModifiers())) {
            slot = new Slot() {
                public long read() throws IllegalAccessException {
                    return field.getLong(counter);
                }

                public void add(long delta) throws IllegalAccessException {
                    field.setLong(counter, field.getLong(counter) + delta);
                }
            };
        } else if (type == int.class && !Modifier.isFinal(field.getModifiers())) {
            slot = new Slot() {
                public long read() throws IllegalAccessException {
                    return field.getInt(counter);
                }

                public void add(long delta) throws IllegalAccessException {
                    field.setInt(counter, (int) (field.getInt(counter) + delta));
                }
            };
        } else if (NUMBER_TYPES.contains(type) && !Modifier.isFinal(field.getModifiers())) {
            slot = new Slot() {
                public long read() throws IllegalAccessException {
                    Object v = field.get(counter);
                    if (!(v instanceof Number n)) {
                        return v instanceof Character c ? c : Long.MIN_VALUE;
                    }
                    double d = n.doubleValue();
                    return d == Math.rint(d) && Math.abs(d) < 0x1p62 ? n.longValue() : Long.MIN_VALUE;
                }

                public void add(long delta) throws IllegalAccessException {
                    field.set(counter, boxed(type, read() + delta));
                }

                public boolean canHold(long v) {
                    Object b = boxed(type, v);
                    return b instanceof Character c ? c == v
                            : ((Number) b).longValue() == v && ((Number) b).doubleValue() == (double) v
                            && (!(b instanceof Double || b instanceof Float) || v < (1L << 53) && v > -(1L << 53));
                }
            };
        } else if (value instanceof AtomicLong atomic) {
            slot = new Slot() {
                public long read() {
                    return atomic.get();
                }

                public void add(long delta) {
                    atomic.addAndGet(delta);
                }
            };
        } else if (value instanceof AtomicInteger atomic) {
            slot = new Slot() {
                public long read() {
                    return atomic.get();
                }

                public void add(long delta) {
                    atomic.addAndGet((int) delta);
                }
            };
        } else if (value instanceof LongAdder adder) {
            slot = new Slot() {
                public long read() {
                    return adder.sum();
                }

                public void add(long delta) {
                    adder.add(delta);
                }
            };
        } else if (value instanceof AtomicLongArray array) {
            int at = onlyNonZero(array.length(), i -> array.get(i));
            slot = at < 0 ? null : new Slot() {
                public long read() {
                    return array.get(at);
                }

                public void add(long delta) {
                    array.addAndGet(at, delta);
                }
            };
        } else if (value instanceof AtomicIntegerArray array) {
            int at = onlyNonZero(array.length(), i -> array.get(i));
            slot = at < 0 ? null : new Slot() {
                public long read() {
                    return array.get(at);
                }

                public void add(long delta) {
                    array.addAndGet(at, (int) delta);
                }
            };
        } else if (value instanceof long[] array) {
            int at = onlyNonZero(array.length, i -> array[i]);
            slot = at < 0 ? null : new Slot() {
                public long read() {
                    return array[at];
                }

                public void add(long delta) {
                    array[at] += delta;
                }
            };
        } else if (value instanceof int[] array) {
            int at = onlyNonZero(array.length, i -> array[i]);
            slot = at < 0 ? null : new Slot() {
                public long read() {
                    return array[at];
                }

                public void add(long delta) {
                    array[at] += (int) delta;
                }
            };
        }
        return slot != null && slot.read() == hits ? slot : null;
    }

    /** Number-like field types other than a plain long or int, which a count could be kept in. */
    private static final List<Class<?>> NUMBER_TYPES = List.of(Long.class, Integer.class, Short.class, short.class,
            Byte.class, byte.class, Character.class, char.class, Double.class, double.class, Float.class, float.class);

    /** {@code v} as a value of {@code type} (which may wrap around or round it). */
    private static Object boxed(Class<?> type, long v) {
        if (type == Long.class) {
            return v;
        } else if (type == Integer.class) {
            return (int) v;
        } else if (type == Short.class || type == short.class) {
            return (short) v;
        } else if (type == Byte.class || type == byte.class) {
            return (byte) v;
        } else if (type == Character.class || type == char.class) {
            return (char) v;
        } else if (type == Double.class || type == double.class) {
            return (double) v;
        }
        return (float) v;
    }

    /** The index of the only element that is not zero, or -1. */
    private static int onlyNonZero(int length, java.util.function.IntToLongFunction element) {
        int found = -1;
        for (int i = 0; i < length; i++) {
            if (element.applyAsLong(i) != 0) {
                if (found >= 0) {
                    return -1;
                }
                found = i;
            }
        }
        return found;
    }
}

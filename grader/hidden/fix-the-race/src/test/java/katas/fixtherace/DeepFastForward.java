package katas.fixtherace;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAccumulator;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link FastForward} that looks further: it moves a {@link HitCounter}'s count on wherever the count is kept in
 * a holder this kit knows (plain and boxed numbers, whatever the field's declared type; AtomicLong, AtomicInteger,
 * LongAdder, LongAccumulator, DoubleAdder, DoubleAccumulator; an AtomicReference holding a number; long and int
 * arrays and atomic arrays), in the counter's own fields and one level down, in the fields of the objects of this
 * kata's package it keeps (directly or in an AtomicReference). A count it finds but cannot move on, in a holder
 * that is not sure to hold every long, fails ("cannot check the count's limits"): it does not pass unchecked. A
 * count kept only in holders of 64-bit whole numbers that it cannot move (a LongAccumulator of another function,
 * for one), or somewhere it does not look at all, still passes: right code may keep it there.
 */
final class DeepFastForward {

    /** One place a count can be kept: read it, and add to it. */
    private interface Slot {
        long read() throws ReflectiveOperationException;

        void add(long delta) throws ReflectiveOperationException;

        /** Whether this slot can hold {@code value} exactly. */
        default boolean canHold(long value) {
            return true;
        }
    }

    /** Where a count may be kept: a field of the counter, or a field of an object kept by one of its fields. */
    private record Place(Field outer, Field inner) {
        String describe() {
            return inner == null ? "field '" + outer.getName() + "'"
                    : "field '" + inner.getName() + "' of the " + inner.getDeclaringClass().getSimpleName()
                            + " in field '" + outer.getName() + "'";
        }

        /** The object holding the place's field in {@code counter}, or null. */
        Object owner(HitCounter counter) throws IllegalAccessException {
            if (inner == null) {
                return counter;
            }
            Object value = outer.get(counter);
            return value instanceof AtomicReference<?> ref ? ref.get() : value;
        }

        Field field() {
            return inner == null ? outer : inner;
        }
    }

    private DeepFastForward() {
    }

    /**
     * Counts {@code hits} hits, moves the count on to {@code target}, counts {@code more} hits and returns null if
     * {@code get()} says {@code target + more}, else what went wrong (also when the count was found and could not
     * be moved on).
     */
    static String countPast(int hits, long target, int more) throws ReflectiveOperationException {
        List<Place> places = places(counted(hits));
        boolean checked = false;
        for (Place place : places) {
            HitCounter probe = counted(hits);
            if (slot(place, probe, hits) == null) {
                continue;
            }
            HitCounter counter = counted(hits);
            Slot slot = slot(place, counter, hits);
            if (slot == null) {
                continue;
            }
            String type = article(typeOf(place, counter));
            if (!slot.canHold(target)) {
                if (!tryAdd(slot, 1) || counter.get() != hits + 1) {
                    continue; // not the count
                }
                return String.format("rule 3: the count is kept in %s, %s, which cannot hold every count a long can "
                        + "(not %,d, for one), so it would wrap around or lose hits there. get() returns a long: keep "
                        + "the count in a long (or a LongAdder, an AtomicLong)", place.describe(), type, target);
            }
            if (!tryAdd(slot, target - hits) || counter.get() != target) {
                continue; // not the count (or not the only copy of it): nothing to learn from this place
            }
            checked = true;
            for (int i = 0; i < more; i++) {
                counter.increment();
            }
            long got = counter.get();
            if (got != target + more) {
                return String.format("rule 3: after %,d hits, %,d more hits made get() return %,d instead of %,d: "
                        + "the count (%s, %s) cannot hold every count up to %,d, so it wrapped around or lost hits. "
                        + "get() returns a long: keep the count in a long (or a LongAdder, an AtomicLong)",
                        target, more, got, target + more, place.describe(), type, target + more);
            }
        }
        if (checked) {
            return null;
        }
        // Nothing could be moved on: a place that counts the hits one by one, in a holder that may not hold every
        // long, is a count this test cannot check, which must not pass unchecked.
        for (Place place : places) {
            HitCounter counter = counted(hits);
            Object owner = place.owner(counter);
            if (owner == null || !place.field().trySetAccessible()) {
                continue;
            }
            Object before = place.field().get(owner);
            Long read = whole(before);
            if (read == null || read != hits || surelyLong(before, place.field().getType())) {
                continue;
            }
            counter.increment();
            Object ownerAfter = place.owner(counter);
            Long after = ownerAfter == null ? null : whole(place.field().get(ownerAfter));
            if (after != null && after == hits + 1) {
                return String.format("cannot check the count's limits: the count seems to be kept in %s, %s, which "
                        + "this test could not move on to %,d (rule 3: the count must go past 2,147,483,647 and past "
                        + "2^53 exactly). Keep the count in a long, an AtomicLong or a LongAdder", place.describe(),
                        article(typeOf(place, counter)), target);
            }
        }
        return null;
    }

    private static boolean tryAdd(Slot slot, long delta) {
        try {
            slot.add(delta);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false; // a field that cannot be written (of a record, for one)
        }
    }

    private static String typeOf(Place place, HitCounter counter) throws IllegalAccessException {
        Object owner = place.owner(counter);
        Object value = owner == null ? null : place.field().get(owner);
        String declared = place.field().getType().getSimpleName();
        if (value instanceof AtomicReference<?> ref && ref.get() != null) {
            return declared + " holding " + article(ref.get().getClass().getSimpleName());
        }
        return value != null && !place.field().getType().isPrimitive() && value.getClass() != place.field().getType()
                ? declared + " holding " + article(value.getClass().getSimpleName()) : declared;
    }

    private static String article(String noun) {
        return ("AEIOUaeiou".indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }

    /** The value of a plain or boxed number, an atomic or adder, or a reference holding a number, if whole. */
    private static Long whole(Object value) {
        if (value instanceof AtomicReference<?> ref) {
            value = ref.get();
        }
        if (value instanceof Character c) {
            return (long) c;
        }
        if (value instanceof Number n) {
            double d = n.doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 0x1p62 ? n.longValue() : null;
        }
        return null;
    }

    /** Whether a holder surely holds every long exactly (so a count kept there keeps rule 3). */
    private static boolean surelyLong(Object value, Class<?> type) {
        if (value instanceof AtomicReference<?> ref) {
            value = ref.get();
        }
        return type == long.class || value instanceof Long || value instanceof AtomicLong || value instanceof LongAdder
                || value instanceof LongAccumulator || value instanceof BigInteger;
    }

    private static HitCounter counted(int hits) {
        HitCounter counter = new HitCounter();
        for (int i = 0; i < hits; i++) {
            counter.increment();
        }
        return counter;
    }

    /** The counter's fields, then the fields of the objects of this kata's package it keeps. */
    private static List<Place> places(HitCounter sample) throws IllegalAccessException {
        List<Place> places = new ArrayList<>();
        List<Field> outer = instanceFields(HitCounter.class);
        for (Field f : outer) {
            places.add(new Place(f, null));
        }
        for (Field f : outer) {
            if (f.getType().isPrimitive() || !f.trySetAccessible()) {
                continue;
            }
            Object value = f.get(sample);
            if (value instanceof AtomicReference<?> ref) {
                value = ref.get();
            }
            if (value == null || value.getClass().isArray() || value instanceof HitCounter
                    || !value.getClass().getPackageName().equals(HitCounter.class.getPackageName())) {
                continue;
            }
            for (Field inner : instanceFields(value.getClass())) {
                places.add(new Place(f, inner));
            }
        }
        return places;
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

    /** The slot {@code place} is in {@code counter}, if it holds exactly {@code hits}; else null. */
    private static Slot slot(Place place, HitCounter counter, long hits) throws ReflectiveOperationException {
        Field field = place.field();
        Object owner = place.owner(counter);
        if (owner == null || !field.trySetAccessible()) {
            return null;
        }
        // A final field of the counter never changes, so it is no count; one of a kept object may be (an immutable
        // state replaced as a whole).
        boolean writable = !Modifier.isFinal(field.getModifiers()) || place.inner() != null;
        Class<?> type = field.getType();
        Object value = field.get(owner);
        Slot slot = null;
        if (type == long.class && writable) {
            slot = new Slot() {
                public long read() throws IllegalAccessException {
                    return field.getLong(owner);
                }

                public void add(long delta) throws IllegalAccessException {
                    field.setLong(owner, field.getLong(owner) + delta);
                }
            };
        } else if (type == int.class && writable) {
            slot = new Slot() {
                public long read() throws IllegalAccessException {
                    return field.getInt(owner);
                }

                public void add(long delta) throws IllegalAccessException {
                    field.setInt(owner, (int) (field.getInt(owner) + delta));
                }
            };
        } else if (writable && (PRIMITIVES.contains(type) || value != null && BOXES.contains(value.getClass()))) {
            Class<?> kind = type.isPrimitive() ? type : value.getClass();
            slot = new Slot() {
                public long read() throws IllegalAccessException {
                    Long v = whole(field.get(owner));
                    return v == null ? Long.MIN_VALUE : v;
                }

                public void add(long delta) throws IllegalAccessException {
                    field.set(owner, boxed(kind, read() + delta));
                }

                public boolean canHold(long v) {
                    return fits(kind, v);
                }
            };
        } else if (value instanceof AtomicReference<?> reference && reference.get() != null
                && BOXES.contains(reference.get().getClass())) {
            @SuppressWarnings("unchecked")
            AtomicReference<Object> ref = (AtomicReference<Object>) reference;
            Class<?> kind = ref.get().getClass();
            slot = new Slot() {
                public long read() {
                    Long v = whole(ref.get());
                    return v == null ? Long.MIN_VALUE : v;
                }

                public void add(long delta) {
                    ref.set(boxed(kind, read() + delta));
                }

                public boolean canHold(long v) {
                    return fits(kind, v);
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
        } else if (value instanceof LongAccumulator accumulator) {
            slot = new Slot() {
                public long read() {
                    return accumulator.get();
                }

                public void add(long delta) {
                    accumulator.accumulate(delta); // moves the count on only if it accumulates by adding
                }
            };
        } else if (value instanceof DoubleAdder adder) {
            slot = new Slot() {
                public long read() {
                    Long v = whole(adder);
                    return v == null ? Long.MIN_VALUE : v;
                }

                public void add(long delta) {
                    adder.add(delta);
                }

                public boolean canHold(long v) {
                    return fits(Double.class, v);
                }
            };
        } else if (value instanceof DoubleAccumulator accumulator) {
            slot = new Slot() {
                public long read() {
                    Long v = whole(accumulator);
                    return v == null ? Long.MIN_VALUE : v;
                }

                public void add(long delta) {
                    accumulator.accumulate(delta); // moves the count on only if it accumulates by adding
                }

                public boolean canHold(long v) {
                    return fits(Double.class, v);
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

    /** Primitive field types other than long and int that a count could be kept in. */
    private static final List<Class<?>> PRIMITIVES = List.of(short.class, byte.class, char.class, double.class,
            float.class);

    /** Boxed and big number classes a count could be kept in (in a field of any type, or an AtomicReference). */
    private static final List<Class<?>> BOXES = List.of(Long.class, Integer.class, Short.class, Byte.class,
            Character.class, Double.class, Float.class, BigInteger.class, BigDecimal.class);

    /** Whether a {@code kind} holds {@code v} exactly. */
    private static boolean fits(Class<?> kind, long v) {
        if (kind == BigInteger.class || kind == BigDecimal.class || kind == Long.class) {
            return true;
        }
        Object b = boxed(kind, v);
        return b instanceof Character c ? c == v
                : ((Number) b).longValue() == v && ((Number) b).doubleValue() == (double) v
                        && (!(b instanceof Double || b instanceof Float) || v < (1L << 53) && v > -(1L << 53));
    }

    /** {@code v} as a value of {@code type} (which may wrap around or round it). */
    private static Object boxed(Class<?> type, long v) {
        if (type == Long.class || type == long.class) {
            return v;
        } else if (type == Integer.class || type == int.class) {
            return (int) v;
        } else if (type == Short.class || type == short.class) {
            return (short) v;
        } else if (type == Byte.class || type == byte.class) {
            return (byte) v;
        } else if (type == Character.class || type == char.class) {
            return (char) v;
        } else if (type == Double.class || type == double.class) {
            return (double) v;
        } else if (type == BigInteger.class) {
            return BigInteger.valueOf(v);
        } else if (type == BigDecimal.class) {
            return BigDecimal.valueOf(v);
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

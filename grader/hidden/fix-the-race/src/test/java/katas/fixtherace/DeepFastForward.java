package katas.fixtherace;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * LongAdder, LongAccumulator, DoubleAdder, DoubleAccumulator; an AtomicReference holding a number; the elements of
 * arrays, atomic arrays and lists), found from the counter's fields down to any depth through the objects of this
 * kata's package, AtomicReferences, arrays and lists (each object once). Places that surely hold every long are
 * tried first; one that moves the count on, and from which the counter counts on past the limit, passes it. A count
 * it finds but cannot move on, in a holder that is not sure to hold every long, fails ("cannot check the count's
 * limits"): it does not pass unchecked. A place that is not sure to hold every long is judged only if it is the
 * count itself: it must still equal the count after a few million more real hits (right code may keep the hits of
 * a batch in an int and add full batches to a long; moved on by hand, such a place would be in a state the code
 * never reaches). A count kept only in holders of 64-bit whole numbers that it cannot move (a LongAccumulator of
 * another function, for one), or somewhere it does not look at all (a map), still passes: right code may keep it
 * there.
 */
final class DeepFastForward {

    /** A place a count may be kept, in one counter: read it, and add to it. */
    private interface Slot {
        long read() throws ReflectiveOperationException;

        void add(long delta) throws ReflectiveOperationException;
    }

    /** Where a value is kept: a field, an element, an AtomicReference's value. */
    private interface Ref {
        Object get() throws ReflectiveOperationException;

        void set(Object value) throws ReflectiveOperationException;
    }

    /**
     * A place found from a counter: its path from the counter's fields, the kind of number it holds (a primitive
     * or box class, or the holder's class), whether it surely holds every long, and its slot in that counter.
     */
    private record Cell(String path, String type, Class<?> kind, boolean wide, Slot slot) {
        String describe() {
            return path.indexOf('.') < 0 && path.indexOf('[') < 0 ? "field '" + path + "'"
                    : "place '" + path + "'";
        }

        long read() {
            try {
                return slot.read();
            } catch (ReflectiveOperationException | RuntimeException e) {
                return Long.MIN_VALUE;
            }
        }
    }

    /** How deep the search goes, and how many elements of one array or list it looks at. */
    private static final int DEPTH = 12;
    private static final int ELEMENTS = 4_096;

    /** More real hits than any batch a right counter keeps apart. */
    private static final int FOLLOW = 1 << 22;

    private DeepFastForward() {
    }

    /**
     * Counts {@code hits} hits, moves the count on to {@code target}, counts {@code more} hits and returns null if
     * {@code get()} says {@code target + more}, else what went wrong (also when the count was found and could not
     * be moved on).
     */
    static String countPast(int hits, long target, int more) throws ReflectiveOperationException {
        List<Cell> candidates = new ArrayList<>();
        List<Cell> smaller = new ArrayList<>();
        for (Cell cell : cells(counted(hits)).values()) {
            if (cell.read() == hits) {
                (cell.wide() ? candidates : smaller).add(cell); // those that hold every long first
            }
        }
        candidates.addAll(smaller);
        boolean checked = false;
        for (Cell found : candidates) {
            HitCounter counter = counted(hits);
            Cell cell = cells(counter).get(found.path());
            if (cell == null || cell.read() != hits) {
                continue;
            }
            String type = article(cell.type());
            if (!fits(cell.kind(), target)) {
                if (!tryAdd(cell.slot(), 1) || counter.get() != hits + 1 || !isTheCount(cell, hits)) {
                    continue; // not the count
                }
                return String.format("rule 3: the count is kept in %s, %s, which cannot hold every count a long can "
                        + "(not %,d, for one), so it would wrap around or lose hits there. get() returns a long: keep "
                        + "the count in a long (or a LongAdder, an AtomicLong)", cell.describe(), type, target);
            }
            if (!tryAdd(cell.slot(), target - hits) || counter.get() != target) {
                continue; // not the count (or not the only copy of it): nothing to learn from this place
            }
            for (int i = 0; i < more; i++) {
                counter.increment();
            }
            long got = counter.get();
            if (got == target + more) {
                if (cell.wide()) {
                    return null; // a place that holds every long is the count, and it went on past the limit
                }
                checked = true;
                continue;
            }
            if (!cell.wide() && !isTheCount(cell, hits)) {
                continue; // it stops following the count (the hits of a batch): moved by hand, it was put in a
                          // state the code never reaches
            }
            return String.format("rule 3: after %,d hits, %,d more hits made get() return %,d instead of %,d: "
                    + "the count (%s, %s) cannot hold every count up to %,d, so it wrapped around or lost hits. "
                    + "get() returns a long: keep the count in a long (or a LongAdder, an AtomicLong)",
                    target, more, got, target + more, cell.describe(), type, target + more);
        }
        if (checked) {
            return null;
        }
        // Nothing could be moved on: a place that counts the hits one by one, in a holder that may not hold every
        // long, is a count this test cannot check, which must not pass unchecked.
        for (Cell found : smaller) {
            HitCounter counter = counted(hits);
            Cell cell = cells(counter).get(found.path());
            if (cell == null || cell.read() != hits) {
                continue;
            }
            counter.increment();
            Cell after = cells(counter).get(found.path());
            if (after != null && after.read() == hits + 1 && isTheCount(cell, hits)) {
                return String.format("cannot check the count's limits: the count seems to be kept in %s, %s, which "
                        + "this test could not move on to %,d (rule 3: the count must go past 2,147,483,647 and past "
                        + "2^53 exactly). Keep the count in a long, an AtomicLong or a LongAdder", cell.describe(),
                        article(cell.type()), target);
            }
        }
        return null;
    }

    /**
     * A new counter that counted {@code hits} hits and whose count was then moved on to {@code target}, in a place
     * that surely holds every long and that goes on counting from there (one more hit makes {@code target + 1}), or
     * null when no such place was found (a count kept in batches, in a map, or where this class does not look):
     * then a test of the counter past {@code target} has nothing to run on.
     */
    static HitCounter movedOn(int hits, long target) throws ReflectiveOperationException {
        for (Cell found : cells(counted(hits)).values()) {
            if (!found.wide() || found.read() != hits) {
                continue;
            }
            HitCounter counter = counted(hits);
            Cell cell = cells(counter).get(found.path());
            if (cell == null || cell.read() != hits || !tryAdd(cell.slot(), target - 1 - hits)
                    || counter.get() != target - 1) {
                continue;
            }
            counter.increment();
            if (counter.get() == target) {
                return counter;
            }
        }
        return null;
    }

    /**
     * Whether the place of {@code cell} still equals the count after {@link #FOLLOW} more real hits (fewer where it
     * holds fewer) on a fresh counter that counted {@code hits} first: only then is it the count, which may be
     * judged.
     */
    private static boolean isTheCount(Cell cell, int hits) throws ReflectiveOperationException {
        long room = cell.kind() == byte.class || cell.kind() == Byte.class ? Byte.MAX_VALUE
                : cell.kind() == short.class || cell.kind() == Short.class ? Short.MAX_VALUE
                : cell.kind() == char.class || cell.kind() == Character.class ? Character.MAX_VALUE
                : cell.kind() == float.class || cell.kind() == Float.class ? 1L << 24
                : Long.MAX_VALUE;
        int follow = (int) Math.max(0, Math.min(FOLLOW, room - hits - 1));
        HitCounter counter = counted(hits);
        for (int i = 0; i < follow; i++) {
            counter.increment();
        }
        Cell now = cells(counter).get(cell.path());
        return now != null && now.read() == (long) hits + follow;
    }

    private static boolean tryAdd(Slot slot, long delta) {
        try {
            slot.add(delta);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false; // a field that cannot be written (of a record, for one)
        }
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

    /** Every place a count may be kept in {@code counter}, by path, in the order found. */
    private static Map<String, Cell> cells(HitCounter counter) throws ReflectiveOperationException {
        Map<String, Cell> cells = new LinkedHashMap<>();
        Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        seen.add(counter);
        fieldsOf(counter, "", true, 0, seen, cells);
        return cells;
    }

    private static void fieldsOf(Object owner, String path, boolean isCounter, int depth, Set<Object> seen,
            Map<String, Cell> cells) throws ReflectiveOperationException {
        for (Field field : instanceFields(owner.getClass())) {
            if (!field.trySetAccessible()) {
                continue;
            }
            // A final field of the counter never changes, so it is no count; one of a kept object may be (an
            // immutable state replaced as a whole).
            boolean writable = !isCounter || !Modifier.isFinal(field.getModifiers());
            Ref ref = new Ref() {
                public Object get() throws IllegalAccessException {
                    return field.get(owner);
                }

                public void set(Object value) throws IllegalAccessException {
                    field.set(owner, value);
                }
            };
            visit(ref, field.getType(), writable, path.isEmpty() ? field.getName() : path + "." + field.getName(),
                    depth, seen, cells);
        }
    }

    private static void visit(Ref ref, Class<?> declared, boolean writable, String path, int depth, Set<Object> seen,
            Map<String, Cell> cells) throws ReflectiveOperationException {
        Object value = ref.get();
        if (declared.isPrimitive()) {
            if (declared != boolean.class && writable) {
                cells.put(path, number(ref, declared, path));
            }
            return;
        }
        if (value == null) {
            return;
        }
        if (BOXES.contains(value.getClass())) {
            if (writable) {
                cells.put(path, number(ref, value.getClass(), path));
            }
            return;
        }
        Cell holder = holder(value, path);
        if (holder != null) {
            cells.put(path, holder);
            return;
        }
        if (depth >= DEPTH || !seen.add(value)) {
            return;
        }
        if (value instanceof AtomicReference<?> reference) {
            @SuppressWarnings("unchecked")
            AtomicReference<Object> atomic = (AtomicReference<Object>) reference;
            visit(new Ref() {
                public Object get() {
                    return atomic.get();
                }

                public void set(Object v) {
                    atomic.set(v);
                }
            }, Object.class, true, path + ".get()", depth + 1, seen, cells);
        } else if (value instanceof AtomicLongArray array) {
            for (int i = 0; i < Math.min(array.length(), ELEMENTS); i++) {
                int at = i;
                cells.put(path + "[" + i + "]", new Cell(path + "[" + i + "]", "AtomicLongArray element", long.class,
                        true, new Slot() {
                            public long read() {
                                return array.get(at);
                            }

                            public void add(long delta) {
                                array.addAndGet(at, delta);
                            }
                        }));
            }
        } else if (value instanceof AtomicIntegerArray array) {
            for (int i = 0; i < Math.min(array.length(), ELEMENTS); i++) {
                int at = i;
                cells.put(path + "[" + i + "]", new Cell(path + "[" + i + "]", "AtomicIntegerArray element",
                        int.class, false, new Slot() {
                            public long read() {
                                return array.get(at);
                            }

                            public void add(long delta) {
                                array.addAndGet(at, (int) delta);
                            }
                        }));
            }
        } else if (value.getClass().isArray()) {
            Class<?> component = value.getClass().getComponentType();
            for (int i = 0; i < Math.min(Array.getLength(value), ELEMENTS); i++) {
                int at = i;
                visit(new Ref() {
                    public Object get() {
                        return Array.get(value, at);
                    }

                    public void set(Object v) {
                        Array.set(value, at, v);
                    }
                }, component, true, path + "[" + i + "]", depth + 1, seen, cells);
            }
        } else if (value instanceof List<?> list) {
            @SuppressWarnings("unchecked")
            List<Object> elements = (List<Object>) list;
            for (int i = 0; i < Math.min(elements.size(), ELEMENTS); i++) {
                int at = i;
                visit(new Ref() {
                    public Object get() {
                        return elements.get(at);
                    }

                    public void set(Object v) {
                        elements.set(at, v);
                    }
                }, Object.class, true, path + "[" + i + "]", depth + 1, seen, cells);
            }
        } else if (!(value instanceof HitCounter)
                && value.getClass().getPackageName().equals(HitCounter.class.getPackageName())) {
            fieldsOf(value, path, false, depth + 1, seen, cells);
        }
    }

    /** A plain or boxed number of {@code kind} kept in {@code ref}, moved on by writing a new value there. */
    private static Cell number(Ref ref, Class<?> kind, String path) {
        boolean wide = kind == long.class || kind == Long.class || kind == BigInteger.class || kind == BigDecimal.class;
        return new Cell(path, kind.getSimpleName(), kind, wide, new Slot() {
            public long read() throws ReflectiveOperationException {
                Long v = whole(ref.get());
                return v == null ? Long.MIN_VALUE : v;
            }

            public void add(long delta) throws ReflectiveOperationException {
                ref.set(boxed(kind, read() + delta));
            }
        });
    }

    /** A holder of a number that is moved on through its own methods, or null. */
    private static Cell holder(Object value, String path) {
        String type = value.getClass().getSimpleName();
        if (value instanceof AtomicLong atomic) {
            return new Cell(path, type, long.class, true, new Slot() {
                public long read() {
                    return atomic.get();
                }

                public void add(long delta) {
                    atomic.addAndGet(delta);
                }
            });
        } else if (value instanceof AtomicInteger atomic) {
            return new Cell(path, type, int.class, false, new Slot() {
                public long read() {
                    return atomic.get();
                }

                public void add(long delta) {
                    atomic.addAndGet((int) delta);
                }
            });
        } else if (value instanceof LongAdder adder) {
            return new Cell(path, type, long.class, true, new Slot() {
                public long read() {
                    return adder.sum();
                }

                public void add(long delta) {
                    adder.add(delta);
                }
            });
        } else if (value instanceof LongAccumulator accumulator) {
            return new Cell(path, type, long.class, true, new Slot() {
                public long read() {
                    return accumulator.get();
                }

                public void add(long delta) {
                    accumulator.accumulate(delta); // moves the count on only if it accumulates by adding
                }
            });
        } else if (value instanceof DoubleAdder adder) {
            return new Cell(path, type, double.class, false, new Slot() {
                public long read() {
                    Long v = whole(adder.sum());
                    return v == null ? Long.MIN_VALUE : v;
                }

                public void add(long delta) {
                    adder.add(delta);
                }
            });
        } else if (value instanceof DoubleAccumulator accumulator) {
            return new Cell(path, type, double.class, false, new Slot() {
                public long read() {
                    Long v = whole(accumulator.get());
                    return v == null ? Long.MIN_VALUE : v;
                }

                public void add(long delta) {
                    accumulator.accumulate(delta); // moves the count on only if it accumulates by adding
                }
            });
        }
        return null;
    }

    /** The value of a plain or boxed number, if whole. */
    private static Long whole(Object value) {
        if (value instanceof Character c) {
            return (long) c;
        }
        if (value instanceof Number n) {
            double d = n.doubleValue();
            return d == Math.rint(d) && Math.abs(d) < 0x1p62 ? n.longValue() : null;
        }
        return null;
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

    /** Boxed and big number classes a count could be kept in (in a field of any type, an element, a reference). */
    private static final List<Class<?>> BOXES = List.of(Long.class, Integer.class, Short.class, Byte.class,
            Character.class, Double.class, Float.class, BigInteger.class, BigDecimal.class);

    /** Whether a {@code kind} holds {@code v} exactly. */
    private static boolean fits(Class<?> kind, long v) {
        if (kind == BigInteger.class || kind == BigDecimal.class || kind == Long.class || kind == long.class) {
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
}

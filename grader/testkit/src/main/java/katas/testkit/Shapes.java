package katas.testkit;

import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;
import org.opentest4j.AssertionFailedError;

/**
 * The shapes of a test, drawn at random from a seed: thread counts, sizes, names, orders, failure
 * types. Tests derived from a kata's rules draw every shape they use from here, so that each run
 * explores new shapes while any failure can be replayed exactly:
 *
 * <pre>{@code
 * @Test
 * void keepsEveryHit(Shapes shapes) {
 *     shapes.check(3, round -> {
 *         int threads = round.between("threads", 2, 12);
 *         int calls = round.between("calls each", 2_000, 20_000);
 *         ...
 *     });
 * }
 * }</pre>
 *
 * <p>Every value drawn is named and remembered. When a test fails, its message gains the shape it
 * failed with, the smallest shape {@link #check} could still make fail, and the seed with the
 * command that replays it. The seed is the configuration parameter (or system property)
 * {@value #SEED_PARAMETER}, which {@code ./grade --seed N} and {@code mvn -Dkatas.seed=N} set; without
 * it each run draws a new one. Each test gets its own stream, derived from the seed and its name, so
 * that running one test alone replays it too.
 */
public final class Shapes {

    /** The configuration parameter, or system property, that fixes the seed. */
    public static final String SEED_PARAMETER = "katas.seed";
    /** The configuration parameter naming the kata, for the replay command: the grader and the kata's pom set it. */
    public static final String KATA_PARAMETER = "katas.kata";

    /**
     * The configuration parameter that, set to {@code false}, stops {@link #check} looking for a smaller
     * failing shape: the self-check grading a mutant only asks whether a test fails, not how small.
     */
    public static final String SHRINK_PARAMETER = "katas.shrink";
    /** How many kinds of failure {@link #failure} draws from. */
    public static final int FAILURE_KINDS = 4;
    /** How long {@link #check} may spend looking for a smaller failing shape. */
    private static final long SHRINK_NANOS = 3_000_000_000L;
    private static final double[] SHRINK_SCALES = {1 / 16.0, 1 / 8.0, 1 / 4.0, 1 / 2.0};

    private final long seed;
    private final SplittableRandom random;
    private final double scale;
    private final Map<String, String> drawn = new LinkedHashMap<>();
    private String smallest;
    private boolean shrinks = true;
    private int failures;
    private int firstFailureKind;
    private String kata = "<kata>";

    Shapes(long seed, long stream) {
        this(seed, new SplittableRandom(seed ^ stream * 0x9E3779B97F4A7C15L), 1);
    }

    private Shapes(long seed, SplittableRandom random, double scale) {
        this.seed = seed;
        this.random = random;
        this.scale = scale;
    }

    /** Shapes from a given seed, for the testkit's own tests and for tools. */
    public static Shapes seeded(long seed) {
        return new Shapes(seed, 0);
    }

    /** The seed this run draws from. */
    public long seed() {
        return seed;
    }

    /** A whole number in {@code [min, max]}, remembered under {@code name}. */
    public int between(String name, int min, int max) {
        return (int) between(name, (long) min, max);
    }

    /** A whole number in {@code [min, max]}, remembered under {@code name}. */
    public long between(String name, long min, long max) {
        if (max < min) {
            throw new IllegalArgumentException(name + ": max " + max + " is below min " + min);
        }
        long value = min + (long) (random.nextDouble() * (max - min + 1.0));
        value = Math.min(max, Math.max(min, value));
        if (scale < 1) {
            value = min + Math.round((value - min) * scale);
        }
        return remember(name, value);
    }

    /** One of {@code options}, remembered under {@code name}. */
    @SafeVarargs
    public final <T> T oneOf(String name, T... options) {
        return oneOf(name, List.of(options));
    }

    /** One of {@code options}, remembered under {@code name}. */
    public <T> T oneOf(String name, List<T> options) {
        T value = options.get(random.nextInt(options.size()));
        drawn.put(name, String.valueOf(value));
        return value;
    }

    /** True with probability {@code p}, remembered under {@code name}. */
    public boolean chance(String name, double p) {
        boolean value = random.nextDouble() < p;
        drawn.put(name, String.valueOf(value));
        return value;
    }

    /** The items in a random order, remembered under {@code name}. */
    public <T> List<T> shuffled(String name, List<T> items) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            order.add(i);
        }
        for (int i = order.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            order.set(i, order.set(j, order.get(i)));
        }
        List<T> copy = new ArrayList<>(order.size());
        order.forEach(i -> copy.add(items.get(i)));
        drawn.put(name, copy.size() > 12 ? "(" + copy.size() + " shuffled)"
                // Items without a toString of their own (lambdas, say) would print as class@hash, which tells a
                // reader nothing and changes from run to run: their places in the given list say the same steadily.
                : copy.stream().allMatch(Shapes::saysWhatItIs) ? copy.toString() : "items " + order.stream()
                        .map(i -> String.valueOf(i + 1))
                        .collect(java.util.stream.Collectors.joining(", ", "", " of the list")));
        return copy;
    }

    private static boolean saysWhatItIs(Object item) {
        if (item == null) {
            return true;
        }
        String text = item.toString();
        String identity = item.getClass().getName() + "@" + Integer.toHexString(System.identityHashCode(item));
        return !text.equals(identity) && !item.getClass().isSynthetic() && !item.getClass().isHidden();
    }

    /**
     * A failure for a task or callback to throw: a {@code RuntimeException}, an {@code Error}, a checked
     * exception, or a {@code Throwable} that is neither an {@code Exception} nor an {@code Error} (throw the
     * last two with {@link Sneaky#raise}). The first kind is drawn at random, the next ones follow it in
     * turn, so that a round that draws {@link #FAILURE_KINDS} failures meets every kind whatever the seed:
     * code that lets one kind through is caught every run, not one run in four. Remembered under {@code name}.
     */
    public Throwable failure(String name, String message) {
        if (failures == 0) {
            firstFailureKind = random.nextInt(FAILURE_KINDS);
        }
        return failure(name, message, firstFailureKind + failures++);
    }

    /**
     * A failure of one kind, for a test whose catch depends on the kind and so must give each in turn
     * ({@code kind % FAILURE_KINDS}: 0 a {@code RuntimeException}, 1 an {@code Error}, 2 a checked
     * exception, 3 a bare {@code Throwable}, which code that catches {@code Exception | Error} lets
     * through). Remembered under {@code name}, like {@link #failure(String, String)}.
     */
    public Throwable failure(String name, String message, int kind) {
        Throwable failure = switch (Math.floorMod(kind, FAILURE_KINDS)) {
            case 0 -> new IllegalStateException(message);
            case 1 -> new KataError(message);
            case 2 -> new java.io.IOException(message);
            default -> new KataThrowable(message);
        };
        drawn.put(name, failure.getClass().getSimpleName());
        return failure;
    }

    /** A generator that draws what it likes from this seed, unremembered (for bulk data). */
    public Random random() {
        return new Random(random.nextLong());
    }

    /** What was drawn so far: "threads=7, calls each=13,417". */
    public String describe() {
        List<String> parts = new ArrayList<>();
        drawn.forEach((name, value) -> parts.add(name + "=" + value));
        return String.join(", ", parts);
    }

    /** The body of a {@link #check}: one round of a property, drawing its shapes from {@code round}. */
    @FunctionalInterface
    public interface Round {
        void run(Shapes round) throws Exception;
    }

    /**
     * Runs {@code rounds} rounds of a property, each with fresh shapes. When one fails, it looks (for at
     * most a few seconds) for the smallest shape that still fails, scaling every number drawn toward
     * its minimum, and throws the first failure with both shapes in its message.
     */
    public void check(int rounds, Round body) throws Exception {
        for (int r = 1; r <= rounds; r++) {
            long roundSeed = random.nextLong();
            Shapes round = new Shapes(seed, new SplittableRandom(roundSeed), 1);
            round.shrinks = shrinks;
            try {
                body.run(round);
            } catch (Throwable failure) {
                drawn.clear();
                drawn.put("round", r + " of " + rounds);
                drawn.putAll(round.drawn);
                smallest = shrinks ? shrink(body, roundSeed, round.describe()) : null;
                throw failure;
            }
        }
    }

    private static String shrink(Round body, long roundSeed, String failedShape) {
        long deadline = System.nanoTime() + SHRINK_NANOS;
        for (double s : SHRINK_SCALES) {
            if (System.nanoTime() > deadline) {
                break;
            }
            Shapes smaller = new Shapes(0, new SplittableRandom(roundSeed), s);
            try {
                body.run(smaller);
            } catch (Throwable alsoFails) {
                String shape = smaller.describe();
                return shape.equals(failedShape) ? null : shape;
            }
        }
        return null;
    }

    private long remember(String name, long value) {
        drawn.put(name, String.format(Locale.ROOT, "%,d", value));
        return value;
    }

    /** The lines a failure gains: its shape, a smaller one if found, and how to replay it. */
    String replayNote() {
        StringBuilder note = new StringBuilder();
        if (!drawn.isEmpty()) {
            note.append("shape: ").append(describe());
        }
        if (smallest != null) {
            note.append(note.isEmpty() ? "" : "\n").append("smallest shape that also failed: ").append(smallest);
        }
        note.append(note.isEmpty() ? "" : "\n").append("replay with seed ").append(seed).append(": ./grade --seed ")
                .append(seed).append(" ").append(kata).append(", or mvn -q test -pl exercises/").append(kata)
                .append(" -am -Dkatas.seed=").append(seed);
        return note.toString();
    }

    /** An Error for tasks to throw: the kind of failure that code catching only Exception lets through. */
    public static final class KataError extends Error {
        public KataError(String message) {
            super(message);
        }
    }

    /**
     * A throwable that is neither an Exception nor an Error: legal Java (any code may throw one sneakily),
     * and the kind that {@code catch (Exception | Error e)} lets through.
     */
    public static final class KataThrowable extends Throwable {
        public KataThrowable(String message) {
            super(message);
        }
    }

    /** Gives a test its {@link Shapes} and adds the shape and the seed to any failure of the test. */
    public static final class Extension implements ParameterResolver, TestExecutionExceptionHandler {

        private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Shapes.class);
        /** One seed per run (JVM), unless the configuration fixes it. */
        private static final long RUN_SEED = new java.security.SecureRandom().nextLong() & 0xFFFFFFFFFFFFL;

        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            Parameter p = parameter.getParameter();
            return p.getType() == Shapes.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return context.getStore(NAMESPACE).getOrComputeIfAbsent("shapes", key -> create(context), Shapes.class);
        }

        private static Shapes create(ExtensionContext context) {
            long seed = context.getConfigurationParameter(SEED_PARAMETER).map(Extension::parse).orElse(RUN_SEED);
            Shapes shapes = new Shapes(seed, context.getUniqueId().hashCode());
            shapes.shrinks = !context.getConfigurationParameter(SHRINK_PARAMETER).map("false"::equals).orElse(false);
            context.getConfigurationParameter(KATA_PARAMETER).filter(id -> id.matches("[a-z0-9-]+"))
                    .ifPresent(id -> shapes.kata = id);
            return shapes;
        }

        private static long parse(String text) {
            try {
                return Long.parseLong(text.strip());
            } catch (NumberFormatException notANumber) {
                throw new IllegalArgumentException(SEED_PARAMETER + " must be a whole number, was \"" + text + "\"");
            }
        }

        @Override
        public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
            Shapes shapes = context.getStore(NAMESPACE).get("shapes", Shapes.class);
            if (shapes == null) {
                throw failure;
            }
            throw withNote(failure, shapes.replayNote());
        }

        static Throwable withNote(Throwable failure, String note) {
            if (failure instanceof AssertionError) {
                AssertionFailedError noted = new AssertionFailedError(failure.getMessage() + "\n" + note,
                        failure.getCause());
                noted.setStackTrace(failure.getStackTrace());
                return noted;
            }
            failure.addSuppressed(new Replay(note));
            return failure;
        }
    }

    /** Carries the replay note of a failure that is not an assertion, as a suppressed exception. */
    public static final class Replay extends RuntimeException {
        Replay(String note) {
            super(note, null, false, false);
        }
    }
}

package katas.grader.perf;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import katas.testkit.perf.SpeedupWorkload;

/**
 * Measures a workload inside the fork: one warm-up pair on {@code input(0)}, then up to {@code pairs}
 * timed pairs on fresh inputs, the order of baseline and candidate alternating so that neither
 * always runs on a warmer machine. Every candidate answer is checked against the baseline's.
 *
 * <p>It stops early only when the score is already decided. After {@value #CLEAR_PAIRS} pairs: both
 * ratios agree within {@code AGREEMENT} and clear the target (or fall below 1x) by more than that
 * margin; the median of a third pair could not change sides then. After {@value #MIN_PAIRS} pairs or
 * more: at least {@value #MIN_PAIRS} ratios, and more than half of them, lie within {@code AGREEMENT}
 * of the median, and all of those are at or above the target (full points) or at or below 1x
 * (none). A correct solution is graded within seconds; a speedup between 1x and the target, where
 * every hundredth of a ratio is worth points, gets every pair.
 *
 * <p>A near miss, a median short of the target by less than {@code AGREEMENT}, gets as many pairs again,
 * and the median of them all counts. A quiet machine now and then runs a whole measurement a few percent
 * slow (the reference of parallel-primes, 1.76x to 1.83x in quiet runs, once measured 1.69x against its
 * 1.70x target): more pairs let a right solution's usual speed show, and give a solution whose usual
 * speed is short of the target no second chance, only a steadier median.
 *
 * <p>After the warm-up, unless {@code KATA_CORES} fixes the cores, a short calibration
 * ({@link ParallelCapacity}) measures how many cores' worth of parallel work the machine delivers;
 * the target ({@link SpeedupTarget}) never counts more. A speedup short of the target is calibrated
 * again after the pairs, and the lower reading counts: the probe keeps its least disturbed rounds, so
 * a machine busy in bursts (other jobs starting and stopping) can read idle before the pairs and run
 * them at half speed; it then says "not measurable" rather than blame the code.
 *
 * <p>The candidate runs in a thread of its own with a bound of {@value #SLOWDOWN_BOUND}x the
 * baseline's time: a "thread per number" solution must end as "too slow", not hang the kata.
 */
public final class SpeedupMeter {

    static final int SLOWDOWN_BOUND = 4;
    static final int CLEAR_PAIRS = 2;
    static final int MIN_PAIRS = 3;
    static final double AGREEMENT = 0.08;
    private static final Duration MINIMUM_BOUND = Duration.ofSeconds(3);

    /** Reads a clock in nanoseconds; the machine's own, or a virtual one in the meter's tests. */
    @FunctionalInterface
    public interface Stopwatch {
        long nanoTime();
    }

    /** How many cores' worth of parallel work the machine delivers to {@code threads} threads. */
    @FunctionalInterface
    public interface CapacityProbe {
        double measure(int threads) throws InterruptedException;
    }

    private final Stopwatch clock;
    private final CapacityProbe probe;

    /** A meter on the machine's clock, calibrated with {@link ParallelCapacity}. */
    public SpeedupMeter() {
        this(System::nanoTime, threads -> new ParallelCapacity().measure(threads));
    }

    SpeedupMeter(Stopwatch clock, CapacityProbe probe) {
        this.clock = clock;
        this.probe = probe;
    }

    /**
     * Measures {@code workload} with up to {@code pairs} timed pairs.
     *
     * @param assumedCores {@code KATA_CORES}, or 0 to count the cores present (and calibrate)
     */
    public <I, A> Measurement measure(SpeedupWorkload<I, A> workload, int pairs, double targetPerCore,
            int assumedCores) {
        int cores = Runtime.getRuntime().availableProcessors();
        int parallelism = workload.parallelism();
        double capacity = 0;
        double target = 0;
        String described = "";
        List<Double> ratios = new ArrayList<>();
        double baselineTotal = 0;
        double candidateTotal = 0;
        long slowestBaseline = 0;
        int last = pairs;
        try {
            for (int trial = 0; trial <= last; trial++) {
                I input = workload.input(trial);
                described = workload.describe(input);
                Timed<A> base;
                Timed<A> mine;
                if (trial % 2 == 0) {
                    base = time(() -> workload.baseline(input));
                    slowestBaseline = Math.max(slowestBaseline, base.nanos());
                    mine = timeCandidate(workload, input, slowestBaseline);
                } else {
                    mine = timeCandidate(workload, input, slowestBaseline);
                    base = time(() -> workload.baseline(input));
                    slowestBaseline = Math.max(slowestBaseline, base.nanos());
                }
                if (!Objects.equals(base.answer(), mine.answer())) {
                    return failed(described, ratios, cores, parallelism, capacity, "your version answered "
                            + mine.answer() + " but the sequential baseline answered " + base.answer() + " on "
                            + described + " (a race in how results are combined?)");
                }
                if (trial == 0) {
                    if (assumedCores == 0) {
                        capacity = probe.measure(Math.min(cores, parallelism));
                    }
                    target = SpeedupTarget.of(targetPerCore, cores, assumedCores, parallelism, capacity).speedup();
                }
                if (trial > 0) {
                    ratios.add((double) base.nanos() / Math.max(1, mine.nanos()));
                    baselineTotal += base.nanos() / 1e6;
                    candidateTotal += mine.nanos() / 1e6;
                    if (decided(ratios, target)) {
                        break;
                    }
                    if (trial == last && last == pairs && nearMiss(ratios, target)) {
                        last = 2 * pairs;
                    }
                }
            }
        } catch (TooSlow slow) {
            double calibrated = assumedCores == 0 && capacity == 0 ? calibrate(Math.min(cores, parallelism)) : capacity;
            return failed(described, ratios, cores, parallelism, calibrated, slow.getMessage());
        } catch (Exception | Error failure) {
            Throwable cause = failure instanceof ExecutionException e && e.getCause() != null ? e.getCause() : failure;
            return failed(described, ratios, cores, parallelism, capacity, "your version threw " + cause + " on "
                    + described);
        }
        double speedup = median(ratios);
        if (capacity > 0 && speedup < target) {
            capacity = Math.min(capacity, calibrate(Math.min(cores, parallelism)));
        }
        return new Measurement(described, List.copyOf(ratios), speedup, baselineTotal / ratios.size(),
                candidateTotal / ratios.size(), null, cores, parallelism, capacity);
    }

    /** True when more pairs could not change the score: see the class comment. */
    static boolean decided(List<Double> ratios, double target) {
        if (ratios.size() == CLEAR_PAIRS && close(ratios).size() == CLEAR_PAIRS) {
            return ratios.stream().allMatch(r -> r >= target * (1 + AGREEMENT))
                    || ratios.stream().allMatch(r -> r <= 1 - AGREEMENT);
        }
        List<Double> close = close(ratios);
        if (close.size() < MIN_PAIRS || close.size() * 2 <= ratios.size()) {
            return false;
        }
        return close.stream().allMatch(r -> r >= target) || close.stream().allMatch(r -> r <= 1);
    }

    /** True when the median falls short of the target by less than {@link #AGREEMENT}: see the class comment. */
    static boolean nearMiss(List<Double> ratios, double target) {
        double median = median(ratios);
        return median < target && median >= target * (1 - AGREEMENT);
    }

    /** The ratios within {@link #AGREEMENT} of the median, relative to it. */
    private static List<Double> close(List<Double> ratios) {
        double median = median(ratios);
        return ratios.stream().filter(r -> Math.abs(r - median) <= AGREEMENT * median).toList();
    }

    /**
     * The calibration a too-slow candidate gets when it came before the first one: "too slow" is a judgment of
     * time, and on a machine too busy to run work in parallel it says nothing about the code; the calibration
     * lets the score say so (not measurable) instead of a zero.
     */
    private double calibrate(int threads) {
        try {
            return probe.measure(threads);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    private <I, A> Timed<A> timeCandidate(SpeedupWorkload<I, A> workload, I input, long baselineNanos)
            throws Exception {
        long boundNanos = Math.max(MINIMUM_BOUND.toNanos(), SLOWDOWN_BOUND * baselineNanos);
        CompletableFuture<Timed<A>> result = new CompletableFuture<>();
        Thread runner = Thread.ofPlatform().daemon(true).name("speedup-candidate").start(() -> {
            try {
                result.complete(time(() -> workload.candidate(input)));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get(boundNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException slow) {
            runner.interrupt();
            throw new TooSlow(String.format("your version took more than %d times as long as the sequential "
                    + "baseline (%.0f ms) on %s: it is slower than running on one thread; stopped measuring",
                    SLOWDOWN_BOUND, baselineNanos / 1e6, workload.describe(input)));
        }
    }

    private <A> Timed<A> time(Callable<A> work) throws Exception {
        System.gc();
        long start = clock.nanoTime();
        A answer = work.call();
        return new Timed<>(answer, clock.nanoTime() - start);
    }

    private static Measurement failed(String input, List<Double> ratios, int cores, int parallelism,
            double capacity, String why) {
        return new Measurement(input, List.copyOf(ratios), 0, 0, 0, why, cores, parallelism, capacity);
    }

    /** The median of {@code values}, 0 when there are none. */
    public static double median(List<Double> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private record Timed<A>(A answer, long nanos) {
    }

    private static final class TooSlow extends Exception {
        TooSlow(String message) {
            super(message);
        }
    }
}

package katas.grader.perf;

import java.util.List;

/**
 * A speedup measurement, made inside the fork.
 *
 * @param ratios baseline time / candidate time, one per timed pair
 * @param speedup the median of {@code ratios}; 0 when the candidate failed
 * @param failure why the measurement could not award anything (wrong answer, too slow, threw), or null
 * @param cores processors the fork's JVM saw
 * @param parallelism threads or processes the workload's candidate uses at most
 * @param capacity cores' worth of parallel work the calibration measured ({@link ParallelCapacity}),
 *     0 when it did not run
 */
public record Measurement(String input, List<Double> ratios, double speedup, double baselineMillis,
        double candidateMillis, String failure, int cores, int parallelism, double capacity) {

    /** A measurement without a calibration, its workload using every core. */
    public Measurement(String input, List<Double> ratios, double speedup, double baselineMillis,
            double candidateMillis, String failure, int cores) {
        this(input, ratios, speedup, baselineMillis, candidateMillis, failure, cores, cores, 0);
    }

    /** The spread of the ratios (max - min), 0 with fewer than two. */
    public double spread() {
        return ratios.size() < 2 ? 0
                : ratios.stream().mapToDouble(Double::doubleValue).max().orElse(0)
                        - ratios.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }
}

package katas.grader.perf;

import java.util.List;

/**
 * A speedup measurement, made inside the fork.
 *
 * @param ratios baseline time / candidate time, one per timed pair
 * @param speedup the median of {@code ratios}; 0 when the candidate failed
 * @param failure why the measurement could not award anything (wrong answer, too slow, threw), or null
 * @param cores processors the fork's JVM saw
 */
public record Measurement(String input, List<Double> ratios, double speedup, double baselineMillis,
        double candidateMillis, String failure, int cores) {

    /** The spread of the ratios (max - min), 0 with fewer than two. */
    public double spread() {
        return ratios.size() < 2 ? 0
                : ratios.stream().mapToDouble(Double::doubleValue).max().orElse(0)
                        - ratios.stream().mapToDouble(Double::doubleValue).min().orElse(0);
    }
}

package katas.grader.scoring;

import katas.grader.perf.Measurement;

/**
 * A measured speedup set against its target.
 *
 * @param cores the cores the target assumes (KATA_CORES, or what the JVM saw)
 * @param target the speedup that earns full points: targetPerCore x cores
 */
public record SpeedupVerdict(Measurement measurement, int cores, double target) {

    /** Points earned out of {@code points}: none at 1x or below, all at the target, linear between. */
    public double score(int points) {
        if (measurement.failure() != null || target <= 1) {
            return 0;
        }
        double fraction = (measurement.speedup() - 1) / (target - 1);
        return points * Math.max(0, Math.min(1, fraction));
    }

    /** One line: "1.93x on 2 cores (target 1.80x, spread 0.08)". */
    public String summary() {
        if (measurement.failure() != null) {
            return measurement.failure();
        }
        return String.format(java.util.Locale.ROOT, "%.2fx on %d cores (target %.2fx, spread %.2f over %d pairs)",
                measurement.speedup(), cores, target, measurement.spread(), measurement.ratios().size());
    }
}

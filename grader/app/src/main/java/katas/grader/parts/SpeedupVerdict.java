package katas.grader.parts;

import java.util.Locale;
import katas.grader.perf.Measurement;
import katas.grader.perf.SpeedupTarget;

/**
 * A measured speedup set against its target.
 *
 * @param goal the target and the cores it counts
 */
public record SpeedupVerdict(Measurement measurement, SpeedupTarget goal) {

    /** The speedup that earns full points. */
    public double target() {
        return goal.speedup();
    }

    /** Points earned out of {@code points}: none at 1x or below, all at the target, linear between (rounded down). */
    public int score(int points) {
        if (measurement.failure() != null || target() <= 1) {
            return 0;
        }
        return Points.fraction(points, (measurement.speedup() - 1) / (target() - 1));
    }

    /** One line: "1.93x on 2 cores (target 1.80x, spread 0.08 over 3 pairs)". */
    public String summary() {
        if (measurement.failure() != null) {
            return measurement.failure();
        }
        return String.format(Locale.ROOT, "%.2fx on %s (target %.2fx, spread %.2f over %d pairs)",
                measurement.speedup(), goal.basis(), target(), measurement.spread(), measurement.ratios().size());
    }
}

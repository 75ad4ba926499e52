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

    /**
     * A speedup above this many times the processors present cannot come from doing the same work on more cores
     * (red team D: a counter that remembered answers between timed runs measured 99.89x on 2 cores, one that spotted
     * the workload's predicate and sieved 69.63x). The headroom covers noise and cache effects, never a trick.
     */
    static final double BEYOND_THE_CORES = 1.5;

    /** Whether the measured speedup is more than the processors present can give: the work was not the same. */
    public boolean beyondTheCores() {
        return measurement.failure() == null && measurement.speedup() > ceiling();
    }

    private double ceiling() {
        return BEYOND_THE_CORES * Math.max(1, measurement.cores());
    }

    /** The speedup that earns full points. */
    public double target() {
        return goal.speedup();
    }

    /** Points earned out of {@code points}: none at 1x or below, all at the target, linear between (rounded down). */
    public int score(int points) {
        if (measurement.failure() != null || target() <= 1 || beyondTheCores()) {
            return 0;
        }
        return Points.fraction(points, (measurement.speedup() - 1) / (target() - 1));
    }

    /** One line: "1.93x on 2 cores (target 1.80x, spread 0.08 over 3 pairs)". */
    public String summary() {
        if (measurement.failure() != null) {
            return measurement.failure();
        }
        if (beyondTheCores()) {
            return String.format(Locale.ROOT, "measured %.2fx on %d cores, more than %d cores can give by doing the "
                    + "same work at once (at most about %.1fx): the timed count must do all the work of the sequential "
                    + "one, asking for every answer each time and remembering none from an earlier count, so no "
                    + "speedup points", measurement.speedup(), measurement.cores(), measurement.cores(), ceiling());
        }
        return String.format(Locale.ROOT, "%.2fx on %s (target %.2fx, spread %.2f over %d pairs)",
                measurement.speedup(), goal.basis(), target(), measurement.spread(), measurement.ratios().size());
    }
}

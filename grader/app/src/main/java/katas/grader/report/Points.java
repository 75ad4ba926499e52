package katas.grader.report;

import java.util.Locale;

/** Points as people write them: 40, 37.5. */
public final class Points {

    private Points() {
    }

    public static String format(double points) {
        return Math.abs(points - Math.rint(points)) < 0.05 ? String.valueOf((long) Math.rint(points))
                : String.format(Locale.ROOT, "%.1f", points);
    }
}

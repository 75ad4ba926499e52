package katas.grader.parts;

/**
 * The one rule for points: they are whole numbers, and a share of a part is rounded down. So the
 * parts of a kata, the katas of a grade, and every report built from them (console, results.json,
 * JUnit XML, Classroom) add up exactly, and full points mean that nothing at all was missed.
 */
public final class Points {

    private Points() {
    }

    /** {@code points} shared by {@code earned} of {@code of}: 40 for 7 of 9 tests is 31. */
    public static int share(int points, long earned, long of) {
        if (of <= 0 || earned <= 0) {
            return 0;
        }
        return (int) (points * Math.min(earned, of) / of);
    }

    /** Below this a product counts as the whole number above it: 0.49999999999999994 x 30 is 15, not 14. */
    private static final double FLOATING_NOISE = 1e-9;

    /**
     * {@code points} times {@code fraction} (clamped to 0..1), rounded down; all of them only for a
     * fraction of 1 or more, however close a smaller one comes.
     */
    public static int fraction(int points, double fraction) {
        if (!(fraction > 0)) {
            return 0;
        }
        if (fraction >= 1) {
            return points;
        }
        return (int) Math.min(points - 1, Math.floor(points * fraction + FLOATING_NOISE));
    }

    /** The status of {@code earned} out of {@code points} that count. */
    public static PartStatus status(int earned, int points) {
        return earned >= points ? PartStatus.FULL : earned > 0 ? PartStatus.PARTIAL : PartStatus.NONE;
    }
}

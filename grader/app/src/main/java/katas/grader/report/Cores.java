package katas.grader.report;

/** How reports speak of the core count, and what they warn on a single core. */
public final class Cores {

    /**
     * On one core threads take turns instead of running at once: stress tests then rarely see a
     * lost update or a lock-order deadlock (measured: a racy counter passed every one-core run),
     * so a pass there proves much less. Learners and instructors should know it from the report.
     */
    public static final String ONE_CORE_WARNING = "Only 1 core here: threads take turns instead of running at "
            + "once, so races and deadlocks rarely show and a passing stress test proves little. Grade on 2 or "
            + "more cores (speedup cannot be measured on one).";

    private Cores() {
    }

    /** "1 core", "2 cores". */
    public static String count(int cores) {
        return cores + (cores == 1 ? " core" : " cores");
    }
}

package katas.grader.execution;

/** How one test ended. Only {@link #PASSED} earns points. */
public enum TestStatus {
    PASSED,
    FAILED,
    /** It hung: HangGuard or the fork's guard stopped it at its bound. */
    TIMED_OUT,
    /** It broke a limit: threads, processes, output. */
    LIMIT_EXCEEDED,
    /** The JVM ended while it ran: System.exit, a crash, a kill. */
    CRASHED,
    /** It never ran: the kata ran out of time or its JVM could not be restarted. */
    NOT_RUN
}

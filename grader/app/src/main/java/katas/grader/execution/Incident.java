package katas.grader.execution;

/**
 * Something that ended a fork early, in the learner's terms.
 *
 * @param kind HANG, THREADS, PROCESSES, EXIT, MEMORY, DEADLINE, OUTPUT, CRASH, KILLED
 * @param testName the test that was running, or null
 */
public record Incident(String kind, String testName, String message) {

    /** The status a test gets when this incident happens while it runs. */
    public TestStatus statusOfTest() {
        return switch (kind) {
            case "HANG", "DEADLINE", "KILLED" -> TestStatus.TIMED_OUT;
            case "THREADS", "PROCESSES", "OUTPUT" -> TestStatus.LIMIT_EXCEEDED;
            default -> TestStatus.CRASHED;
        };
    }
}

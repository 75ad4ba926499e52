package katas.grader.execution;

import katas.grader.fork.IncidentKind;

/**
 * Something that ended a fork early, or made its grade untrustworthy, in the learner's terms.
 *
 * @param testName the test that was running, or null
 */
public record Incident(IncidentKind kind, String testName, String message) {

    /** The status a test gets when this incident happens while it runs. */
    public TestStatus statusOfTest() {
        return switch (kind) {
            case HANG, DEADLINE, KILLED -> TestStatus.TIMED_OUT;
            case THREADS, PROCESSES, OUTPUT -> TestStatus.LIMIT_EXCEEDED;
            case EXIT, MEMORY, CRASH, TAMPERED -> TestStatus.CRASHED;
        };
    }
}

package katas.grader.fork;

/** How a test ended, as the fork saw it. */
public enum TestOutcome {
    PASSED,
    FAILED,
    /** An assumption did not hold, or the test was skipped: it earns nothing either. */
    ABORTED,
    /** It printed more than the kata's limit per test. */
    OUTPUT
}

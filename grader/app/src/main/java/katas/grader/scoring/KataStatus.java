package katas.grader.scoring;

/** How grading a kata went, whatever its score. */
public enum KataStatus {
    GRADED,
    /** The code under grading does not compile: no test could run. */
    DOES_NOT_COMPILE,
    /** The kata's manifest or files could not be read. */
    INVALID,
    /** The grader itself failed on this kata; the message says where. */
    ERROR,
    /** The code under grading changed files the grader relies on: nothing it earned can be trusted. */
    TAMPERED,
    /**
     * The code under grading breaks the rule every kata shares: it could behave differently under the
     * tests than anywhere else (it looks at its callers, uses reflection...). No test ran.
     */
    REFUSED
}

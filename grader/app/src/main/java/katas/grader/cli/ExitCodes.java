package katas.grader.cli;

/** Every exit code of {@code ./grade}, listed in {@code --help}. */
public final class ExitCodes {

    /** Graded, whatever the score (plain {@code ./grade}); done (the other commands); at full marks ({@code check}). */
    public static final int GRADED = 0;
    /** The self-check found a kata that breaks the kata contract. */
    public static final int BROKEN_PROMISE = 1;
    /** {@code ./grade check}: a kata is not at full marks. The same code: "what was checked did not pass". */
    public static final int NOT_FULL_MARKS = 1;
    /** A bad option, an unknown kata, a missing folder. */
    public static final int USAGE = 2;
    /** The grader itself failed; the message says where. */
    public static final int INTERNAL_ERROR = 3;
    /** What was asked cannot be done in this checkout ({@code reset} outside git); the message says what to do. */
    public static final int NOT_POSSIBLE_HERE = 4;

    private ExitCodes() {
    }
}

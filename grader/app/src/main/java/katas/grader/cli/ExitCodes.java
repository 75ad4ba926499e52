package katas.grader.cli;

/** Every exit code of {@code ./grade}, listed in {@code --help}. */
public final class ExitCodes {

    /** Graded, whatever the score. */
    public static final int GRADED = 0;
    /** The self-check found a kata that breaks the kata contract. */
    public static final int BROKEN_PROMISE = 1;
    /** A bad option, an unknown kata, a missing folder. */
    public static final int USAGE = 2;
    /** The grader itself failed; the message says where. */
    public static final int INTERNAL_ERROR = 3;

    private ExitCodes() {
    }
}

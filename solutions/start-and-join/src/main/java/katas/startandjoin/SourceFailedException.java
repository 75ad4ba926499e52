package katas.startandjoin;

/**
 * What {@link ReportBuilder#fetchAll} throws when a source failed: which source, and, as its cause,
 * exactly what that source threw. Given: do not change it. Immutable, so any thread may create it and
 * hand it to another.
 */
public class SourceFailedException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int source;

    /**
     * @param source the index of the failed source in the list given to {@code fetchAll}
     * @param cause what the source threw, as it is
     */
    public SourceFailedException(int source, Throwable cause) {
        super("source " + source + " failed: " + cause, cause);
        this.source = source;
    }

    /** The index of the failed source in the list given to {@code fetchAll}. */
    public int source() {
        return source;
    }
}

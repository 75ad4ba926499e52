package katas.grader.learner;

import java.time.Duration;

/**
 * Saves of a kata's sources, as {@link Watch} waits for them: {@link DirectoryEvents} on the disk, scripted
 * events in tests.
 */
public interface SourceEvents extends AutoCloseable {

    /** What a wait ended with. */
    enum Event {
        /** A source file was written, created or deleted. */
        CHANGED,
        /** Nothing happened in the time given. */
        QUIET,
        /** The events were closed (Ctrl-C): the watch ends. */
        CLOSED
    }

    /**
     * Waits for the next change.
     *
     * @param timeout how long at most; null for as long as it takes
     */
    Event await(Duration timeout) throws InterruptedException;

    /** Ends every wait, now and later, with {@link Event#CLOSED}; safe from any thread. */
    @Override
    void close();
}

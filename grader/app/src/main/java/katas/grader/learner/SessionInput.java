package katas.grader.learner;

import java.time.Duration;
import java.util.Optional;

/** The learner's lines during an interview: {@link ConsoleInput} on a terminal, scripted lines in tests. */
public interface SessionInput {

    /** What a wait ended with: a line (without its line break), nothing in the time given, or the end of the input. */
    record Line(Optional<String> text, boolean ended) {

        public static final Line TIMEOUT = new Line(Optional.empty(), false);
        public static final Line END = new Line(Optional.empty(), true);

        public static Line of(String text) {
            return new Line(Optional.of(text), false);
        }
    }

    /** Waits up to {@code timeout} for the next line. */
    Line next(Duration timeout) throws InterruptedException;
}

package katas.parallelprimes;

import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import katas.testkit.Shapes;

/**
 * The failures isPrime throws in the hidden tests: the testkit's three kinds (a RuntimeException, an
 * Error, a checked exception), and the exceptions the JDK's own concurrency classes use, which a
 * counter may mistake for its own signals: a CancellationException (a counter whose pieces stop
 * themselves with one must not skip it as "one of mine"), a CompletionException, an
 * InterruptedException thrown sneakily (a checked exception like any other: rule 6), and an
 * ExecutionException with a cause, thrown sneakily (a counter that digs through every
 * ExecutionException to its cause loses the very exception isPrime threw).
 */
final class Failures {

    static final List<String> KINDS = List.of("a RuntimeException", "an Error", "a checked exception",
            "a CancellationException", "a CompletionException", "an InterruptedException",
            "an ExecutionException with a cause");

    private Failures() {
    }

    /** A failure of the given kind (one of {@link #KINDS}). */
    static Throwable of(String kind, String message) {
        return switch (kind) {
            case "a RuntimeException" -> new IllegalStateException(message);
            case "an Error" -> new Shapes.KataError(message);
            case "a checked exception" -> new java.io.IOException(message);
            case "a CancellationException" -> new CancellationException(message);
            case "a CompletionException" -> new CompletionException(message, new IllegalStateException(message));
            case "an InterruptedException" -> new InterruptedException(message);
            case "an ExecutionException with a cause" -> new ExecutionException(message, new IllegalStateException(message));
            default -> throw new IllegalArgumentException(kind);
        };
    }

    /** A failure of a kind drawn at random: {@code Shapes.failure}'s kinds half the time, else the JDK's. */
    static Throwable draw(Shapes round, String name, String message) {
        return round.chance(name + " is one the JDK's concurrency classes use", 0.5)
                ? of(round.oneOf(name, KINDS.subList(3, KINDS.size())), message)
                : round.failure(name, message);
    }
}

package katas.testkit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/**
 * Every kind of failure that code may throw, one of each: the JVM's own errors (out of memory, a stack
 * overflow, an internal error, a class that fails to link or to initialize, ThreadDeath), errors and exceptions
 * of the application, checked exceptions thrown sneakily, and Throwables that are neither an Exception nor an
 * Error. Code that "goes on after anything" or reports "whatever was thrown" must do so for each of them, also
 * for those a careful programmer is tempted to let through ("never swallow an OutOfMemoryError").
 */
public final class EveryFailure {

    private EveryFailure() {
    }

    /** One failure of each kind, in an order drawn from {@code shapes}. */
    public static List<Throwable> shuffled(Shapes shapes, String name, String what) {
        return shapes.shuffled(name, all(what));
    }

    /** One failure of each kind, in a fixed order. */
    public static List<Throwable> all(String what) {
        List<Throwable> kinds = new ArrayList<>(List.of(
                new OutOfMemoryError(what + ": Java heap space"),
                new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource "
                        + "limits reached (" + what + ")"),
                new StackOverflowError(what + " recursed too deep"),
                new InternalError(what + ": internal error in a client library"),
                new UnknownError(what + ": unknown error"),
                new NoClassDefFoundError("could not initialize the client class of " + what),
                new ExceptionInInitializerError(new IllegalStateException(what + ": bad configuration")),
                new LinkageError(what + ": linkage error"),
                new Shapes.KataError(what + " failed with an Error of its own"),
                new AssertionError(what + " broke an assertion"),
                new IllegalStateException(what + " is down"),
                new CancellationException(what + " cancelled its own request"),
                new CompletionException(what + " failed", new IOException("connection reset")),
                new IOException(what + ": connection refused"),
                new TimeoutException(what + " timed out"),
                new Exception(what + " failed"),
                new Shapes.KataThrowable(what + " threw a Throwable that is neither an Exception nor an Error")));
        threadDeath().ifPresent(kinds::add);
        return kinds;
    }

    /**
     * A {@code ThreadDeath} (whose Javadoc asks whoever catches it to rethrow it), made by reflection because it is
     * deprecated for removal: empty once a JDK has none.
     */
    public static Optional<Throwable> threadDeath() {
        try {
            return Optional.of((Throwable) Class.forName("java.lang.ThreadDeath").getConstructor().newInstance());
        } catch (ReflectiveOperationException gone) {
            return Optional.empty();
        }
    }

    /** "OutOfMemoryError (Java heap space)": the kind, and its message, for a failure message. */
    public static String describe(Throwable failure) {
        return failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : " (" + failure.getMessage()
                + ")");
    }
}

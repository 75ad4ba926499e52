package katas.processpoolprimes;

import java.util.List;
import katas.testkit.Shapes;

/**
 * The ways a {@link ProbeWorker} can die in the middle of a request, as the test tells it to: every
 * one of them ends the worker's output without an answer, which is all the pool can see.
 */
final class Deaths {

    private Deaths() {
    }

    /**
     * A way to die, drawn at random: a crash with a drawn exit status, an exit with status 0, an
     * uncaught exception of a drawn kind (a RuntimeException, an Error or a checked one), and, when
     * {@code lingering}, closing its output while the process lives on (the pool must stop it).
     */
    static String draw(Shapes shapes, String name, boolean lingering) {
        List<String> kinds = lingering ? List.of("halt", "exit", "throw", "close-output") : List.of("halt", "exit", "throw");
        String kind = shapes.oneOf(name, kinds);
        return switch (kind) {
            case "halt" -> "halt " + shapes.oneOf(name + " exit status", 1, 3, 134);
            case "throw" -> "throw " + shapes.failure(name + " throws", "crash").getClass().getSimpleName();
            default -> kind;
        };
    }

    /** In the learner's words. */
    static String describe(String how) {
        String[] w = how.split(" ");
        return switch (w[0]) {
            case "halt" -> "crashed with exit status " + w[1];
            case "exit" -> "exited with status 0 without answering";
            case "throw" -> "died of an uncaught " + w[1];
            case "close-output" -> "closed its output and lived on";
            default -> how;
        };
    }
}

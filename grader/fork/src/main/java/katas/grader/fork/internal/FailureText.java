package katas.grader.fork.internal;

import java.util.Set;
import katas.testkit.Shapes;

/**
 * Turns a test's failure into one message in the learner's terms: the assertion's own words, or
 * what was thrown and where in the learner's code.
 */
final class FailureText {

    private static final int MAX_CHARS = 4_000;

    private final String learnerPackage;
    private final Set<String> testClasses;
    private final int heapMegabytes;

    FailureText(String learnerPackage, Set<String> testClasses, int heapMegabytes) {
        this.learnerPackage = learnerPackage == null ? "" : learnerPackage + ".";
        this.testClasses = testClasses;
        this.heapMegabytes = heapMegabytes;
    }

    String describe(Throwable failure) {
        String text;
        if (failure instanceof OutOfMemoryError oom) {
            text = "ran out of memory (" + oom.getMessage() + "): the kata's JVM has " + heapMegabytes
                    + " MB of heap" + where(failure);
        } else if (failure instanceof AssertionError) {
            text = withoutAssertjBrackets(String.valueOf(failure.getMessage()));
        } else {
            text = "threw " + failure.getClass().getName()
                    + (failure.getMessage() == null ? "" : ": " + failure.getMessage()) + where(failure);
        }
        text = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) + " [...]" : text;
        // A failure that is not an assertion carries its shape and seed as a suppressed note.
        for (Throwable suppressed : failure.getSuppressed()) {
            if (suppressed instanceof Shapes.Replay replay) {
                text += "\n" + replay.getMessage();
            }
        }
        return text;
    }

    /** AssertJ writes a description as "[what went wrong] \nexpected: ..."; the learner needs the words first. */
    static String withoutAssertjBrackets(String message) {
        int close = message.indexOf("] ");
        if (message.startsWith("[") && close > 0) {
            String rest = message.substring(close + 2).strip();
            return message.substring(1, close) + (rest.isEmpty() ? "" : "\n" + rest);
        }
        return message;
    }

    private String where(Throwable failure) {
        for (StackTraceElement frame : failure.getStackTrace()) {
            String cls = frame.getClassName();
            String topLevel = cls.contains("$") ? cls.substring(0, cls.indexOf('$')) : cls;
            if (cls.startsWith(learnerPackage) && !testClasses.contains(topLevel)) {
                return " (at " + frame.getFileName() + ":" + frame.getLineNumber() + ", in "
                        + cls.substring(cls.lastIndexOf('.') + 1) + "." + frame.getMethodName() + ")";
            }
        }
        return "";
    }
}

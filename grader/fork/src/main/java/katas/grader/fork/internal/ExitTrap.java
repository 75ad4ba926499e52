package katas.grader.fork.internal;

import java.util.Arrays;
import java.util.Map;
import katas.grader.fork.ForkEvent;
import katas.grader.fork.IncidentKind;

/**
 * A shutdown hook that runs only when the learner's code ends the JVM ({@code System.exit}):
 * the fork itself always leaves through {@code Runtime.halt}, which skips hooks. It tells the
 * grader which test was running and where the exit was called.
 */
final class ExitTrap {

    private ExitTrap() {
    }

    static void install(EventSender sender, ForkGuard guard) {
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("grader-exit-trap").unstarted(() -> {
            ForkGuard.killChildren();
            sender.send(new ForkEvent.Incident(IncidentKind.EXIT, guard.currentTest(), "called System.exit" + caller()
                    + ": that ends the whole JVM, so the grader had to restart it for the remaining tests"));
        }));
    }

    private static String caller() {
        for (Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet()) {
            StackTraceElement[] trace = entry.getValue();
            boolean exiting = Arrays.stream(trace).anyMatch(f -> f.getClassName().equals("java.lang.Shutdown")
                    && f.getMethodName().equals("exit"));
            if (exiting) {
                return Arrays.stream(trace)
                        .filter(f -> !f.getClassName().startsWith("java.") && !f.getClassName().startsWith("jdk."))
                        .findFirst().map(f -> " at " + f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1)
                                + "." + f.getMethodName() + "(" + f.getFileName() + ":" + f.getLineNumber() + ")")
                        .orElse("");
            }
        }
        return "";
    }
}

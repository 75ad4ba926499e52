package katas.grader.fork.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.TimeUnit;
import katas.grader.fork.ForkEvent;
import katas.grader.fork.IncidentKind;
import katas.grader.fork.ForkSpec;
import katas.testkit.ThreadDiagnosis;

/**
 * Watches the fork from inside, every few milliseconds: threads and child processes created by
 * the current test, the test's time, and the kata's deadline. On a breach it says what happened
 * in the learner's terms, stops the children, and halts the JVM; the grader goes on in a new fork.
 */
final class ForkGuard {

    private static final long POLL_MILLIS = 20;
    /** HangGuard fails a hung test at its bound; this only catches hangs outside a test body. */
    private static final long GRACE_MILLIS = 5_000;
    private static final long DEADLINE_MARGIN_MILLIS = 1_500;

    private final ForkSpec spec;
    private final EventSender sender;
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private volatile String currentTest;
    private volatile long testStartMillis;
    private volatile int threadsAtTestStart;
    private volatile boolean timed;

    ForkGuard(ForkSpec spec, EventSender sender) {
        this.spec = spec;
        this.sender = sender;
    }

    void start() {
        Thread watcher = Thread.ofPlatform().daemon(true).name("grader-fork-guard").unstarted(this::watch);
        watcher.setPriority(Thread.MAX_PRIORITY);
        watcher.start();
    }

    void testStarted(String id) {
        watch(id, true);
    }

    /** Watches threads and processes of a measurement, which has no per-test time bound. */
    void measurementStarted(String partId) {
        watch("speedup:" + partId, false);
    }

    private void watch(String id, boolean timed) {
        threadsAtTestStart = threads.getThreadCount();
        testStartMillis = System.currentTimeMillis();
        this.timed = timed;
        currentTest = id;
    }

    void testFinished() {
        currentTest = null;
    }

    String currentTest() {
        return currentTest;
    }

    private void watch() {
        int tick = 0;
        while (true) {
            try {
                TimeUnit.MILLISECONDS.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            tick++;
            String test = currentTest;
            long now = System.currentTimeMillis();
            if (test != null) {
                int created = threads.getThreadCount() - threadsAtTestStart;
                if (created > spec.maxThreads()) {
                    breach(IncidentKind.THREADS, test, "created more than " + spec.maxThreads() + " threads (" + created
                            + " alive at once): use a bounded pool instead of a thread per task");
                }
                if (timed && now - testStartMillis > spec.testSeconds() * 1000L + GRACE_MILLIS) {
                    breach(IncidentKind.HANG, test, "did not finish within " + spec.testSeconds() + " s. "
                            + ThreadDiagnosis.explain(userThreads()));
                }
            }
            if (tick % 2 == 0) {
                long children = ProcessHandle.current().descendants().count();
                if (children > spec.maxProcesses()) {
                    breach(IncidentKind.PROCESSES, test, "started more than " + spec.maxProcesses() + " child processes ("
                            + children + " alive at once)");
                }
            }
            if (now > spec.deadlineEpochMillis() - DEADLINE_MARGIN_MILLIS) {
                breach(IncidentKind.DEADLINE, test, "the kata ran out of its time. " + ThreadDiagnosis.explain(userThreads()));
            }
        }
    }

    private void breach(IncidentKind kind, String test, String message) {
        killChildren();
        try {
            sender.send(new ForkEvent.Incident(kind, test, message));
        } finally {
            Runtime.getRuntime().halt(3);
        }
    }

    /** Stops every process this JVM started, and theirs. */
    static void killChildren() {
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    }

    private static List<Thread> userThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getThreadGroup() == null || !"system".equals(t.getThreadGroup().getName()))
                .filter(t -> !t.getName().startsWith("grader-"))
                .toList();
    }
}

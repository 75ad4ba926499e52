package katas.processpoolprimes;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import katas.testkit.ThreadsLeftBehind;

/**
 * The processes a test started, as the operating system sees them: every process below this JVM
 * that was not there when the watch began. Closing the watch closes the pools it owns (with a
 * bound) and then kills whatever is still alive, so no test leaves a process behind, whatever
 * the pool under test does.
 */
final class ChildProcesses implements AutoCloseable {

    private final Set<Long> before;
    private final Set<ProcessHandle> seen = new LinkedHashSet<>();
    private final List<AutoCloseable> owned = new ArrayList<>();

    private ChildProcesses() {
        this.before = ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** Starts watching: processes alive now are not this test's. */
    static ChildProcesses watch() {
        return new ChildProcesses();
    }

    /** Hands {@code pool} to the watch, which closes it at the end of the test if the test did not. */
    <P extends AutoCloseable> P own(P pool) {
        owned.add(pool);
        return ThreadsLeftBehind.keptUntilChecked(pool);
    }

    /** The new processes alive now. */
    synchronized List<ProcessHandle> alive() {
        List<ProcessHandle> now = ProcessHandle.current().descendants()
                .filter(p -> !before.contains(p.pid()))
                .filter(ProcessHandle::isAlive)
                .toList();
        seen.addAll(now);
        return now;
    }

    /** Fails the test if any new process is still alive; {@code when} says at which point, e.g. "after close()". */
    void assertNoneAlive(String rule, String when) {
        List<ProcessHandle> alive = alive();
        if (!alive.isEmpty()) {
            throw new AssertionError(rule + ": " + alive.size() + " worker process(es) still running " + when + ": "
                    + describe(alive) + ". A worker left running is an orphan that holds memory (and maybe a core) "
                    + "until someone kills it");
        }
    }

    /**
     * Fails the test if any of {@code workers} is still alive at this very moment: for checks right
     * after close() returned, which must not give a killed worker time to finish dying.
     */
    static void assertAllExited(List<ProcessHandle> workers, String rule, String when) {
        List<ProcessHandle> alive = workers.stream().filter(ProcessHandle::isAlive).toList();
        if (!alive.isEmpty()) {
            throw new AssertionError(rule + ": " + alive.size() + " of the pool's " + workers.size()
                    + " worker process(es) were still running " + when + ": " + describe(alive) + ". close() must "
                    + "return only once every worker has exited: after destroyForcibly(), wait for the process to end "
                    + "(waitFor or onExit) before returning");
        }
    }

    /** Waits up to {@code bound} until no new process is alive; the ones still alive then. */
    List<ProcessHandle> awaitNoneAlive(Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        List<ProcessHandle> alive = alive();
        while (!alive.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            alive = alive();
        }
        return alive;
    }

    /** The pids of {@code processes}. */
    static java.util.Set<Long> pids(List<ProcessHandle> processes) {
        return processes.stream().map(ProcessHandle::pid).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    /** One line per process: its pid and its command line. */
    static String describe(List<ProcessHandle> processes) {
        return processes.stream().map(ChildProcesses::describe).collect(Collectors.joining("; "));
    }

    static String describe(ProcessHandle process) {
        String command = process.info().commandLine().orElse(process.info().command().orElse("?"));
        int mainClass = command.lastIndexOf("katas.processpoolprimes.");
        String shown = mainClass >= 0 ? command.substring(mainClass) : command;
        return "pid " + process.pid() + " (" + (shown.length() > 120 ? shown.substring(0, 120) + "..." : shown) + ")";
    }

    /**
     * Closes the owned pools (each bounded to 3 s: a test that cares about close() has called it
     * already), then kills every process the test started, in a few passes in case a pool started
     * a replacement meanwhile.
     */
    @Override
    public void close() {
        for (AutoCloseable pool : owned) {
            CompletableFuture<Object> closing = Within.start("close() at the end of the test", () -> {
                pool.close();
                return null;
            });
            try {
                closing.get(3, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // the test reports what close() did wrong; here we only clean up
            }
        }
        for (int pass = 0; pass < 3; pass++) {
            List<ProcessHandle> leftovers = new ArrayList<>(seen);
            leftovers.addAll(alive());
            leftovers.removeIf(p -> !p.isAlive());
            if (leftovers.isEmpty()) {
                return;
            }
            for (ProcessHandle process : leftovers) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            for (ProcessHandle process : leftovers) {
                try {
                    process.onExit().get(5, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // nothing more a test can do; the grader kills what remains of its fork
                }
            }
        }
    }

    /** Waits up to {@code bound} until at least {@code count} new processes are alive; returns them. */
    List<ProcessHandle> awaitAlive(int count, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        List<ProcessHandle> alive = alive();
        while (alive.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
            alive = alive();
        }
        return alive;
    }
}

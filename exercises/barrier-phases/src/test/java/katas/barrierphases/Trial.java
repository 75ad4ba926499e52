package katas.barrierphases;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import katas.testkit.ThreadEnd;

/**
 * One call of {@code run()} on a thread of its own (the caller), watched by the test: it reports what the
 * call returned or threw, which workers were still alive at that moment, and, when the call makes no
 * progress (every worker and the caller waiting, no cell computed) for a second, fails with what each
 * thread was doing instead of waiting for the test's bound.
 */
final class Trial implements AutoCloseable {

    private static final long STALL_NANOS = 1_000_000_000L;
    private static final long PATIENCE_NANOS = 10_000_000_000L;

    /** What run() did: the grid it returned or what it threw, and the workers alive when it did. */
    record Outcome(double[][] grid, Throwable thrown, List<String> alive, boolean interruptStatus) {
    }

    private final String what;
    private final Simulation simulation;
    private final double[][] initial;
    private final double[][] pristine;
    private final int phases;
    private final Probe probe;
    private volatile Outcome outcome;
    private Thread caller;

    Trial(String what, Simulation simulation, double[][] initial, int phases, Probe probe) {
        this.what = what;
        this.simulation = simulation;
        this.initial = initial;
        this.pristine = Heat.copy(initial);
        this.phases = phases;
        this.probe = probe;
    }

    Trial start() {
        return begin(false);
    }

    /** Starts the call with the caller's interrupt status already set. */
    Trial startInterrupted() {
        return begin(true);
    }

    private Trial begin(boolean interrupted) {
        caller = Thread.ofPlatform().daemon(true).name("caller of run()").unstarted(() -> {
            probe.caller(Thread.currentThread());
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            double[][] grid = null;
            Throwable thrown = null;
            try {
                grid = simulation.run(initial, phases);
            } catch (Throwable failure) {
                thrown = failure;
            }
            List<String> alive = new ArrayList<>();
            for (Thread worker : probe.workers()) {
                if (ThreadEnd.stillRuns(worker)) {
                    alive.add(Probe.name(worker) + " (" + worker.getState() + ")");
                }
            }
            outcome = new Outcome(grid, thrown, alive, Thread.currentThread().isInterrupted());
        });
        caller.start();
        return this;
    }

    void interruptCaller() {
        caller.interrupt();
    }

    /** Waits until {@code count} workers are blocked in the probe, or fails saying how far the run got. */
    void awaitBlocked(int count, String why) {
        long start = System.nanoTime();
        while (probe.everBlocked() < count && ThreadEnd.stillRuns(caller)) {
            if (System.nanoTime() - start > STALL_NANOS * 3) {
                throw new AssertionError(what + ": only " + probe.everBlocked() + " of " + count + " workers reached "
                        + "the phase where each one waits to be interrupted (" + probe.story() + "). " + why);
            }
            LockSupport.parkNanos(100_000);
        }
        assertThat(probe.everBlocked()).as(what + ": workers that reached the phase where each one waits to be "
                + "interrupted, before run() ended. " + why).isGreaterThanOrEqualTo(count);
    }

    /** Waits for the call to end; fails with an explanation if it stalls (no progress) or takes too long. */
    Outcome outcome(Supplier<String> expectation) {
        long start = System.nanoTime();
        long lastProgress = -1;
        long quietSince = start;
        while (ThreadEnd.stillRuns(caller)) {
            try {
                caller.join(10);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new AssertionError("the test was interrupted", interrupted);
            }
            long now = System.nanoTime();
            long progress = probe.progress();
            if (progress != lastProgress || !everyoneWaits()) {
                lastProgress = progress;
                quietSince = now;
            } else if (now - quietSince > STALL_NANOS) {
                throw new AssertionError(what + ": run() made no progress for a second, every thread waiting ("
                        + probe.story() + "). " + expectation.get() + "\n" + threads());
            }
            if (now - start > PATIENCE_NANOS) {
                throw new AssertionError(what + ": run() has not returned after 10 s (" + probe.story() + "). "
                        + expectation.get() + "\n" + threads());
            }
        }
        // A stub's UnsupportedOperationException("TODO ...") would otherwise surface as a count or a grid
        // that is wrong, blaming a rule the code has not tried yet.
        if (outcome.thrown() instanceof UnsupportedOperationException todo && todo.getMessage() != null
                && todo.getMessage().startsWith("TODO")) {
            throw new AssertionError(what + ": run() is not written yet: it threw UnsupportedOperationException \""
                    + todo.getMessage() + "\"", todo);
        }
        return outcome;
    }

    private boolean everyoneWaits() {
        for (Thread thread : threadsToWatch()) {
            Thread.State state = thread.getState();
            if (state == Thread.State.RUNNABLE || state == Thread.State.NEW) {
                return false;
            }
        }
        return true;
    }

    private List<Thread> threadsToWatch() {
        List<Thread> threads = new ArrayList<>(probe.workers());
        threads.add(caller);
        return threads;
    }

    private String threads() {
        StringBuilder dump = new StringBuilder("Threads:");
        for (Thread thread : threadsToWatch()) {
            dump.append("\n  ").append(Probe.name(thread)).append(' ').append(thread.getState());
            StackTraceElement[] stack = thread.getStackTrace();
            for (int i = 0; i < Math.min(6, stack.length); i++) {
                dump.append("\n      at ").append(stack[i]);
            }
        }
        return dump.toString();
    }

    /** The run returned the grid one thread computes, as a new grid, and left the starting grid untouched. */
    void assertSameAsOneThread(Outcome done) {
        assertThat(done.thrown()).as(what + ": run() threw (" + probe.story() + ")").isNull();
        assertUntouched();
        double[][] grid = done.grid();
        assertThat(grid).as(what + ": run() returned no grid (rule 1)").isNotNull();
        assertThat(grid).as(what + ": run() returned the caller's own grid: it must return a new one (rule 1)")
                .isNotSameAs(initial);
        for (int row = 0; row < Math.min(grid.length, initial.length); row++) {
            assertThat(grid[row]).as(what + ": row " + row + " of the grid run() returned is the caller's own row "
                    + row + ": the result must be a new grid (rule 1)").isNotSameAs(initial[row]);
        }
        double[][] want = probe.expected(phases);
        if (!Arrays.deepEquals(grid, want)) {
            throw new AssertionError(what + ": after " + phases + " phase(s) the grid differs from what one thread "
                    + "computes phase after phase" + firstDifference(grid, want) + " (rule 1)");
        }
    }

    void assertUntouched() {
        if (!Arrays.deepEquals(initial, pristine)) {
            throw new AssertionError(what + ": run() changed the grid it was given: it must leave it untouched "
                    + "(rule 1)");
        }
    }

    private static String firstDifference(double[][] grid, double[][] want) {
        if (grid.length != want.length) {
            return ": " + grid.length + " rows instead of " + want.length;
        }
        for (int row = 0; row < want.length; row++) {
            if (grid[row].length != want[row].length) {
                return ": row " + row + " has " + grid[row].length + " cells instead of " + want[row].length;
            }
            for (int col = 0; col < want[row].length; col++) {
                if (Double.compare(grid[row][col], want[row][col]) != 0) {
                    return ": cell (" + row + ", " + col + ") is " + grid[row][col] + " instead of " + want[row][col];
                }
            }
        }
        return "";
    }

    /** No rule was seen broken while the run went on. */
    void assertNothingBrokenDuringTheRun() {
        String broken = probe.broken();
        if (broken != null) {
            throw new AssertionError(what + ": " + broken);
        }
    }

    /** Every worker had ended when run() returned or threw. */
    void assertEveryThreadEnded(Outcome done) {
        if (!done.alive().isEmpty()) {
            throw new AssertionError(what + ": when run() " + (done.thrown() == null ? "returned" : "threw "
                    + done.thrown()) + ", workers were still alive: " + done.alive() + ". run() waits until every "
                    + "worker it started has ended (join them), also after a failure or an interrupt (rule 7)");
        }
    }

    /** run() threw SimulationFailedException with exactly {@code failure} as its cause. */
    void assertFailedWith(Outcome done, Throwable failure) {
        Throwable thrown = done.thrown();
        if (thrown == null) {
            throw new AssertionError(what + ": the rule threw " + failure + ", and run() returned a grid anyway: a "
                    + "failure must reach the caller as SimulationFailedException, never a partial grid (rule 6)");
        }
        if (!(thrown instanceof SimulationFailedException) || thrown.getCause() != failure) {
            throw new AssertionError(what + ": the rule threw " + failure + ", and run() threw " + thrown
                    + (thrown.getCause() == null ? "" : " caused by " + thrown.getCause()) + ": it must throw "
                    + "SimulationFailedException with exactly what the rule threw as its cause (not the "
                    + "BrokenBarrierException or InterruptedException of the other workers) (rule 6)", thrown);
        }
    }

    /** run() threw InterruptedException. */
    void assertInterruptReported(Outcome done) {
        Throwable thrown = done.thrown();
        if (!(thrown instanceof InterruptedException)) {
            throw new AssertionError(what + ": its caller was interrupted, and run() "
                    + (thrown == null ? "returned a grid" : "threw " + thrown)
                    + ": it must throw InterruptedException once every worker has ended (rule 8)", thrown);
        }
    }

    @Override
    public void close() {
        if (caller != null && ThreadEnd.stillRuns(caller)) {
            caller.interrupt();
            for (Thread worker : probe.workers()) {
                worker.interrupt();
            }
            try {
                caller.join(2_000);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

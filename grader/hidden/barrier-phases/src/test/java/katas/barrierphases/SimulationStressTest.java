package katas.barrierphases;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.ThreadEnd;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: many shapes of successful runs, including far more workers than rows, a simulation run again and
 * again, and runs of one simulation from several threads at the same time.
 */
@DisplayName("Simulation under many shapes")
@KataTest
class SimulationStressTest {

    @Test
    @Tag("rule-1")
    @Tag("rule-2")
    @Tag("rule-3")
    @Tag("rule-4")
    @Tag("rule-5")
    @Tag("rule-7")
    @DisplayName("computes every shape as one thread would, phase after phase, with no worker running ahead")
    void manyShapes(Shapes shapes) throws Exception {
        shapes.check(10, round -> Runs.succeeds(round, round.between("workers", 1, 8), round.between("rows", 1, 23),
                round.between("columns", 1, 11), round.between("phases", 0, 9)));
    }

    @Test
    @Tag("rule-2")
    @Tag("rule-5")
    @DisplayName("with fewer rows than workers, gives each row to a worker of its own and loses none")
    void fewerRowsThanWorkers(Shapes shapes) throws Exception {
        shapes.check(4, round -> {
            int workers = round.between("workers", 3, 24);
            Runs.succeeds(round, workers, round.between("rows", 1, workers - 1), round.between("columns", 1, 7),
                    round.between("phases", 1, 6));
        });
    }

    @Test
    @Tag("rule-5")
    @Tag("rule-7")
    @DisplayName("with fewer rows than workers, starts no thread that has no row")
    void startsNoIdleWorker(Shapes shapes) throws Exception {
        int rows = shapes.between("rows", 1, 3);
        int workers = shapes.between("workers", rows + 1, 6);
        int cols = shapes.between("columns", 1, 5);
        int phases = shapes.between("phases", 1, 4);
        double[][] initial = Heat.grid(shapes, rows, cols);
        Probe probe = new Probe(initial, phases).withoutHolding().pausingFirstCells();
        String what = Runs.shape(workers, rows, cols, phases);
        try (Trial trial = new Trial(what, new Simulation(workers, probe), initial, phases, probe).start()) {
            long start = System.nanoTime();
            while (probe.paused() < rows && System.nanoTime() - start < 3_000_000_000L) {
                LockSupport.parkNanos(100_000);
            }
            int paused = probe.paused();
            // Every worker with a row is held in its first cell; a thread started without a row is on its way to
            // the barrier, or there already: give it a moment to show, then count.
            long held = System.nanoTime();
            int threads = 0;
            while (System.nanoTime() - held < 200_000_000L) {
                threads = simulationThreads(probe).size();
                if (threads > rows) {
                    break;
                }
                LockSupport.parkNanos(1_000_000);
            }
            probe.release();
            Trial.Outcome outcome = trial.outcome(() -> "A run of " + phases + " phase(s) should end by itself");
            // Virtual threads are not listed by Thread.getAllStackTraces(): only too many threads is a mistake.
            if (paused != rows || threads > rows) {
                throw new AssertionError(what + ": while each of the " + paused + " worker(s) with a row computed "
                        + "its first cell, " + threads + " thread(s) ran the simulation's code besides the caller: "
                        + "with " + rows + " row(s), run() starts min(workers, rows) = " + rows + " worker(s); a "
                        + "worker with no row would only meet the others at the barrier (rule 5)");
            }
            trial.assertNothingBrokenDuringTheRun();
            trial.assertSameAsOneThread(outcome);
            trial.assertEveryThreadEnded(outcome);
        }
    }

    /** Live threads, other than the test's and the probe's caller, with code of the kata's package on their stack. */
    private static List<Thread> simulationThreads(Probe probe) {
        List<Thread> found = new ArrayList<>();
        for (var entry : Thread.getAllStackTraces().entrySet()) {
            Thread thread = entry.getKey();
            if (thread == Thread.currentThread() || thread.getName().equals("caller of run()")
                    || !ThreadEnd.stillRuns(thread)) {
                continue;
            }
            for (StackTraceElement frame : entry.getValue()) {
                if (frame.getClassName().startsWith("katas.barrierphases.")) {
                    found.add(thread);
                    break;
                }
            }
        }
        return found;
    }

    @Test
    @Tag("rule-3")
    @Tag("rule-1")
    @DisplayName("waits at the barrier as long as a slow phase takes, and returns the whole grid")
    void waitsForASlowPhase(Shapes shapes) throws Exception {
        int workers = shapes.between("workers, slow", 2, 4);
        int rows = shapes.between("rows, slow", workers, 10);
        int cols = shapes.between("columns, slow", 1, 5);
        int phases = shapes.between("phases, slow", 2, 4);
        int slow = shapes.between("slow phase", 1, phases - 1);
        double[][] initial = Heat.grid(shapes, rows, cols);
        // Once every other worker waits at the barrier, one cell takes 600 ms more: a slow rule, not a failure.
        Probe probe = new Probe(initial, phases).withoutHolding().slowIn(slow, 600_000_000L);
        String what = Runs.shape(workers, rows, cols, phases) + ", one cell of phase " + (slow + 1) + " taking 600 ms "
                + "while the other workers wait at the barrier";
        try (Trial trial = new Trial(what, new Simulation(workers, probe), initial, phases, probe).start()) {
            Trial.Outcome outcome = trial.outcome(() -> "A slow phase is no failure: the others wait for it");
            trial.assertNothingBrokenDuringTheRun();
            trial.assertSameAsOneThread(outcome);
            probe.assertEveryCellComputed(phases);
            trial.assertEveryThreadEnded(outcome);
            org.assertj.core.api.Assertions.assertThat(probe.slowCellsDone()).as(what + ": slow cells").isEqualTo(1);
        }
    }

    @Test
    @Tag("rule-2")
    @Tag("rule-5")
    @DisplayName("shares rows that do not divide by the workers without losing the remainder")
    void rowsThatDoNotDivide(Shapes shapes) throws Exception {
        shapes.check(4, round -> {
            int workers = round.between("workers", 2, 7);
            int rows = workers * round.between("rows per worker", 1, 3) + round.between("remainder", 1, workers - 1);
            Runs.succeeds(round, workers, rows, round.between("columns", 1, 6), round.between("phases", 1, 5));
        });
    }

    @Test
    @Tag("rule-9")
    @DisplayName("runs one simulation again and again, with other grids and other numbers of phases")
    void runsAgainAndAgain(Shapes shapes) throws Exception {
        int workers = shapes.between("workers", 1, 6);
        Switchboard board = new Switchboard();
        Simulation simulation = new Simulation(workers, board);
        int runs = shapes.between("runs", 3, 6);
        for (int run = 1; run <= runs; run++) {
            int rows = shapes.between("rows of run " + run, 1, 14);
            int cols = shapes.between("columns of run " + run, 1, 8);
            int phases = shapes.between("phases of run " + run, 0, 6);
            Runs.succeeds(shapes, simulation, board, workers, rows, cols, phases, "run " + run + " of " + runs
                    + " with one simulation (" + Runs.shape(workers, rows, cols, phases) + ")");
        }
    }

    @Test
    @Tag("rule-9")
    @Tag("rule-6")
    @DisplayName("keeps a failure to the run it happened in, while another run of the simulation starts meanwhile")
    void failureStaysInItsRun(Shapes shapes) throws Exception {
        int workers = shapes.between("workers, failing run", 2, 4);
        int rows = shapes.between("rows, failing run", workers, 8);
        int cols = shapes.between("columns, failing run", 1, 4);
        int phases = shapes.between("phases, failing run", 1, 4);
        int otherRows = shapes.between("rows, other run", 1, 8);
        int otherCols = cols + shapes.between("more columns, other run", 1, 3);
        int otherPhases = shapes.between("phases, other run", 1, 4);
        double[][] failing = Heat.grid(shapes, rows, cols);
        double[][] other = Heat.grid(shapes, otherRows, otherCols);
        Throwable failure = shapes.failure("failure", "the first cell of the failing run failed");
        Probe failingProbe = new Probe(failing, phases).withoutHolding()
                .failing(new Probe.Fault(0, 0, 0, failure, false, false));
        Probe otherProbe = new Probe(other, otherPhases).withoutHolding();
        // The runs tell each other apart by the width of their grids. The failing run's first cell throws; its
        // other cells wait until the other run has computed a cell, and the other run's cells wait until the
        // failure was thrown: the other run starts between the failure and the end of the failing run.
        // (The other run also lets the failing worker note its failure: it waits until that worker has ended or
        // waits itself, for 200 ms at most.)
        AtomicReference<Thread> failingWorker = new AtomicReference<>();
        CellRule rule = (grid, row, col) -> {
            if (grid.cols() == cols) {
                if (row != 0 || col != 0) {
                    holdThroughInterrupts(() -> otherProbe.progress() > 0, failingProbe);
                } else {
                    failingWorker.compareAndSet(null, Thread.currentThread());
                }
                return failingProbe.next(grid, row, col);
            }
            waitFor(failingProbe::faultThrown);
            long thrown = System.nanoTime();
            waitFor(() -> failingWorker.get().getState() != Thread.State.RUNNABLE
                    || System.nanoTime() - thrown > 200_000_000L);
            return otherProbe.next(grid, row, col);
        };
        Simulation simulation = new Simulation(workers, rule);
        String what = "two runs of one simulation at the same time: " + Runs.shape(workers, rows, cols, phases)
                + ", its first cell failing with " + failure + ", and " + Runs.shape(workers, otherRows, otherCols,
                otherPhases) + " started meanwhile";
        try (Trial failingRun = new Trial(what + " (the failing run)", simulation, failing, phases, failingProbe);
                Trial otherRun = new Trial(what + " (the other run)", simulation, other, otherPhases, otherProbe)) {
            failingRun.start();
            otherRun.start();
            Trial.Outcome failed = failingRun.outcome(() -> "The failure must reach its own caller (rules 6, 9)");
            Trial.Outcome succeeded = otherRun.outcome(() -> "The other run has nothing to do with the failure");
            failingRun.assertFailedWith(failed, failure);
            failingRun.assertEveryThreadEnded(failed);
            otherRun.assertNothingBrokenDuringTheRun();
            otherRun.assertSameAsOneThread(succeeded);
            otherRun.assertEveryThreadEnded(succeeded);
        }
    }

    /**
     * Waits until {@code condition}, for 6 s at most, also when interrupted meanwhile (the failing worker
     * interrupts the others): the interrupt status is cleared for the wait and set again before returning, so
     * the run sees it as it was. Moves the probe's progress, so the test's hang detector sees the wait.
     */
    private static void holdThroughInterrupts(java.util.function.BooleanSupplier condition, Probe probe) {
        boolean interrupted = Thread.interrupted();
        long start = System.nanoTime();
        while (!condition.getAsBoolean() && System.nanoTime() - start < 6_000_000_000L) {
            probe.tick();
            LockSupport.parkNanos(200_000);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        long start = System.nanoTime();
        while (!condition.getAsBoolean() && System.nanoTime() - start < 6_000_000_000L) {
            LockSupport.parkNanos(50_000);
        }
    }

    @Test
    @Tag("rule-9")
    @DisplayName("runs one simulation from several threads at the same time, each run with its own grid")
    void runsAtTheSameTime(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int workers = round.between("workers", 1, 5);
            int callers = round.between("callers", 2, 5);
            Simulation simulation = new Simulation(workers, Heat::next);
            // Grids of one size, so that runs that shared their buffers would fit into each other unnoticed.
            int rows = round.between("rows", workers, 16);
            int cols = round.between("columns", 1, 8);
            List<double[][]> grids = new ArrayList<>();
            List<Integer> phases = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                grids.add(Heat.grid(round, rows, cols));
                phases.add(round.between("phases of caller " + c, 10, 40));
            }
            CountDownLatch gate = new CountDownLatch(1);
            AtomicReference<String> wrong = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int me = c;
                threads.add(Thread.ofPlatform().daemon(true).name("caller " + c).start(() -> {
                    try {
                        gate.await();
                        double[][] grid = simulation.run(grids.get(me), phases.get(me));
                        if (!Arrays.deepEquals(grid, Heat.phases(grids.get(me), phases.get(me))[phases.get(me)])) {
                            wrong.compareAndSet(null, "caller " + me + " got a grid that differs from what one "
                                    + "thread computes for its own grid");
                        }
                    } catch (Throwable failed) {
                        wrong.compareAndSet(null, "caller " + me + "'s run threw " + failed);
                    }
                }));
            }
            gate.countDown();
            for (Thread thread : threads) {
                thread.join(8_000);
                if (ThreadEnd.stillRuns(thread)) {
                    throw new AssertionError(callers + " runs of one simulation at the same time: " + thread.getName()
                            + " has not returned after 8 s: runs must not share their barrier or buffers (rule 9)");
                }
            }
            if (wrong.get() != null) {
                throw new AssertionError(callers + " runs of one simulation (" + workers + " workers) at the same "
                        + "time: " + wrong.get() + ": everything a run needs lives in that run (rule 9)");
            }
        });
    }
}

package katas.barrierphases;

import katas.barrierphases.Probe.Fault;
import katas.barrierphases.Trial.Outcome;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: failures of the rule in any phase (the first and the last too) and any cell, of every kind, with
 * the other workers at the barrier or busy with a cell that winds down; interrupts in any phase; and a
 * simulation that runs again after each of them.
 */
@DisplayName("Simulation when things go wrong")
@KataTest
class SimulationFailureTest {

    @Test
    @Tag("rule-6")
    @Tag("rule-7")
    @DisplayName("reports a failure in any phase and any cell, with the other workers waiting or still busy")
    void failsAnywhere(Shapes shapes) throws Exception {
        shapes.check(8, round -> {
            int workers = round.between("workers", 1, 7);
            int rows = round.between("rows", 1, 16);
            int cols = round.between("columns", 1, 8);
            int phases = round.between("phases", 1, 7);
            Switchboard board = new Switchboard();
            Runs.fails(round, new Simulation(workers, board), board, rows, cols, phases,
                    Runs.anyFault(round, rows, cols, phases), Runs.shape(workers, rows, cols, phases));
        });
    }

    @Test
    @Tag("rule-6")
    @Tag("rule-7")
    @DisplayName("reports a failure of the very first cell and of the very last one")
    void failsFirstAndLast(Shapes shapes) throws Exception {
        for (boolean first : new boolean[] {true, false}) {
            String which = first ? "first" : "last";
            int workers = shapes.between("workers, " + which, 2, 6);
            int rows = shapes.between("rows, " + which, workers, 14);
            int cols = shapes.between("columns, " + which, 1, 7);
            int phases = shapes.between("phases, " + which, 1, 6);
            Throwable failure = shapes.failure("failure, " + which, "the " + which + " cell failed");
            Fault fault = first ? new Fault(0, 0, 0, failure, false, true)
                    : new Fault(phases - 1, rows - 1, cols - 1, failure, phases > 1, shapes.chance("notice, last", .5));
            Switchboard board = new Switchboard();
            Runs.fails(shapes, new Simulation(workers, board), board, rows, cols, phases, fault,
                    Runs.shape(workers, rows, cols, phases));
        }
    }

    @Test
    @Tag("rule-6")
    @Tag("rule-7")
    @DisplayName("reports an InterruptedException or a BrokenBarrierException the rule itself throws as the failure, "
            + "though its worker was never interrupted")
    void failsWithTheBarriersOwnExceptions(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int workers = round.between("workers", 1, 6);
            int rows = round.between("rows", 1, 12);
            int cols = round.between("columns", 1, 6);
            int phases = round.between("phases", 1, 5);
            // Both kinds in every round: the worker whose rule threw it was never interrupted, and no barrier broke.
            for (boolean interrupted : new boolean[] {true, false}) {
                String kind = interrupted ? "InterruptedException" : "BrokenBarrierException";
                Throwable failure = interrupted
                        ? new InterruptedException("the rule gave up waiting for its furnace sensor")
                        : new java.util.concurrent.BrokenBarrierException("the rule's own sensor barrier broke");
                Fault fault = new Fault(round.between("failing phase, " + kind, 0, phases - 1),
                        round.between("failing row, " + kind, 0, rows - 1),
                        round.between("failing column, " + kind, 0, cols - 1), failure,
                        round.chance("others busy, " + kind, .5), round.chance("others notice interrupts, " + kind, .5));
                Switchboard board = new Switchboard();
                Runs.fails(round, new Simulation(workers, board), board, rows, cols, phases, fault,
                        Runs.shape(workers, rows, cols, phases) + " (" + (interrupted ? "an " : "a ") + kind + " thrown by the rule is its failure, "
                        + "not a stop: only the barrier's own exceptions mean another worker stopped the run, "
                        + "rule 6)");
            }
        });
    }

    /** What a rule may throw that is neither an Exception nor an Error: still a failure, to be reported. */
    static final class BareThrowable extends Throwable {
        private static final long serialVersionUID = 1L;

        BareThrowable(String message) {
            super(message);
        }
    }

    @Test
    @Tag("rule-6")
    @Tag("rule-7")
    @DisplayName("reports a Throwable that is neither an Exception nor an Error as the failure")
    void failsWithABareThrowable(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            int workers = round.between("workers", 1, 6);
            int rows = round.between("rows", 1, 12);
            int cols = round.between("columns", 1, 6);
            int phases = round.between("phases", 1, 5);
            Fault fault = new Fault(round.between("failing phase", 0, phases - 1),
                    round.between("failing row", 0, rows - 1), round.between("failing column", 0, cols - 1),
                    new BareThrowable("the rule's sensor gave a reading of no known kind"),
                    round.chance("others busy", .5), round.chance("others notice interrupts", .5));
            Switchboard board = new Switchboard();
            Runs.fails(round, new Simulation(workers, board), board, rows, cols, phases, fault,
                    Runs.shape(workers, rows, cols, phases) + " (a Throwable that is neither an Exception nor an "
                    + "Error is a failure too: catch Throwable, rule 6)");
        });
    }

    @Test
    @Tag("rule-6")
    @Tag("rule-9")
    @DisplayName("runs correctly again after each kind of failure")
    void runsAgainAfterEachKindOfFailure(Shapes shapes) throws Exception {
        int workers = shapes.between("workers", 2, 6);
        Switchboard board = new Switchboard();
        Simulation simulation = new Simulation(workers, board);
        for (int kind = 0; kind < Shapes.FAILURE_KINDS; kind++) {
            int rows = shapes.between("rows of failed run " + kind, 1, 12);
            int cols = shapes.between("columns of failed run " + kind, 1, 6);
            int phases = shapes.between("phases of failed run " + kind, 1, 5);
            Throwable failure = shapes.failure("failure " + kind, "the rule failed in run " + kind, kind);
            Fault fault = new Fault(shapes.between("failing phase " + kind, 0, phases - 1),
                    shapes.between("failing row " + kind, 0, rows - 1), shapes.between("failing column " + kind, 0,
                    cols - 1), failure, shapes.chance("others busy " + kind, .5), shapes.chance("notice " + kind, .5));
            Runs.fails(shapes, simulation, board, rows, cols, phases, fault, "a run with a simulation that "
                    + (kind == 0 ? "never ran" : "failed before") + " (" + Runs.shape(workers, rows, cols, phases)
                    + ")");
            int nextRows = shapes.between("rows after failure " + kind, 1, 12);
            int nextCols = shapes.between("columns after failure " + kind, 1, 6);
            int nextPhases = shapes.between("phases after failure " + kind, 1, 5);
            Runs.succeeds(shapes, simulation, board, workers, nextRows, nextCols, nextPhases, "the run after one that "
                    + "failed with " + failure.getClass().getSimpleName() + " ("
                    + Runs.shape(workers, nextRows, nextCols, nextPhases) + ")");
        }
    }

    @Test
    @Tag("rule-8")
    @Tag("rule-7")
    @DisplayName("stops its workers when its caller is interrupted in any phase, however they wind down")
    void interruptedInAnyPhase(Shapes shapes) throws Exception {
        shapes.check(4, round -> {
            int workers = round.between("workers", 1, 8);
            int rows = round.between("rows", 1, 15);
            int cols = round.between("columns", 1, 6);
            int phases = round.between("phases", 1, 7);
            int phase = round.between("phase interrupted", 0, phases - 1);
            double[][] initial = Heat.grid(round, rows, cols);
            Probe probe = new Probe(initial, phases).withoutHolding().blockingIn(phase, round.chance("wind down", .5));
            String what = Runs.shape(workers, rows, cols, phases) + ", the caller interrupted in phase " + (phase + 1);
            try (Trial trial = new Trial(what, new Simulation(workers, probe), initial, phases, probe).start()) {
                trial.awaitBlocked(Math.min(workers, rows), "Each worker's first cell of that phase waits until its "
                        + "thread is interrupted (rule 5: one worker per band).");
                trial.interruptCaller();
                Outcome outcome = trial.outcome(() -> "Its caller was interrupted: run() must interrupt every worker, "
                        + "wait for them to end and throw InterruptedException (rule 8)");
                trial.assertInterruptReported(outcome);
                trial.assertEveryThreadEnded(outcome);
                Assertions.assertThat(probe.cellsStarted(phase + 1)).as(what + ": cells of phase " + (phase + 2)
                        + " computed after the interrupt (rule 8)").isZero();
                trial.assertUntouched();
            }
        });
    }

    @Test
    @Tag("rule-8")
    @Tag("rule-7")
    @DisplayName("waits for workers that take long to stop after an interrupt, even when interrupted again")
    void waitsForSlowWindDown(Shapes shapes) throws Exception {
        for (boolean twice : new boolean[] {false, true}) {
            String again = twice ? ", twice" : ", once";
            int workers = shapes.between("workers" + again, 1, 3);
            int rows = shapes.between("rows" + again, workers, 9);
            int cols = shapes.between("columns" + again, 1, 5);
            int phases = shapes.between("phases" + again, 1, 4);
            int phase = shapes.between("phase interrupted" + again, 0, phases - 1);
            // Longer than 100 ms per worker and then some: a run that gives up waiting shows it every time.
            long windDownMillis = shapes.between("wind-down ms" + again, 100 * workers + 150, 800);
            double[][] initial = Heat.grid(shapes, rows, cols);
            Probe probe = new Probe(initial, phases).withoutHolding().blockingIn(phase, windDownMillis * 1_000_000L);
            String what = Runs.shape(workers, rows, cols, phases) + ", the caller interrupted in phase " + (phase + 1)
                    + (twice ? " and again while its workers stop" : "") + ", each worker taking " + windDownMillis
                    + " ms to stop";
            try (Trial trial = new Trial(what, new Simulation(workers, probe), initial, phases, probe).start()) {
                trial.awaitBlocked(workers, "Each worker's first cell of that phase waits until its thread is "
                        + "interrupted (rule 5: one worker per band).");
                trial.interruptCaller();
                if (twice) {
                    long start = System.nanoTime();
                    while (probe.windingDown() < workers && System.nanoTime() - start < 3_000_000_000L) {
                        java.util.concurrent.locks.LockSupport.parkNanos(100_000);
                    }
                    trial.interruptCaller();
                }
                Outcome outcome = trial.outcome(() -> "Its caller was interrupted: run() must interrupt every worker, "
                        + "wait for them to end however long they take and throw InterruptedException (rule 8)");
                trial.assertInterruptReported(outcome);
                trial.assertEveryThreadEnded(outcome);
                trial.assertUntouched();
            }
        }
    }

    @Test
    @Tag("rule-6")
    @DisplayName("reports the first failure, not what the rule throws in other workers once they are stopped")
    void reportsTheFirstFailureNotItsFallout(Shapes shapes) throws Exception {
        // A rule whose cell reads something interruptible throws when its worker is interrupted: once the first
        // failure stops the others, a worker busy in a cell fails too. That second failure is fallout of the
        // stop: the first one is what run() reports (remember it before you stop the others, and keep it).
        shapes.check(3, round -> {
            int workers = round.between("workers", 2, 6);
            int rows = round.between("rows", workers, 14);
            int cols = round.between("columns", 1, 6);
            int phases = round.between("phases", 2, 5);
            Fault fault = new Fault(round.between("failing phase", 1, phases - 1), round.between("failing row", 0,
                    rows - 1), round.between("failing column", 0, cols - 1), round.failure("failure",
                    "the rule failed first"), true, round.chance("others notice interrupts", .5));
            boolean interruptedKind = round.chance("the others' fallout is an InterruptedException", .5);
            double[][] initial = Heat.grid(round, rows, cols);
            Probe probe = new Probe(initial, phases).withoutHolding().failing(fault);
            CellRule interruptible = (grid, row, col) -> {
                double value = probe.next(grid, row, col);
                if (Thread.currentThread().isInterrupted()) {
                    throw katas.testkit.Sneaky.raise(interruptedKind
                            ? new InterruptedException("the sensor read of cell (" + row + ", " + col + ") was "
                                    + "interrupted")
                            : new IllegalStateException("the sensor read of cell (" + row + ", " + col + ") was cut "
                                    + "short by an interrupt"));
                }
                return value;
            };
            String story = Runs.shape(workers, rows, cols, phases) + ", the rule throwing " + fault.failure()
                    + " for cell (" + fault.row() + ", " + fault.col() + ") of phase " + (fault.phase() + 1)
                    + " while the other workers were busy in a cell that throws when its worker is interrupted (the "
                    + "first failure is the one to report, not the fallout of stopping the others: rule 6)";
            try (Trial trial = new Trial(story, new Simulation(workers, interruptible), initial, phases, probe)
                    .start()) {
                Outcome outcome = trial.outcome(() -> "The worker whose rule threw never reaches the barrier: the "
                        + "others must be stopped, and run() must throw (rule 6)");
                trial.assertFailedWith(outcome, fault.failure());
                trial.assertEveryThreadEnded(outcome);
            }
        });
    }

    @Test
    @Tag("rule-9")
    @Tag("rule-8")
    @DisplayName("an interrupted caller stops its own run's workers, and no other run's")
    void anInterruptStaysInItsRun(Shapes shapes) throws Exception {
        // Two runs of one simulation at the same time, told apart by the width of their grids. The other run's
        // workers are held in their first cell (they ignore interrupts there) while the first run's caller is
        // interrupted; then they go on, and the other run must end as if nothing had happened.
        int workers = shapes.between("workers", 1, 4);
        int rows = shapes.between("rows, interrupted run", 1, 8);
        int cols = shapes.between("columns, interrupted run", 1, 4);
        int phases = shapes.between("phases, interrupted run", 1, 4);
        int phase = shapes.between("phase interrupted", 0, phases - 1);
        int otherRows = shapes.between("rows, other run", 1, 8);
        int otherCols = cols + shapes.between("more columns, other run", 1, 3);
        int otherPhases = shapes.between("phases, other run", 1, 4);
        double[][] interrupted = Heat.grid(shapes, rows, cols);
        double[][] other = Heat.grid(shapes, otherRows, otherCols);
        Probe interruptedProbe = new Probe(interrupted, phases).withoutHolding().blockingIn(phase,
                shapes.chance("wind down", .5));
        Probe otherProbe = new Probe(other, otherPhases).withoutHolding().pausingFirstCells();
        CellRule rule = (grid, row, col) -> grid.cols() == cols ? interruptedProbe.next(grid, row, col)
                : otherProbe.next(grid, row, col);
        Simulation simulation = new Simulation(workers, rule);
        String what = "two runs of one simulation at the same time: " + Runs.shape(workers, rows, cols, phases)
                + ", its caller interrupted in phase " + (phase + 1) + ", and " + Runs.shape(workers, otherRows,
                otherCols, otherPhases) + " going on meanwhile";
        try (Trial interruptedRun = new Trial(what + " (the interrupted run)", simulation, interrupted, phases,
                interruptedProbe); Trial otherRun = new Trial(what + " (the other run)", simulation, other,
                otherPhases, otherProbe)) {
            otherRun.start();
            int otherWorkers = Math.min(workers, otherRows);
            long start = System.nanoTime();
            while (otherProbe.paused() < otherWorkers && System.nanoTime() - start < 3_000_000_000L) {
                java.util.concurrent.locks.LockSupport.parkNanos(100_000);
            }
            Assertions.assertThat(otherProbe.paused()).as(what + ": workers of the other run computing their first "
                    + "cell (rule 5: one worker per band)").isEqualTo(otherWorkers);
            interruptedRun.start();
            interruptedRun.awaitBlocked(Math.min(workers, rows), "Each worker's first cell of that phase waits until "
                    + "its thread is interrupted (rule 5: one worker per band).");
            interruptedRun.interruptCaller();
            Outcome stopped = interruptedRun.outcome(() -> "Its caller was interrupted: run() must interrupt every "
                    + "worker of its run, wait for them to end and throw InterruptedException (rule 8)");
            interruptedRun.assertInterruptReported(stopped);
            interruptedRun.assertEveryThreadEnded(stopped);
            otherProbe.release();
            Outcome succeeded = otherRun.outcome(() -> "The other run has nothing to do with the interrupt (rule 9: "
                    + "each run has its own threads)");
            otherRun.assertNothingBrokenDuringTheRun();
            if (succeeded.thrown() != null) {
                throw new AssertionError(what + ": the other run threw " + succeeded.thrown() + ": an interrupted "
                        + "caller interrupts its own run's workers, no other run's (rule 9: each run has its own "
                        + "threads)", succeeded.thrown());
            }
            otherRun.assertSameAsOneThread(succeeded);
            otherRun.assertEveryThreadEnded(succeeded);
        }
    }

    @Test
    @Tag("rule-8")
    @DisplayName("when its caller was interrupted before the call, computes nothing and throws InterruptedException")
    void interruptedBeforeTheCall(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int workers = round.between("workers", 1, 6);
            int rows = round.between("rows", 1, 10);
            int cols = round.between("columns", 1, 6);
            // No phase at all, and then some: with nothing to join, only a look at the status sees the interrupt.
            for (int phases : new int[] {0, round.between("phases", 1, 5)}) {
                interruptedBefore(round, workers, rows, cols, phases);
            }
        });
    }

    private static void interruptedBefore(Shapes round, int workers, int rows, int cols, int phases) {
        double[][] initial = Heat.grid(round, rows, cols);
        Probe probe = new Probe(initial, phases);
        String what = Runs.shape(workers, rows, cols, phases) + ", the caller interrupted before the call";
        try (Trial trial = new Trial(what, new Simulation(workers, probe), initial, phases, probe).startInterrupted()) {
            Outcome outcome = trial.outcome(() -> "Its caller was interrupted before it called run() (rule 8)");
            trial.assertInterruptReported(outcome);
            Assertions.assertThat(probe.progress()).as(what + ": calls of the rule; an interrupted caller runs no "
                    + "phase at all (rule 8)").isZero();
            trial.assertEveryThreadEnded(outcome);
        }
    }
}

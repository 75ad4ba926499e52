package katas.barrierphases;

import katas.barrierphases.Probe.Fault;
import katas.barrierphases.Trial.Outcome;
import katas.testkit.Shapes;

/** The hidden tests' common runs: one run of a shape, checked against every rule a run can show. */
final class Runs {

    private Runs() {
    }

    static String shape(int workers, int rows, int cols, int phases) {
        return workers + " workers, " + rows + " x " + cols + " grid, " + phases + " phase(s)";
    }

    /** Runs a shape that must succeed, on {@code simulation} (whose rule is {@code board}), and checks it all. */
    static void succeeds(Shapes round, Simulation simulation, Switchboard board, int workers, int rows, int cols,
            int phases, String what) {
        double[][] initial = Heat.grid(round, rows, cols);
        Probe probe = new Probe(initial, phases).holdSalt(round.between("held worker", 0, 9));
        board.plug(probe);
        try (Trial trial = new Trial(what, simulation, initial, phases, probe).start()) {
            Outcome outcome = trial.outcome(() -> "A run of " + phases + " phase(s) should end by itself; if every "
                    + "worker waits at the barrier, does it wait for more parties than there are workers? (rule 3)");
            trial.assertNothingBrokenDuringTheRun();
            trial.assertSameAsOneThread(outcome);
            probe.assertEveryCellComputed(phases);
            probe.assertBands(workers, phases);
            trial.assertEveryThreadEnded(outcome);
        }
    }

    static void succeeds(Shapes round, int workers, int rows, int cols, int phases) {
        Switchboard board = new Switchboard();
        succeeds(round, new Simulation(workers, board), board, workers, rows, cols, phases,
                shape(workers, rows, cols, phases));
    }

    /** Runs a shape whose rule throws {@code fault}'s failure, and checks that it reached the caller, and only it. */
    static void fails(Shapes round, Simulation simulation, Switchboard board, int rows, int cols, int phases,
            Fault fault, String what) {
        double[][] initial = Heat.grid(round, rows, cols);
        Probe probe = new Probe(initial, phases).withoutHolding().failing(fault);
        board.plug(probe);
        String story = what + ", the rule throwing " + fault.failure() + " for cell (" + fault.row() + ", "
                + fault.col() + ") of phase " + (fault.phase() + 1);
        try (Trial trial = new Trial(story, simulation, initial, phases, probe).start()) {
            Outcome outcome = trial.outcome(() -> "The worker whose rule threw never reaches the barrier: the others "
                    + "must be stopped instead of waiting there for it, and run() must throw (rule 6)");
            trial.assertFailedWith(outcome, fault.failure());
            trial.assertEveryThreadEnded(outcome);
            if (probe.cellsStarted(fault.phase() + 1) != 0) {
                throw new AssertionError(story + ": " + probe.cellsStarted(fault.phase() + 1) + " cells of phase "
                        + (fault.phase() + 2) + " were computed after the failure: a failure stops the run at the "
                        + "barrier where the failed worker never arrives (rule 6)");
            }
            trial.assertUntouched();
        }
    }

    /** A fault drawn from the seed: any kind, any phase of the run, any cell, others busy or not. */
    static Fault anyFault(Shapes round, int rows, int cols, int phases) {
        int phase = round.between("failing phase", 0, phases - 1);
        return new Fault(phase, round.between("failing row", 0, rows - 1), round.between("failing column", 0,
                cols - 1), round.failure("failure", "the rule failed at random"), round.chance("others busy", 0.6),
                round.chance("others notice interrupts", 0.5));
    }
}

package katas.barrierphases;

import static org.assertj.core.api.Assertions.assertThat;

import katas.barrierphases.Probe.Fault;
import katas.barrierphases.Trial.Outcome;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The visible tests of barrier-phases, one or more per rule of the README. Each run uses a {@link Probe} as
 * its rule: it computes an uneven heat diffusion and, during the run, checks that no phase starts before
 * the previous one is done and that every value read is the previous phase's; afterwards the test checks
 * the grid against one thread's computation, which thread computed which cells, and that every worker had
 * ended when run() returned. Shapes (workers, rows, columns, phases, which cell fails and how) come from the
 * seed.
 */
@DisplayName("Simulation")
@KataTest
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class SimulationTest {

    @Nested
    @Order(1)
    @DisplayName("running phases")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class RunningPhases {

        @Test
        @Order(1)
        @Tag("rule-1")
        @Tag("rule-2")
        @Tag("rule-5")
        @Tag("rule-7")
        @DisplayName("computes the grid one thread would, each cell once per phase, on one band of rows per worker")
        void computesWhatOneThreadComputes(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                int workers = round.between("workers", 1, 6);
                int rows = round.between("rows", 1, 17);
                int cols = round.between("columns", 1, 9);
                int phases = round.between("phases", 1, 7);
                double[][] initial = Heat.grid(round, rows, cols);
                Probe probe = new Probe(initial, phases).holdSalt(round.between("held worker", 0, 7));
                String what = workers + " workers, " + rows + " x " + cols + " grid, " + phases + " phases";
                try (Trial trial = new Trial(what, new Simulation(workers, probe), initial, phases, probe).start()) {
                    Outcome outcome = trial.outcome(() -> "A run of " + phases + " phases should end by itself.");
                    trial.assertNothingBrokenDuringTheRun();
                    trial.assertSameAsOneThread(outcome);
                    probe.assertEveryCellComputed(phases);
                    probe.assertBands(workers, phases);
                    trial.assertEveryThreadEnded(outcome);
                }
            });
        }

        @Test
        @Order(2)
        @Tag("rule-3")
        @Tag("rule-4")
        @DisplayName("starts no cell of a phase before every cell of the previous one is done, and reads only it")
        void noWorkerRunsAhead(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                // An even number of bands: if every worker swapped the buffers, the swaps would cancel out.
                int workers = 2 * round.between("worker pairs", 1, 3);
                int rows = round.between("rows", workers, 3 * workers + 1);
                int cols = round.between("columns", 1, 7);
                int phases = round.between("phases", 3, 8);
                double[][] initial = Heat.grid(round, rows, cols);
                Probe probe = new Probe(initial, phases).holdSalt(round.between("held worker", 0, 7));
                String what = workers + " workers, " + rows + " x " + cols + " grid, " + phases + " phases";
                try (Trial trial = new Trial(what, new Simulation(workers, probe), initial, phases, probe).start()) {
                    Outcome outcome = trial.outcome(() -> "In each phase one worker's last cell waits until every "
                            + "other worker waits; if they all wait for each other, does the barrier wait for more "
                            + "parties than there are workers? (rule 3)");
                    trial.assertNothingBrokenDuringTheRun();
                    trial.assertSameAsOneThread(outcome);
                }
            });
        }

        @Test
        @Order(3)
        @Tag("rule-2")
        @Tag("rule-5")
        @DisplayName("gives every worker a band when the rows do not divide by the workers, and loses no row")
        void sharesRowsThatDoNotDivide(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                // Between one and two rows a worker, but never 2 x workers - 1: bands of ceil(rows / workers) = 2
                // rows then leave ceil(rows / 2) < workers bands, so some worker has no row (at 2 x workers - 1 every
                // worker would still get one, and that shape proved nothing in one CI grade).
                int workers = round.between("workers", 3, 6);
                int rows = round.between("rows", workers + 1, 2 * workers - 2);
                int cols = round.between("columns", 1, 6);
                int phases = round.between("phases", 1, 4);
                double[][] initial = Heat.grid(round, rows, cols);
                Probe probe = new Probe(initial, phases).holdSalt(round.between("held worker", 0, 7));
                String what = workers + " workers, " + rows + " x " + cols + " grid, " + phases + " phases";
                try (Trial trial = new Trial(what, new Simulation(workers, probe), initial, phases, probe).start()) {
                    Outcome outcome = trial.outcome(() -> "A run of " + phases + " phases should end by itself.");
                    trial.assertNothingBrokenDuringTheRun();
                    probe.assertEveryCellComputed(phases);
                    probe.assertBands(workers, phases);
                    trial.assertSameAsOneThread(outcome);
                }
            });
        }

        @Test
        @Order(4)
        @Tag("rule-1")
        @DisplayName("returns a copy of the grid for no phase at all, and one step for a single phase")
        void zeroAndOnePhase(Shapes shapes) throws Exception {
            for (int phases = 0; phases <= 1; phases++) {
                int workers = shapes.between("workers for " + phases + " phases", 1, 5);
                int rows = shapes.between("rows for " + phases + " phases", 1, 9);
                int cols = shapes.between("columns for " + phases + " phases", 1, 6);
                double[][] initial = Heat.grid(shapes, rows, cols);
                Probe probe = new Probe(initial, phases);
                int p = phases;
                String what = workers + " workers, " + rows + " x " + cols + " grid, " + phases + " phase(s)";
                try (Trial trial = new Trial(what, new Simulation(workers, probe), initial, phases, probe).start()) {
                    Outcome outcome = trial.outcome(() -> "A run of " + p + " phase(s) should end at once.");
                    trial.assertNothingBrokenDuringTheRun();
                    trial.assertSameAsOneThread(outcome);
                    probe.assertEveryCellComputed(phases);
                    trial.assertEveryThreadEnded(outcome);
                }
            }
        }
    }

    @Nested
    @Order(2)
    @DisplayName("when the rule fails")
    class WhenTheRuleFails {

        @Test
        @Tag("rule-6")
        @Tag("rule-7")
        @DisplayName("throws SimulationFailedException with what the rule threw, whatever its kind, and stops every worker")
        void reportsEveryKindOfFailure(Shapes shapes) throws Exception {
            for (int kind = 0; kind < Shapes.FAILURE_KINDS; kind++) {
                Throwable failure = shapes.failure("failure " + kind, "the furnace cell melted", kind);
                String k = failure.getClass().getSimpleName();
                int workers = shapes.between("workers with " + k, 2, 6);
                int rows = shapes.between("rows with " + k, workers, 2 * workers + 3);
                int cols = shapes.between("columns with " + k, 1, 6);
                int phases = shapes.between("phases with " + k, 2, 6);
                int phase = shapes.between("failing phase with " + k, 1, phases - 1);
                Fault fault = new Fault(phase, shapes.between("failing row with " + k, 0, rows - 1),
                        shapes.between("failing column with " + k, 0, cols - 1), failure, true,
                        shapes.chance("others notice interrupts with " + k, 0.5));
                double[][] initial = Heat.grid(shapes, rows, cols);
                Probe probe = new Probe(initial, phases).withoutHolding().failing(fault);
                String what = workers + " workers, " + rows + " x " + cols + " grid, " + phases + " phases, the rule "
                        + "throwing " + failure + " for cell (" + fault.row() + ", " + fault.col() + ") of phase "
                        + (phase + 1);
                try (Trial trial = new Trial(what, new Simulation(workers, probe), initial, phases, probe).start()) {
                    Outcome outcome = trial.outcome(() -> "The worker whose rule threw never reaches the barrier: "
                            + "the others must be stopped instead of waiting there for it (rule 6)");
                    trial.assertFailedWith(outcome, failure);
                    trial.assertEveryThreadEnded(outcome);
                    assertThat(probe.cellsStarted(phase + 1)).as(what + ": cells of phase " + (phase + 2)
                            + " computed after the failure in phase " + (phase + 1) + " (rule 6)").isZero();
                    trial.assertUntouched();
                }
            }
        }
    }

    @Nested
    @Order(3)
    @DisplayName("when its caller is interrupted")
    class WhenItsCallerIsInterrupted {

        @Test
        @Tag("rule-8")
        @Tag("rule-7")
        @DisplayName("interrupts every worker, waits for them all to end, and throws InterruptedException")
        void stopsTheWorkers(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                int workers = round.between("workers", 1, 6);
                int rows = round.between("rows", 1, 13);
                int cols = round.between("columns", 1, 6);
                int phases = round.between("phases", 1, 6);
                int phase = round.between("phase interrupted", 0, phases - 1);
                double[][] initial = Heat.grid(round, rows, cols);
                Probe probe = new Probe(initial, phases).withoutHolding()
                        .blockingIn(phase, round.chance("workers wind down", 0.5));
                String what = workers + " workers, " + rows + " x " + cols + " grid, " + phases + " phases, the caller "
                        + "interrupted in phase " + (phase + 1);
                try (Trial trial = new Trial(what, new Simulation(workers, probe), initial, phases, probe).start()) {
                    trial.awaitBlocked(Math.min(workers, rows), "Each worker's first cell of that phase waits until "
                            + "its thread is interrupted (rule 5: one worker per band).");
                    trial.interruptCaller();
                    Outcome outcome = trial.outcome(() -> "Its caller was interrupted while every worker was in phase "
                            + (phase + 1) + ", each waiting until it is interrupted: run() must interrupt them, wait "
                            + "for them to end and throw InterruptedException (rule 8)");
                    trial.assertInterruptReported(outcome);
                    trial.assertEveryThreadEnded(outcome);
                    assertThat(probe.cellsStarted(phase + 1)).as(what + ": cells of phase " + (phase + 2)
                            + " computed after the interrupt (rule 8)").isZero();
                }
            });
        }
    }

    @Nested
    @Order(4)
    @DisplayName("again")
    class Again {

        @Test
        @Tag("rule-9")
        @DisplayName("runs again with the same simulation after a run that failed or was interrupted")
        void runsAgain(Shapes shapes) throws Exception {
            int workers = shapes.between("workers", 2, 5);
            Switchboard rule = new Switchboard();
            Simulation simulation = new Simulation(workers, rule);
            for (String step : shapes.shuffled("runs before the last", java.util.List.of("fails", "is interrupted",
                    "succeeds", "fails"))) {
                runOnce(shapes, simulation, rule, workers, step);
            }
            runOnce(shapes, simulation, rule, workers, "succeeds");
        }

        private void runOnce(Shapes shapes, Simulation simulation, Switchboard rule, int workers, String step)
                throws Exception {
            int rows = shapes.between("rows of a run that " + step, workers, 11);
            int cols = shapes.between("columns of a run that " + step, 1, 6);
            int phases = shapes.between("phases of a run that " + step, 2, 5);
            double[][] initial = Heat.grid(shapes, rows, cols);
            Probe probe = new Probe(initial, phases);
            int phase = shapes.between("phase of a run that " + step, 0, phases - 1);
            Throwable failure = shapes.failure("failure of a run that " + step, "the rule of a run that " + step);
            switch (step) {
                case "fails" -> probe.withoutHolding().failing(new Fault(phase, shapes.between("failing row", 0,
                        rows - 1), 0, failure, false, true));
                case "is interrupted" -> probe.withoutHolding().blockingIn(phase, false);
                default -> {
                }
            }
            rule.plug(probe);
            String what = "a run that " + step + " (" + workers + " workers, " + rows + " x " + cols + ", " + phases
                    + " phases), with a simulation that ran before";
            try (Trial trial = new Trial(what, simulation, initial, phases, probe).start()) {
                if (step.equals("is interrupted")) {
                    trial.awaitBlocked(workers, "Each worker waits in phase " + (phase + 1) + " until interrupted.");
                    trial.interruptCaller();
                }
                Outcome outcome = trial.outcome(() -> "The simulation ran before; this run should end too (rule 9).");
                switch (step) {
                    case "fails" -> trial.assertFailedWith(outcome, failure);
                    case "is interrupted" -> trial.assertInterruptReported(outcome);
                    default -> {
                        trial.assertNothingBrokenDuringTheRun();
                        trial.assertSameAsOneThread(outcome);
                    }
                }
                trial.assertEveryThreadEnded(outcome);
            }
        }
    }
}

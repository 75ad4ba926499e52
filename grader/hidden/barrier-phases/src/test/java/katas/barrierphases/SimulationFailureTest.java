package katas.barrierphases;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import katas.barrierphases.Probe.Fault;
import katas.barrierphases.Trial.Outcome;
import katas.testkit.CallerThread;
import katas.testkit.KataTest;
import katas.testkit.Sensor;
import katas.testkit.Shapes;
import katas.testkit.ThreadEnd;
import katas.testkit.WindDown;
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
        // A rule whose cell reads a device throws when its worker is interrupted: once the first failure stops the
        // others, every worker reading its sensor fails too. That second failure is fallout of the stop: the first
        // one is what run() reports (record it before you stop the others, and keep it). The failing cell throws
        // only once every other worker reads its sensor, and a sensor holds whoever interrupts its worker until
        // that worker has thrown and ended: a run that stops the others before it records its own failure has
        // recorded their fallout first, every time, not only when the scheduler says so.
        shapes.check(3, round -> {
            int workers = round.between("workers", 2, 6);
            int rows = round.between("rows", workers, 14);
            int cols = round.between("columns", 1, 6);
            int phases = round.between("phases", 2, 5);
            int faultPhase = round.between("failing phase", 1, phases - 1);
            int faultRow = round.between("failing row", 0, rows - 1);
            int faultCol = round.between("failing column", 0, cols - 1);
            Throwable failure = round.failure("failure", "the rule failed first");
            String fallout = round.oneOf("what a stopped sensor read throws", FALLOUT_KINDS);
            double[][] initial = Heat.grid(round, rows, cols);
            Probe probe = new Probe(initial, phases).withoutHolding();
            SensorReads rule = new SensorReads(probe, rows, cols, phases, Math.min(workers, rows), faultPhase,
                    faultRow * cols + faultCol, failure, fallout);
            String story = Runs.shape(workers, rows, cols, phases) + ", the rule throwing " + failure + " for cell ("
                    + faultRow + ", " + faultCol + ") of phase " + (faultPhase + 1) + " while every other worker "
                    + "reads a sensor that throws " + fallout + " when its worker is interrupted (the first failure "
                    + "is the one to report, not the fallout of stopping the others: record it before you stop them, "
                    + "rule 6)";
            try (Trial trial = new Trial(story, new Simulation(workers, rule), initial, phases, probe).start()) {
                Outcome outcome = trial.outcome(() -> "The worker whose rule threw never reaches the barrier: the "
                        + "others must be stopped, and run() must throw (rule 6)");
                trial.assertFailedWith(outcome, failure);
                trial.assertEveryThreadEnded(outcome);
            }
        });
    }

    private static final List<String> FALLOUT_KINDS = List.of("InterruptedException", "ClosedByInterruptException",
            "IllegalStateException", "an Error");

    /** What a rule throws when its worker is stopped: {@code kind}, one of {@link #FALLOUT_KINDS}. */
    private static Throwable fallout(String kind, int row, int col) {
        String cell = "cell (" + row + ", " + col + ")";
        return switch (kind) {
            case "InterruptedException" -> new InterruptedException("the sensor read of " + cell + " was interrupted");
            case "ClosedByInterruptException" -> new java.nio.channels.ClosedByInterruptException();
            case "IllegalStateException" -> new IllegalStateException("the sensor of " + cell + " was closed by an "
                    + "interrupt");
            default -> new Shapes.KataError("the sensor of " + cell + " gave up when its worker was interrupted");
        };
    }

    /**
     * The rule of {@link #reportsTheFirstFailureNotItsFallout}: in the failing phase, every worker but the one that
     * owns the failing cell reads a {@link Sensor} in its first cell, and throws its fallout when interrupted there;
     * the failing cell throws once all of them read. A worker nobody interrupts reads on once the failing worker
     * has ended or waits (at the barrier, say) for a while, and computes its cell.
     */
    private static final class SensorReads implements CellRule {
        private final Probe probe;
        private final int cols;
        private final int phases;
        private final int bands;
        private final int faultPhase;
        private final int faultCell;
        private final Throwable failure;
        private final String fallout;
        private final java.util.concurrent.atomic.AtomicIntegerArray computed;
        private final Map<Thread, java.util.concurrent.atomic.AtomicIntegerArray> perThread = new ConcurrentHashMap<>();
        private final AtomicInteger reading = new AtomicInteger();
        private final Set<Thread> holding = Sensor.holdingSet();
        private volatile Thread faultOwner;
        private volatile boolean faultThrown;

        SensorReads(Probe probe, int rows, int cols, int phases, int bands, int faultPhase, int faultCell,
                Throwable failure, String fallout) {
            this.probe = probe;
            this.cols = cols;
            this.phases = phases;
            this.bands = bands;
            this.faultPhase = faultPhase;
            this.faultCell = faultCell;
            this.failure = failure;
            this.fallout = fallout;
            this.computed = new java.util.concurrent.atomic.AtomicIntegerArray(rows * cols);
        }

        @Override
        public double next(Grid previous, int row, int col) {
            Thread me = Thread.currentThread();
            int cell = row * cols + col;
            int phase = computed.getAndIncrement(cell);
            if (phase == 0 && cell == faultCell) {
                faultOwner = me;
            }
            int mine = phase < phases ? perThread.computeIfAbsent(me, t -> new java.util.concurrent.atomic
                    .AtomicIntegerArray(phases)).incrementAndGet(phase) : 0;
            if (phase == faultPhase && cell == faultCell) {
                long start = System.nanoTime();
                while (reading.get() < bands - 1 && System.nanoTime() - start < 3_000_000_000L) {
                    probe.tick();
                    LockSupport.parkNanos(50_000);
                }
                faultThrown = true;
                throw katas.testkit.Sneaky.raise(failure);
            }
            if (phase == faultPhase && mine == 1 && me != faultOwner) {
                Sensor sensor = new Sensor(holding, probe::tick);
                long[] elsewhereSince = {0};
                boolean stopped = sensor.read(reading::incrementAndGet, () -> nobodyWillStop(sensor, elsewhereSince));
                if (stopped) {
                    sensor.threw();
                    throw katas.testkit.Sneaky.raise(fallout(fallout, row, col));
                }
            }
            return probe.next(previous, row, col);
        }

        /** The failing worker has ended, or waits outside any sensor for a while, without interrupting us. */
        private boolean nobodyWillStop(Sensor sensor, long[] elsewhereSince) {
            Thread owner = faultOwner;
            if (!faultThrown || owner == null) {
                return false;
            }
            if (!ThreadEnd.stillRuns(owner)) {
                return true;
            }
            if (!sensor.waitsElsewhere(owner)) {
                elsewhereSince[0] = 0;
                return false;
            }
            long now = System.nanoTime();
            if (elsewhereSince[0] == 0) {
                elsewhereSince[0] = now;
            }
            return now - elsewhereSince[0] >= 100_000_000L;
        }
    }

    @Test
    @Tag("rule-8")
    @Tag("rule-6")
    @DisplayName("says it was interrupted, not that the rule failed, when the cells it stopped for its caller throw")
    void interruptNotTheFalloutOfStoppingTheWorkers(Shapes shapes) throws Exception {
        // The workers' cells read something interruptible: stopped by run() for its interrupted caller, they throw.
        // What they throw is the fallout of the stop (rule 6); the caller was interrupted and hears so (rule 8).
        shapes.check(3, round -> {
            int workers = round.between("workers", 1, 6);
            int rows = round.between("rows", 1, 12);
            int cols = round.between("columns", 1, 5);
            int phases = round.between("phases", 1, 5);
            int phase = round.between("phase interrupted", 0, phases - 1);
            int bands = Math.min(workers, rows);
            String kind = round.oneOf("what a stopped cell throws", FALLOUT_KINDS);
            boolean[] throwing = new boolean[bands];
            throwing[0] = true; // the first worker to notice the interrupt throws, whatever else is drawn
            for (int k = 1; k < bands; k++) {
                throwing[k] = round.chance("worker " + (k + 1) + " to notice the interrupt throws", 0.6);
            }
            double[][] initial = Heat.grid(round, rows, cols);
            Probe probe = new Probe(initial, phases).withoutHolding().blockingIn(phase, round.chance("wind down",
                    .5));
            Map<Thread, Integer> noticed = new ConcurrentHashMap<>();
            CellRule rule = (grid, row, col) -> {
                double value = probe.next(grid, row, col);
                if (Thread.currentThread().isInterrupted()) {
                    int k = noticed.computeIfAbsent(Thread.currentThread(), t -> noticed.size());
                    if (throwing[Math.min(k, bands - 1)]) {
                        throw katas.testkit.Sneaky.raise(fallout(kind, row, col));
                    }
                }
                return value;
            };
            String what = Runs.shape(workers, rows, cols, phases) + ", the caller interrupted in phase " + (phase + 1)
                    + ", cells that throw " + kind + " when their worker is stopped";
            try (Trial trial = new Trial(what, new Simulation(workers, rule), initial, phases, probe).start()) {
                trial.awaitBlocked(bands, "Each worker's first cell of that phase waits until its thread is "
                        + "interrupted (rule 5: one worker per band).");
                trial.interruptCaller();
                Outcome outcome = trial.outcome(() -> "Its caller was interrupted: run() must interrupt every worker, "
                        + "wait for them to end and throw InterruptedException (rule 8)");
                trial.assertEveryThreadEnded(outcome);
                if (outcome.thrown() instanceof SimulationFailedException failed) {
                    throw new AssertionError(what + ": its caller was interrupted, and run() threw "
                            + "SimulationFailedException caused by " + failed.getCause() + ", which the rule threw "
                            + "only because run() stopped its worker for the interrupted caller: what the rule throws "
                            + "once its worker is stopped is fallout, never the run's failure (rule 6); an interrupted "
                            + "caller hears that it was interrupted: InterruptedException (rule 8)", failed);
                }
                trial.assertInterruptReported(outcome);
                Assertions.assertThat(probe.cellsStarted(phase + 1)).as(what + ": cells of phase " + (phase + 2)
                        + " computed after the interrupt (rule 8)").isZero();
            }
        });
    }

    private static final String BEFORE_THE_CALL = "before the call";
    private static final String WHILE_IT_WAITS = "while it waits";
    private static final String AGAIN_WHILE_THEY_WIND_DOWN = "while it waits, and again while its stopped workers "
            + "wind down";
    private static final String AFTER_A_FAILURE_AND_AGAIN = "after the rule failed, and again while the workers the "
            + "failure stopped wind down";

    @Test
    @Tag("rule-8")
    @Tag("rule-9")
    @Tag("rule-7")
    @DisplayName("clears the interrupt status with the InterruptedException it throws, and leaves it clear when nobody "
            + "interrupted its caller, so the same thread runs it again")
    void clearsTheInterruptStatusItReports(Shapes shapes) throws Exception {
        // The runs are made on this test's own thread, one after another, as an application's thread would make
        // them: the thread that caught an InterruptedException has handled that interrupt, and its next run must work.
        shapes.check(2, round -> {
            int workers = round.between("workers", 1, 6);
            Switchboard board = new Switchboard();
            Simulation simulation = new Simulation(workers, board);
            for (String moment : round.shuffled("moments of the interrupt", List.of(BEFORE_THE_CALL,
                    WHILE_IT_WAITS, AGAIN_WHILE_THEY_WIND_DOWN, AFTER_A_FAILURE_AND_AGAIN))) {
                if (moment.equals(AFTER_A_FAILURE_AND_AGAIN)) {
                    // Its own simulation when this one has a single worker: a failure stops other workers.
                    int own = workers >= 2 ? workers : round.between("workers of the run interrupted after a "
                            + "failure", 2, 6);
                    failedThenInterruptedOnThisThread(round, own == workers ? simulation : new Simulation(own, board),
                            board, own);
                } else {
                    interruptedOnThisThread(round, simulation, board, workers, moment);
                }
                int rows = round.between("rows of the run after the one interrupted " + moment, 1, 10);
                int cols = round.between("columns of the run after the one interrupted " + moment, 1, 5);
                int phases = round.between("phases of the run after the one interrupted " + moment, 0, 4);
                double[][] initial = Heat.grid(round, rows, cols);
                Probe probe = new Probe(initial, phases).withoutHolding();
                board.plug(probe);
                double[][] grid;
                try {
                    grid = simulation.run(initial, phases);
                } catch (InterruptedException refused) {
                    Thread.interrupted();
                    throw new AssertionError("run() threw InterruptedException for an interrupt " + moment + ", and "
                            + "the next run on the same thread, whose caller nobody had interrupted again, was refused "
                            + "with InterruptedException too: the interrupt status was still set from the interrupt "
                            + "run() had already reported. Throwing InterruptedException clears it (rules 8 and 9)",
                            refused);
                }
                boolean statusLeft = Thread.interrupted();
                Assertions.assertThat(Arrays.deepEquals(grid, probe.expected(phases))).as("the grid of %s, run on "
                        + "the thread whose previous run was interrupted %s: what one thread computes (rules 1 and 9)",
                        Runs.shape(workers, rows, cols, phases), moment).isTrue();
                Assertions.assertThat(statusLeft).as("the interrupt status of a caller nobody interrupted, after "
                        + "run() returned the grid of %s: clear; run() never sets its caller's status for nothing "
                        + "(rule 8)", Runs.shape(workers, rows, cols, phases)).isFalse();
            }
            failedOnThisThread(round, simulation, board, workers);
        });
    }

    /**
     * One run on this thread, interrupted {@code moment}: InterruptedException, and the status clear after it. Its
     * workers, once stopped, wind down until the test lets them end: while run() waits for them, its caller is
     * interrupted again, 1 or 2 times (before the call: 0 to 2 times, if run() starts workers at all), each time once
     * run() has taken the interrupt before and is seen waiting. Those interrupts, too, it has been told of.
     */
    private static void interruptedOnThisThread(Shapes round, Simulation simulation, Switchboard board, int workers,
            String moment) throws Exception {
        boolean before = moment.equals(BEFORE_THE_CALL);
        int rows = round.between("rows of the run interrupted " + moment, 1, 10);
        int cols = round.between("columns of the run interrupted " + moment, 1, 5);
        int phases = round.between("phases of the run interrupted " + moment, before ? 0 : 1, 4);
        double[][] initial = Heat.grid(round, rows, cols);
        Probe probe = new Probe(initial, phases).withoutHolding();
        if (!before) {
            probe.blockingIn(round.between("phase interrupted " + moment, 0, phases - 1), round.chance("wind down, "
                    + moment, .5));
        }
        int again = before ? round.between("interrupts again while the stopped workers wind down, interrupted "
                + moment, 0, 2) : moment.equals(WHILE_IT_WAITS) ? 0 : round.between("interrupts again while the "
                + "stopped workers wind down", 1, 2);
        WindDown windDown = new WindDown();
        board.plug(again == 0 ? probe : heldWhenStopped(probe, windDown));
        if (before) {
            Thread.currentThread().interrupt();
        }
        // Each worker's first cell of that phase waits until its thread is interrupted: run() cannot end before the
        // first interrupt, nor before a stopped worker has ended, which it does only after the last interrupt was taken.
        int bands = Math.min(workers, rows);
        Thread interrupter = CallerThread.interruptAgainWhileWindingDown(before ? null
                : () -> probe.everBlocked() >= bands, again, windDown, "interrupter of run()'s caller");
        CallerThread.Outcome<double[][]> outcome = CallerThread.call(() -> simulation.run(initial, phases), () -> {
            windDown.over();
            CallerThread.stop(interrupter);
            CallerThread.joinQuietly(probe.workers());
        });
        Throwable thrown = outcome.thrown();
        boolean statusAfter = outcome.interruptStatus();
        String call = "run() of " + Runs.shape(workers, rows, cols, phases) + " on a thread interrupted " + moment
                + (again == 0 ? "" : " (" + (again == 1 ? "once" : "twice") + " more while its stopped workers took a "
                + "while to end, if they were stopped)");
        if (thrown == null) {
            throw new AssertionError(call + " returned a grid: an interrupted caller gets InterruptedException "
                    + "(rule 8)");
        }
        if (!(thrown instanceof InterruptedException)) {
            throw new AssertionError(call + " threw " + thrown + ": an interrupted caller gets InterruptedException "
                    + "(rule 8)", thrown);
        }
        if (statusAfter) {
            throw new AssertionError(call + " threw InterruptedException and left the thread's interrupt status set. "
                    + "Like every blocking method of the JDK, throwing InterruptedException clears it (look at it with "
                    + "Thread.interrupted(), which clears it, not isInterrupted()): the caller that catches the "
                    + "exception has been told, and its next run, sleep or wait on that thread would be refused at "
                    + "once for an interrupt it has already handled (rules 8 and 9)", thrown);
        }
    }

    /**
     * {@code rule}, whose worker, once stopped (its interrupt status set when a cell is done), winds down in that cell
     * (deaf to interrupts) until the test lets it end, and leaves it still stopped: run() waits for it meanwhile,
     * and its caller is interrupted again.
     */
    private static CellRule heldWhenStopped(CellRule rule, WindDown windDown) {
        return (previous, row, col) -> {
            double value = rule.next(previous, row, col);
            if (Thread.currentThread().isInterrupted() && !windDown.isOver()) {
                windDown.hold();
            }
            return value;
        };
    }

    /**
     * A run whose rule fails in the last worker to reach its first cell of a drawn phase, while every other worker
     * waits in its own first cell of that phase until it is stopped. Once a stopped worker winds down, the caller is
     * interrupted, then 1 or 2 times again while run() waits for the stopped workers (each time once it has taken
     * the interrupt before): run() still waits for every worker, and says it was interrupted (rules 7 and 8).
     */
    private static void failedThenInterruptedOnThisThread(Shapes round, Simulation simulation, Switchboard board,
            int workers) throws Exception {
        int rows = round.between("rows of the run interrupted after a failure", 2, 10);
        int cols = round.between("columns of the run interrupted after a failure", 1, 5);
        int phases = round.between("phases of the run interrupted after a failure", 1, 4);
        int phase = round.between("phase that fails, then is interrupted", 0, phases - 1);
        int again = round.between("interrupts again while the workers the failure stopped wind down", 1, 2);
        Throwable failure = round.failure("failure of the run interrupted after it", "the rule failed");
        double[][] initial = Heat.grid(round, rows, cols);
        Probe probe = new Probe(initial, phases).withoutHolding().blockingIn(phase, false);
        int bands = Math.min(workers, rows);
        AtomicInteger thrown = new AtomicInteger();
        WindDown windDown = new WindDown();
        CellRule held = heldWhenStopped(probe, windDown);
        board.plug((previous, row, col) -> {
            if (probe.blockedNow() >= bands - 1 && thrown.getAndIncrement() == 0) {
                throw katas.testkit.Sneaky.raise(failure);
            }
            return held.next(previous, row, col);
        });
        // The first interrupt comes once a worker the failure stopped holds: run() knows of the failure by then.
        Thread interrupter = CallerThread.interruptAgainWhileWindingDown(windDown::holding, again, windDown,
                "interrupter of the failed run's caller");
        List<Thread> running = new java.util.ArrayList<>();
        CallerThread.Outcome<double[][]> outcome = CallerThread.call(() -> {
            try {
                return simulation.run(initial, phases);
            } finally {
                probe.workers().stream().filter(ThreadEnd::stillRuns).forEach(running::add);
            }
        }, () -> {
            windDown.over();
            CallerThread.stop(interrupter);
            CallerThread.joinQuietly(probe.workers());
        });
        Throwable ended = outcome.thrown();
        String call = "run() of " + Runs.shape(workers, rows, cols, phases) + ", the rule throwing " + failure
                + " in phase " + (phase + 1) + " and its caller interrupted then, and " + (again == 1 ? "once" : "twice")
                + " more while the workers it stopped took a while to end,";
        if (!running.isEmpty()) {
            throw new AssertionError(call + (ended == null ? " returned" : " threw " + ended) + " while "
                    + running.size() + " of its workers were still running: run() waits for every worker it started, "
                    + "even when its caller is interrupted again while it waits. Keep joining, remember the interrupt, "
                    + "and report it once all have ended (rules 7 and 8)", ended);
        }
        if (ended == null) {
            throw new AssertionError(call + " returned a grid: a failed run gets no grid (rules 6 and 8)");
        }
        boolean reported = ended instanceof InterruptedException ? !outcome.interruptStatus()
                : ended instanceof SimulationFailedException && outcome.interruptStatus();
        if (!reported) {
            throw new AssertionError(call + " threw " + ended + " with the interrupt status " + (outcome
                    .interruptStatus() ? "set" : "clear") + ": its caller was interrupted, so throw "
                    + "InterruptedException (which clears the status), or SimulationFailedException with the status "
                    + "set again (rules 6 and 8)", ended);
        }
    }

    /** A run whose rule fails, its caller never interrupted: SimulationFailedException, and the status clear. */
    private static void failedOnThisThread(Shapes round, Simulation simulation, Switchboard board, int workers)
            throws Exception {
        int rows = round.between("rows of the failed run", 1, 10);
        int cols = round.between("columns of the failed run", 1, 5);
        int phases = round.between("phases of the failed run", 1, 4);
        Fault fault = new Fault(round.between("failing phase of the failed run", 0, phases - 1),
                round.between("failing row of the failed run", 0, rows - 1), round.between("failing column of the "
                + "failed run", 0, cols - 1), round.failure("failure of the failed run", "the rule failed"),
                round.chance("others busy in the failed run", .5), round.chance("others notice interrupts in the "
                + "failed run", .5));
        double[][] initial = Heat.grid(round, rows, cols);
        Probe probe = new Probe(initial, phases).withoutHolding().failing(fault);
        board.plug(probe);
        CallerThread.Outcome<double[][]> outcome = CallerThread.call(() -> simulation.run(initial, phases),
                () -> CallerThread.joinQuietly(probe.workers()));
        Throwable thrown = outcome.thrown();
        boolean statusAfter = outcome.interruptStatus();
        String what = Runs.shape(workers, rows, cols, phases) + ", the rule throwing " + fault.failure() + " for cell ("
                + fault.row() + ", " + fault.col() + ") of phase " + (fault.phase() + 1);
        Assertions.assertThat(thrown).as("what run() of %s threw (rule 6)", what)
                .isInstanceOf(SimulationFailedException.class);
        Assertions.assertThat(statusAfter).as("the interrupt status of a caller nobody interrupted, after run() of %s "
                + "threw SimulationFailedException: clear; the workers it stopped were interrupted, never its caller "
                + "(rule 8)", what).isFalse();
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

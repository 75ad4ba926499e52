package katas.barrierphases;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
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
                if (thread.isAlive()) {
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

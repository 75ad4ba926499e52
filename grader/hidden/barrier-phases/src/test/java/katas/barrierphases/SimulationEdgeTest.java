package katas.barrierphases;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Hidden: the smallest shapes (one row, one column, one worker, no phase) and the arguments run() refuses. */
@DisplayName("Simulation at the edges")
@KataTest
class SimulationEdgeTest {

    @Test
    @Tag("rule-1")
    @Tag("rule-2")
    @Tag("rule-5")
    @DisplayName("runs one row, one column, one worker and no phase at all")
    void smallestShapes(Shapes shapes) throws Exception {
        int phases = shapes.between("phases", 1, 6);
        Runs.succeeds(shapes, shapes.between("workers of one row", 1, 5), 1, shapes.between("columns", 1, 9), phases);
        Runs.succeeds(shapes, shapes.between("workers of one column", 1, 5), shapes.between("rows", 1, 12), 1, phases);
        Runs.succeeds(shapes, 1, shapes.between("rows of one worker", 1, 12), shapes.between("columns of one worker",
                1, 8), phases);
        Runs.succeeds(shapes, shapes.between("workers of no phase", 1, 9), shapes.between("rows of no phase", 1, 12),
                shapes.between("columns of no phase", 1, 8), 0);
    }

    @Test
    @Tag("rule-1")
    @DisplayName("refuses no workers, fewer than no phases, and grids that are empty, ragged or missing a row, also "
            + "for no phase at all")
    void refusesWhatCannotRun(Shapes shapes) {
        int workers = shapes.between("workers", 1, 4);
        double[][] grid = Heat.grid(shapes, shapes.between("rows", 2, 6), shapes.between("columns", 1, 5));
        CellRule rule = Heat::next;
        assertThatThrownBy(() -> new Simulation(shapes.between("no workers", -3, 0), rule))
                .as("rule 1: new Simulation(workers below 1, rule) must throw IllegalArgumentException (what it "
                        + "threw, null if nothing)").isInstanceOf(IllegalArgumentException.class);
        refused(() -> new Simulation(workers, rule).run(grid, shapes.between("negative phases", -5, -1)),
                "run(grid, a negative number of phases)");
        // No phase to run changes nothing: a grid that cannot run is refused before any phase (or none) runs.
        for (int phases : new int[] {0, shapes.between("phases", 1, 4)}) {
            String run = phases == 0 ? ", even for no phase at all" : "";
            refused(() -> new Simulation(workers, rule).run(new double[0][0], phases), "a grid of no rows" + run);
            refused(() -> new Simulation(workers, rule).run(new double[2][0], phases), "a grid of no columns" + run);
            double[][] ragged = Heat.copy(grid);
            ragged[shapes.between("short row, " + phases + " phases", 1, grid.length - 1)] =
                    new double[grid[0].length + shapes.oneOf("row length off by, " + phases + " phases", -1, 1)];
            refused(() -> new Simulation(workers, rule).run(ragged, phases), "a grid whose rows differ in length" + run);
            for (int missing : new int[] {0, shapes.between("missing row, " + phases + " phases", 1, grid.length - 1)}) {
                double[][] holed = Heat.copy(grid);
                holed[missing] = null;
                refused(() -> new Simulation(workers, rule).run(holed, phases), "a grid whose row " + missing
                        + " is null" + run);
            }
        }
    }

    /**
     * The call must throw IllegalArgumentException, and also on a thread whose interrupt status is set: the
     * arguments are checked before anything else, the interrupt too (red team P: a negative number of phases
     * checked after the interrupt came out as an InterruptedException, the caller's mistake reported as an
     * interrupt).
     */
    private static void refused(ThrowingCallable call, String what) {
        assertThatThrownBy(call).as("rule 1: %s must throw IllegalArgumentException (what it threw, null if nothing)",
                what).isInstanceOf(IllegalArgumentException.class);
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(call).as("rule 1: %s, run by a thread whose interrupt status is set, must throw "
                    + "IllegalArgumentException: check the arguments before anything else, the interrupt too (what it "
                    + "threw, null if nothing)", what).isInstanceOf(IllegalArgumentException.class);
        } finally {
            Thread.interrupted();
        }
    }
}

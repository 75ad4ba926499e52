package katas.barrierphases;

/**
 * How one cell changes from one phase to the next (heat diffusion, a Game of Life...). Given: do not
 * change it. A rule is called by the simulation's workers, several at the same time, each for cells of
 * its own rows; it may read any cell of {@code previous}.
 */
@FunctionalInterface
public interface CellRule {

    /**
     * The value of the cell at {@code row}, {@code col} in the next phase.
     *
     * @param previous the whole grid as the previous phase left it (read-only)
     */
    double next(Grid previous, int row, int col);
}

package katas.barrierphases;

/**
 * A read-only view of the grid as one phase left it: what a {@link CellRule} reads to compute the next
 * phase. Given: do not change it. A view is only read, never written, so any number of workers may read
 * it at the same time, as long as nobody writes the cells it shows meanwhile.
 */
public interface Grid {

    /** How many rows the grid has (at least one). */
    int rows();

    /** How many columns each row has (at least one). */
    int cols();

    /** The value of the cell at {@code row}, {@code col}, as the previous phase left it. */
    double get(int row, int col);
}

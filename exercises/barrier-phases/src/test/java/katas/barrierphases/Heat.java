package katas.barrierphases;

import java.util.Random;
import katas.testkit.Shapes;

/**
 * The physics of the tests: an uneven heat diffusion (each neighbour weighs differently, so a value read
 * from the wrong phase or the wrong cell shows in the result), random starting grids drawn from the seed,
 * and the grids one thread computes phase after phase, which the simulation must reproduce exactly.
 */
final class Heat {

    private Heat() {
    }

    /** The next value of a cell, from the grid the previous phase left (edges repeat their border cell). */
    static double next(Grid previous, int row, int col) {
        int last = previous.rows() - 1;
        int right = previous.cols() - 1;
        double self = previous.get(row, col);
        double up = previous.get(Math.max(row - 1, 0), col);
        double down = previous.get(Math.min(row + 1, last), col);
        double west = previous.get(row, Math.max(col - 1, 0));
        double east = previous.get(row, Math.min(col + 1, right));
        return 0.37 * self + 0.11 * up + 0.23 * down + 0.13 * west + 0.16 * east + 0.001 * (row - 2 * col);
    }

    /** A grid of random temperatures, some far from the others. */
    static double[][] grid(Shapes shapes, int rows, int cols) {
        Random random = shapes.random();
        double[][] grid = new double[rows][cols];
        for (double[] row : grid) {
            for (int col = 0; col < cols; col++) {
                row[col] = random.nextInt(8) == 0 ? random.nextDouble() * 1e6 : random.nextDouble() * 100 - 20;
            }
        }
        return grid;
    }

    /** Every phase's grid as one thread computes it: {@code [0]} is {@code initial}, {@code [p]} after p phases. */
    static double[][][] phases(double[][] initial, int phases) {
        double[][][] grids = new double[phases + 1][][];
        grids[0] = copy(initial);
        for (int p = 1; p <= phases; p++) {
            Grid previous = view(grids[p - 1]);
            double[][] next = new double[initial.length][initial[0].length];
            for (int row = 0; row < next.length; row++) {
                for (int col = 0; col < next[row].length; col++) {
                    next[row][col] = next(previous, row, col);
                }
            }
            grids[p] = next;
        }
        return grids;
    }

    static Grid view(double[][] cells) {
        return new Grid() {
            @Override
            public int rows() {
                return cells.length;
            }

            @Override
            public int cols() {
                return cells[0].length;
            }

            @Override
            public double get(int row, int col) {
                return cells[row][col];
            }
        };
    }

    static double[][] copy(double[][] grid) {
        double[][] copy = new double[grid.length][];
        for (int row = 0; row < grid.length; row++) {
            copy[row] = grid[row].clone();
        }
        return copy;
    }
}

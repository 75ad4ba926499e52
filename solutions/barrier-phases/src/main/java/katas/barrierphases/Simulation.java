package katas.barrierphases;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A stepped simulation: a grid updated phase after phase by worker threads, each owning a band of rows,
 * that meet at a barrier between phases. One simulation may run any number of times, one run after
 * another or at the same time from several threads.
 */
public class Simulation {

    private final int workers;
    private final CellRule rule;

    /**
     * @param workers how many worker threads share the rows of the grid (at least one)
     * @param rule how each cell changes from one phase to the next
     */
    public Simulation(int workers, CellRule rule) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, was " + workers);
        }
        this.workers = workers;
        this.rule = Objects.requireNonNull(rule, "rule");
    }

    /**
     * Runs {@code phases} phases of the rule over a copy of {@code initial} and returns the grid the last
     * phase left. The rules are in the kata's README.
     *
     * @param initial the grid before the first phase: at least one row, all rows of the same length (at
     *     least one); left untouched
     * @param phases how many phases to run (zero or more)
     * @return a new grid: the values after the last phase
     * @throws SimulationFailedException when the rule threw, with what it threw as the cause
     * @throws InterruptedException when the calling thread was interrupted before or during the run
     */
    public double[][] run(double[][] initial, int phases) throws SimulationFailedException, InterruptedException {
        int rows = checkedRows(initial);
        if (phases < 0) {
            throw new IllegalArgumentException("phases must be zero or more, was " + phases);
        }
        if (Thread.interrupted()) { // FIX: interrupted before the call: no phase runs (rule 8)
            throw new InterruptedException("interrupted before the simulation started");
        }
        // FIX: everything a run needs lives in this call, so runs one after another or at once never mix (rule 9).
        Buffers buffers = new Buffers(initial);
        if (phases == 0) {
            return buffers.read; // FIX: no phase: a copy of the grid, and no rule called (rule 1)
        }
        int bands = Math.min(workers, rows); // FIX: a worker with no row would only meet the others
        // FIX: one party per worker, and the swap as the barrier action: it runs once per phase, after every
        // worker has written its band and before any of them reads the next phase (rules 3, 4).
        CyclicBarrier barrier = new CyclicBarrier(bands, buffers::swap);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>(bands);
        for (int band = 0; band < bands; band++) {
            // FIX: rows * band / bands spreads the remainder of rows / bands over the bands: no row is lost (rule 2)
            int from = rows * band / bands;
            int to = rows * (band + 1) / bands;
            threads.add(new Thread(() -> work(buffers, barrier, from, to, phases, failure, threads),
                    "simulation worker " + band));
        }
        for (Thread thread : threads) {
            thread.start();
        }
        try {
            for (Thread thread : threads) {
                thread.join(); // FIX: the grid is ready, and no worker is left, only once all have ended (rule 7)
            }
        } catch (InterruptedException interrupted) {
            interruptAll(threads); // FIX: an interrupted caller stops its workers...
            joinEvenIfInterrupted(threads); // FIX: ...waits until every one has ended...
            throw interrupted; // FIX: ...and tells its own caller (rule 8)
        }
        Throwable failed = failure.get();
        if (failed != null) {
            throw new SimulationFailedException(failed); // FIX: what the rule threw, not the barrier's fallout (rule 6)
        }
        return buffers.read; // FIX: after the last swap, the last phase's values are the ones to read
    }

    private void work(Buffers buffers, CyclicBarrier barrier, int from, int to, int phases,
            AtomicReference<Throwable> failure, List<Thread> threads) {
        try {
            for (int phase = 0; phase < phases; phase++) {
                for (int row = from; row < to; row++) {
                    for (int col = 0; col < buffers.cols(); col++) {
                        // FIX: read the previous phase, write the next one: never the grid being written (rule 4)
                        buffers.write(row, col, rule.next(buffers, row, col));
                    }
                }
                try {
                    barrier.await(); // FIX: nobody starts phase + 1 before every band of this phase is written (rule 3)
                } catch (InterruptedException | BrokenBarrierException stopped) {
                    // Stopped by the caller, or by another worker's failure: that one is the failure to report.
                    return;
                }
            }
        } catch (Throwable failed) { // FIX: whatever the rule throws is a failure, an Error or a checked exception too,
            // FIX: even an InterruptedException or BrokenBarrierException of its own: only await() means "stop" (rule 6)
            failure.compareAndSet(null, failed); // FIX: the first failure is the one to report (rule 6)
            // FIX: the others would wait at the barrier for this worker forever: stop them (rule 6).
            interruptAll(threads);
        }
    }

    private static int checkedRows(double[][] initial) {
        Objects.requireNonNull(initial, "initial");
        if (initial.length == 0 || initial[0] == null || initial[0].length == 0) {
            throw new IllegalArgumentException("the grid needs at least one row and one column");
        }
        for (double[] row : initial) {
            if (row == null || row.length != initial[0].length) {
                throw new IllegalArgumentException("every row of the grid must have " + initial[0].length
                        + " columns");
            }
        }
        return initial.length;
    }

    /** Interrupts every worker (a failing worker interrupts itself too, harmlessly: it is ending anyway). */
    private static void interruptAll(List<Thread> threads) {
        for (Thread thread : threads) {
            thread.interrupt();
        }
    }

    /** Waits for every thread to end, even when interrupted meanwhile: the caller throws that interrupt anyway. */
    private static void joinEvenIfInterrupted(List<Thread> threads) {
        for (Thread thread : threads) {
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException again) {
                    // FIX: keep waiting: no worker may outlive the call (rule 7).
                }
            }
        }
    }

    /**
     * The two grids of a run, seen by the rule as the one the last phase left: workers read {@code read}
     * and write {@code write}, and only the barrier action swaps them, while every worker waits.
     */
    private static final class Buffers implements Grid {
        private double[][] read;
        private double[][] write;

        Buffers(double[][] initial) {
            read = new double[initial.length][];
            write = new double[initial.length][];
            for (int row = 0; row < initial.length; row++) {
                read[row] = initial[row].clone(); // FIX: the caller's grid is left untouched (rule 1)
                write[row] = new double[initial[row].length];
            }
        }

        /** The barrier action: runs once per phase, in the last worker to arrive, while the others wait. */
        void swap() {
            double[][] written = write;
            write = read;
            read = written;
        }

        void write(int row, int col, double value) {
            write[row][col] = value;
        }

        @Override
        public int rows() {
            return read.length;
        }

        @Override
        public int cols() {
            return read[0].length;
        }

        @Override
        public double get(int row, int col) {
            return read[row][col];
        }
    }
}

package katas.barrierphases;

/**
 * A stepped simulation: a grid updated phase after phase by worker threads, each owning a band of rows,
 * that meet at a barrier between phases. One simulation may run any number of times, one run after
 * another or at the same time from several threads.
 */
public class Simulation {

    /**
     * @param workers how many worker threads share the rows of the grid (at least one)
     * @param rule how each cell changes from one phase to the next
     */
    public Simulation(int workers, CellRule rule) {
        // TODO: keep what run() needs; a run must not leave anything here that the next run would see.
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
        // TODO: a worker that starts phase k + 1 while another still writes phase k reads half-written cells.
        // TODO: a grid read and written in the same phase mixes two phases' values.
        // TODO: a worker that throws never reaches the barrier, and the others wait there for it forever.
        // TODO: a thread goes on running after this method has returned unless it is waited for.
        throw new UnsupportedOperationException("TODO: run the phases on worker threads that meet at a barrier");
    }
}

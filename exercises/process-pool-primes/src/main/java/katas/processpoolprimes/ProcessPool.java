package katas.processpoolprimes;

/**
 * A fixed number of worker processes (JVMs running a worker's {@code main}) that count primes
 * together. {@link #countPrimes} is called by one thread at a time; {@link #close} may be called
 * from any thread at any time, also while {@code countPrimes} runs.
 */
public class ProcessPool implements AutoCloseable {

    /** How many workers one range may crash, or be killed on, before {@link #countPrimes} gives up. */
    public static final int MAX_ATTEMPTS = 3;

    /** Starts {@code size} worker processes running {@link PrimeWorker}. */
    public ProcessPool(int size) {
        this(size, PrimeWorker.class);
    }

    /**
     * Starts {@code size} worker processes, each a new JVM on this JVM's class path running
     * {@code workerMain}'s {@code main} with {@code workerArgs}, and returns once all are started.
     *
     * @throws IllegalArgumentException if {@code size < 1} (nothing is started)
     * @throws java.io.UncheckedIOException if a worker cannot be started (none is left running)
     */
    public ProcessPool(int size, Class<?> workerMain, String... workerArgs) {
        // TODO: if the third worker cannot be started, the first two are already running, and once
        // this constructor throws, nobody holds a reference that could ever stop them.
        throw new UnsupportedOperationException(
                "TODO: start `size` worker processes (java -cp <this JVM's class path> <workerMain> <workerArgs>)");
    }

    /**
     * Counts the primes in {@code [from, to)}: the span is cut into consecutive ranges of
     * {@code rangeSize} numbers (the last may be shorter), each sent to a worker as one request.
     *
     * @throws IllegalArgumentException if {@code from > to} or {@code rangeSize < 1}
     * @throws IllegalStateException if the pool is closed before or while counting, a range
     *     failed on {@link #MAX_ATTEMPTS} workers, or the calling thread was interrupted (its
     *     interrupt status stays set)
     */
    public long countPrimes(long from, long to, long rangeSize) {
        // TODO: a worker may die in the middle of a range (crash, or killed from outside); its
        // answer never comes, and the primes of that range must not go missing from the total.
        // TODO: near Long.MAX_VALUE, start + rangeSize no longer fits in a long.
        throw new UnsupportedOperationException(
                "TODO: send the ranges to the workers, all busy at once, and add up their answers");
    }

    /** Stops every worker and returns once each has exited; later calls do nothing. */
    @Override
    public void close() {
        // TODO: a worker that is still running when close() returns is an orphan: nobody will ever stop it.
        // A killed process is still there for a moment, and another thread may be in close() already.
        throw new UnsupportedOperationException("TODO: stop every worker process and wait until each has exited");
    }
}

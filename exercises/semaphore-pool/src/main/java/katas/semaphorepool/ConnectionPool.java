package katas.semaphorepool;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A pool of a fixed number of database connections, lent to one borrower at a time. All methods may be
 * called from any thread at the same time.
 */
public class ConnectionPool implements AutoCloseable {

    /**
     * A pool of {@code size} connections, each made once by {@code factory}.
     *
     * @throws IllegalArgumentException when {@code size} is below 1
     */
    public ConnectionPool(int size, Supplier<Connection> factory) {
        // TODO: the database accepts only `size` connections: opening one per call, or lending more than
        //  `size` at once, is what brought it down.
    }

    /**
     * Borrows a connection, waiting at most {@code timeout} for one to come back when all are borrowed.
     *
     * @throws TimeoutException when none came back in time (nothing is borrowed then)
     * @throws InterruptedException when interrupted while waiting (nothing is borrowed then)
     * @throws IllegalStateException when the pool is closed, or began closing while this call waited
     */
    public Connection acquire(Duration timeout) throws InterruptedException, TimeoutException {
        // TODO: two threads can both see a free connection and take the same one.
        // TODO: a caller that waits without a bound waits forever when a borrower never gives back.
        throw new UnsupportedOperationException("TODO: lend a connection, waiting at most the timeout");
    }

    /**
     * Gives back a borrowed connection.
     *
     * @throws IllegalArgumentException when {@code connection} is null or not one of this pool's
     * @throws IllegalStateException when {@code connection} is this pool's but not borrowed (given back twice)
     */
    public void release(Connection connection) {
        // TODO: a connection given back twice counts twice unless something remembers who has it.
        throw new UnsupportedOperationException("TODO: take a borrowed connection back");
    }

    /**
     * Borrows a connection (as {@link #acquire}), runs {@code work} with it and gives it back, also when
     * {@code work} throws, and returns what {@code work} returned.
     */
    public <T> T withConnection(Duration timeout, Function<Connection, T> work)
            throws InterruptedException, TimeoutException {
        // TODO: when work throws, the connection is lost to the pool unless something gives it back.
        throw new UnsupportedOperationException("TODO: borrow, run the work, give back");
    }

    /**
     * Closes the pool: refuses every new borrower at once, then waits until every borrowed connection
     * has come back. Calling it again waits the same way and returns.
     *
     * @throws InterruptedException when interrupted while waiting (the pool stays closed)
     */
    @Override
    public void close() throws InterruptedException {
        // TODO: a connection still borrowed when close() returns is in use on a closed pool.
        throw new UnsupportedOperationException("TODO: refuse new borrowers, wait for the borrowed ones");
    }
}

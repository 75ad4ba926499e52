package katas.semaphorepool;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A pool of a fixed number of database connections, lent to one borrower at a time. All methods may be
 * called from any thread at the same time.
 */
public class ConnectionPool implements AutoCloseable {

    private final int size;
    // FIX: one permit per connection: a borrower takes a permit before a connection, so at most size are out.
    private final Semaphore permits;
    // FIX: the permits count, the lock hands out: two borrowers never pop the same connection.
    private final Object lock = new Object();
    private final Set<Connection> mine = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Deque<Connection> idle = new ArrayDeque<>(); // guarded by lock
    // FIX: each borrowed connection with its loan (a new object per acquire): withConnection gives back its own loan
    // only, never the next borrower's when its work already gave the connection back.
    private final Map<Connection, Object> borrowed = new IdentityHashMap<>(); // guarded by lock
    private volatile boolean closed;

    /**
     * A pool of {@code size} connections, each made once by {@code factory}.
     *
     * @throws IllegalArgumentException when {@code size} is below 1
     */
    public ConnectionPool(int size, Supplier<Connection> factory) {
        if (size < 1) {
            throw new IllegalArgumentException("a pool needs at least one connection, was asked for " + size);
        }
        Objects.requireNonNull(factory, "factory");
        this.size = size;
        this.permits = new Semaphore(size);
        for (int i = 0; i < size; i++) {
            // FIX: made once, here, and reused: opening a connection per call is what a pool avoids.
            Connection connection = Objects.requireNonNull(factory.get(), "the factory made no connection");
            mine.add(connection);
            idle.push(connection);
        }
    }

    /**
     * Borrows a connection, waiting at most {@code timeout} for one to come back when all are borrowed.
     *
     * @throws TimeoutException when none came back in time (nothing is borrowed then)
     * @throws InterruptedException when interrupted while waiting (nothing is borrowed then)
     * @throws IllegalStateException when the pool is closed, or began closing while this call waited
     */
    public Connection acquire(Duration timeout) throws InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        if (closed) {
            throw new IllegalStateException("the pool is closed: no connection is lent any more");
        }
        // FIX: a bounded, interruptible wait; a timed-out or interrupted wait takes no permit.
        if (!permits.tryAcquire(nanos(timeout), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("no connection came back within " + timeout);
        }
        if (closed) { // FIX: close() began while this call waited: give the permit back to close() instead
            permits.release();
            throw new IllegalStateException("the pool was closed while this call waited for a connection");
        }
        synchronized (lock) {
            Connection connection = idle.pop();
            borrowed.put(connection, new Object());
            return connection;
        }
    }

    /**
     * Gives back a borrowed connection.
     *
     * @throws IllegalArgumentException when {@code connection} is null or not one of this pool's
     * @throws IllegalStateException when {@code connection} is this pool's but not borrowed (given back twice)
     */
    public void release(Connection connection) {
        giveBack(connection, null);
    }

    /** Gives back {@code connection}: any loan of it when {@code loan} is null, else that loan only. */
    private void giveBack(Connection connection, Object loan) {
        synchronized (lock) {
            if (!mine.contains(connection)) { // null is not one of mine either
                throw new IllegalArgumentException("not a connection of this pool: " + connection);
            }
            // FIX: a connection given back twice must not become a second permit: the pool would grow.
            if (loan == null ? borrowed.remove(connection) == null : !borrowed.remove(connection, loan)) {
                throw new IllegalStateException("this connection is not borrowed (given back twice?): " + connection);
            }
            idle.push(connection); // FIX: back in the idle list before its permit, so a permit always finds one
        }
        permits.release();
    }

    /**
     * Borrows a connection (as {@link #acquire}), runs {@code work} with it and gives it back, also when
     * {@code work} throws, and returns what {@code work} returned.
     */
    public <T> T withConnection(Duration timeout, Function<Connection, T> work)
            throws InterruptedException, TimeoutException {
        Objects.requireNonNull(work, "work");
        Connection connection = acquire(timeout); // FIX: outside the try: a failed acquire gives nothing back
        Object loan;
        synchronized (lock) {
            loan = borrowed.get(connection); // this call's loan: the work may give it back, and another borrow it
        }
        try {
            return work.apply(connection);
        } finally {
            giveBack(connection, loan); // FIX: in finally, so a RuntimeException, an Error or a checked one leaks nothing
        }
    }

    /**
     * Closes the pool: refuses every new borrower at once, then waits until every borrowed connection
     * has come back. Calling it again waits the same way and returns.
     *
     * @throws InterruptedException when interrupted while waiting (the pool stays closed)
     */
    @Override
    public void close() throws InterruptedException {
        closed = true;
        // FIX: all permits free at once means nothing is borrowed; a waiter that gets one now gives it back.
        permits.acquire(size);
        permits.release(size); // so that a second close() finds them too
    }

    private static long nanos(Duration timeout) {
        try {
            return timeout.toNanos(); // zero or below: the semaphore does not wait
        } catch (ArithmeticException beyond292Years) {
            // FIX: a timeout of centuries is "as long as it takes" (and one of minus centuries "do not wait").
            return timeout.isNegative() ? 0 : Long.MAX_VALUE;
        }
    }
}

package katas.boundedbuffer;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A first-in, first-out queue of at most {@code capacity} items that producers and consumers on many threads share:
 * a producer waits while it is full, a consumer while it is empty. All methods may be called from any thread at
 * the same time.
 *
 * @param <T> the items' type; null is not an item
 */
public class BoundedBuffer<T> {

    /**
     * A buffer of {@code capacity} items with a lock of its own.
     *
     * @throws IllegalArgumentException when {@code capacity} is below 1
     */
    public BoundedBuffer(int capacity) {
        // TODO: a buffer of 0 places would make every producer wait forever.
    }

    /**
     * A buffer of {@code capacity} items that guards its state with {@code lock} and waits on conditions made
     * from it ({@code lock.newCondition()}).
     *
     * @throws IllegalArgumentException when {@code capacity} is below 1
     * @throws NullPointerException when {@code lock} is null
     */
    public BoundedBuffer(int capacity, ReentrantLock lock) {
        // TODO: producers and consumers change the same places and counts; a waiter must be woken by someone.
    }

    /**
     * Adds {@code item} at the end, waiting while the buffer is full.
     *
     * @throws NullPointerException when {@code item} is null
     * @throws InterruptedException when interrupted while waiting (nothing is added then)
     * @throws BufferClosedException when the buffer is closed, or closes while this call waits
     */
    public void put(T item) throws InterruptedException {
        // TODO: a waiter can wake up when nothing changed, and a full buffer may still be full when it does.
        throw new UnsupportedOperationException("TODO: add the item at the end, waiting while the buffer is full");
    }

    /**
     * Adds {@code item} at the end, waiting at most {@code timeout} (in all, however often it wakes) while the
     * buffer is full. A timeout of zero or below means: do not wait.
     *
     * @return true when added, false when the buffer stayed full for the whole timeout (nothing is added then)
     * @throws NullPointerException when {@code item} is null
     * @throws InterruptedException when interrupted while waiting (nothing is added then)
     * @throws BufferClosedException when the buffer is closed, or closes while this call waits
     */
    public boolean offer(T item, Duration timeout) throws InterruptedException {
        // TODO: a waiter that starts its timeout afresh on every wakeup may never give up.
        throw new UnsupportedOperationException("TODO: add the item, waiting at most the timeout");
    }

    /**
     * Removes and returns the first item, waiting while the buffer is empty.
     *
     * @throws InterruptedException when interrupted while waiting (nothing is taken then)
     * @throws BufferClosedException when the buffer is closed and empty: every item put before was taken
     */
    public T take() throws InterruptedException {
        // TODO: the place an item is read from and the count must change together, or two consumers get one item.
        throw new UnsupportedOperationException("TODO: remove the first item, waiting while the buffer is empty");
    }

    /**
     * Removes and returns the first item, waiting at most {@code timeout} (in all) while the buffer is empty. A
     * timeout of zero or below means: do not wait.
     *
     * @return the first item, or empty when the buffer stayed empty for the whole timeout (nothing is taken then)
     * @throws InterruptedException when interrupted while waiting (nothing is taken then)
     * @throws BufferClosedException when the buffer is closed and empty: every item put before was taken
     */
    public Optional<T> poll(Duration timeout) throws InterruptedException {
        // TODO: a timed-out wait must leave the buffer as it found it.
        throw new UnsupportedOperationException("TODO: remove the first item, waiting at most the timeout");
    }

    /**
     * Closes the buffer: every waiting producer, and every later put or offer, gets {@link BufferClosedException};
     * consumers go on taking what is left, in order, and then get {@link BufferClosedException}. A second close
     * does nothing.
     */
    public void close() {
        // TODO: a thread that waits for room or for an item must hear about the close, or it waits forever.
        throw new UnsupportedOperationException("TODO: close the buffer and wake every waiter");
    }

    /** How many items the buffer holds now. */
    public int size() {
        throw new UnsupportedOperationException("TODO: how many items the buffer holds");
    }

    /** How many items the buffer can hold. */
    public int capacity() {
        throw new UnsupportedOperationException("TODO: how many items the buffer can hold");
    }
}

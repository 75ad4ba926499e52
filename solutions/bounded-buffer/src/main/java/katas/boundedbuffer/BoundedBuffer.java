package katas.boundedbuffer;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A first-in, first-out queue of at most {@code capacity} items that producers and consumers on many threads share:
 * a producer waits while it is full, a consumer while it is empty. All methods may be called from any thread at
 * the same time.
 *
 * @param <T> the items' type; null is not an item
 */
public class BoundedBuffer<T> {

    // FIX: one lock guards every field below; each waiting side has a condition of its own, so that a put wakes
    // only consumers and a take only producers, and signal() (one of them) is enough.
    private final ReentrantLock lock;
    private final Condition notFull;
    private final Condition notEmpty;
    // FIX: a ring: items live in [head, head + count) modulo the length, so no put or take moves the others.
    private final Object[] items;
    private int head;
    private int count;
    private boolean closed;

    /**
     * A buffer of {@code capacity} items with a lock of its own.
     *
     * @throws IllegalArgumentException when {@code capacity} is below 1
     */
    public BoundedBuffer(int capacity) {
        this(capacity, new ReentrantLock());
    }

    /**
     * A buffer of {@code capacity} items that guards its state with {@code lock} and waits on conditions made
     * from it ({@code lock.newCondition()}).
     *
     * @throws IllegalArgumentException when {@code capacity} is below 1
     * @throws NullPointerException when {@code lock} is null
     */
    public BoundedBuffer(int capacity, ReentrantLock lock) {
        if (capacity < 1) {
            throw new IllegalArgumentException("a buffer holds at least one item, was asked for " + capacity);
        }
        this.lock = Objects.requireNonNull(lock, "lock");
        this.notFull = lock.newCondition();
        this.notEmpty = lock.newCondition();
        this.items = new Object[capacity];
    }

    /**
     * Adds {@code item} at the end, waiting while the buffer is full.
     *
     * @throws NullPointerException when {@code item} is null
     * @throws InterruptedException when interrupted while waiting (nothing is added then)
     * @throws BufferClosedException when the buffer is closed, or closes while this call waits
     */
    public void put(T item) throws InterruptedException {
        Objects.requireNonNull(item, "a buffer holds no null item");
        lock.lockInterruptibly();
        try { // FIX: unlock in finally: a call that throws must never leave the lock held
            while (!closed && count == items.length) { // FIX: while, not if: a waiter may wake for no reason
                notFull.await();
            }
            insert(item);
        } finally {
            lock.unlock();
        }
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
        Objects.requireNonNull(item, "a buffer holds no null item");
        long nanos = TimeUnit.NANOSECONDS.convert(timeout); // FIX: saturates where toNanos() throws for huge timeouts
        lock.lockInterruptibly();
        try {
            while (!closed && count == items.length) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = notFull.awaitNanos(nanos); // FIX: what is left, not the whole timeout again
            }
            insert(item);
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Removes and returns the first item, waiting while the buffer is empty.
     *
     * @throws InterruptedException when interrupted while waiting (nothing is taken then)
     * @throws BufferClosedException when the buffer is closed and empty: every item put before was taken
     */
    public T take() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (!closed && count == 0) {
                notEmpty.await();
            }
            return remove();
        } finally {
            lock.unlock();
        }
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
        long nanos = TimeUnit.NANOSECONDS.convert(timeout);
        lock.lockInterruptibly();
        try {
            while (!closed && count == 0) {
                if (nanos <= 0) {
                    return Optional.empty();
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            return Optional.of(remove());
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the buffer: every waiting producer, and every later put or offer, gets {@link BufferClosedException};
     * consumers go on taking what is left, in order, and then get {@link BufferClosedException}. A second close
     * does nothing.
     */
    public void close() {
        lock.lock();
        try {
            closed = true;
            // FIX: signalAll: every waiter must look at closed, not one of them.
            notFull.signalAll();
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** How many items the buffer holds now. */
    public int size() {
        lock.lock();
        try {
            return count;
        } finally {
            lock.unlock();
        }
    }

    /** How many items the buffer can hold. */
    public int capacity() {
        return items.length;
    }

    /** Called with the lock held, when the buffer is closed or has room. */
    private void insert(T item) {
        if (closed) {
            throw new BufferClosedException("the buffer is closed: it takes no more items");
        }
        items[(head + count) % items.length] = item;
        count++;
        notEmpty.signal(); // FIX: one item, one consumer: only consumers wait on notEmpty
    }

    /** Called with the lock held, when the buffer is closed or holds an item. */
    private T remove() {
        if (count == 0) {
            throw new BufferClosedException("the buffer is closed and every item in it was taken");
        }
        @SuppressWarnings("unchecked")
        T item = (T) items[head];
        items[head] = null; // the buffer keeps no reference to an item it gave away
        head = (head + 1) % items.length;
        count--;
        notFull.signal(); // one free place, one producer
        return item;
    }
}

package katas.readwritecache;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * A read-mostly cache in front of a slow store: {@link #get} returns the value kept for a key, or loads it with the
 * {@link Loader} once, however many threads ask for it at the same moment. All methods may be called from any thread
 * at the same time.
 *
 * @param <K> the keys' type; keys are never null
 * @param <V> the values' type; values are never null
 */
public class ReadWriteCache<K, V> {

    /** A cache with a lock of its own (rule 8 says which kind of lock will do). */
    public ReadWriteCache(Loader<K, V> loader) {
        // TODO: then do what the other constructor does. A lock that always lets new readers in past a waiting writer
        //  can keep that writer out forever.
    }

    /** A cache that guards its entries with {@code lock}: gets of kept values share the read lock, changes take the write lock. */
    public ReadWriteCache(Loader<K, V> loader, ReadWriteLock lock) {
        // TODO: the tests hand you this lock and look at it to see who reads and who writes.
    }

    /**
     * The value kept for {@code key}, or the one loaded now. A load already in flight for the key is waited for,
     * never started twice.
     *
     * @throws ExecutionException when the load this call waited for (its own or another thread's) threw; its cause
     *     is what the loader threw. Nothing is kept then: the next get loads again.
     * @throws InterruptedException when interrupted while waiting for another thread's load (that load goes on)
     */
    public V get(K key) throws InterruptedException, ExecutionException {
        // TODO: two threads can both see the key missing and both load it; a read lock cannot become a write lock.
        throw new UnsupportedOperationException("TODO: return the value kept for the key, or load it once");
    }

    /** Keeps {@code value} for {@code key}; a load of the key still in flight will not replace it. */
    public void put(K key, V value) {
        // TODO: a load that started before this put can finish after it.
        throw new UnsupportedOperationException("TODO: keep the value for the key");
    }

    /** Forgets {@code key}: the next get loads it again; a load of the key still in flight will not be kept. */
    public void invalidate(K key) {
        // TODO: a reader may be looking at the entries right now.
        throw new UnsupportedOperationException("TODO: forget the key");
    }

    /** How many keys hold a value now (loads in flight and failed ones do not count). */
    public int size() {
        // TODO: a writer may be changing the entries while you count them.
        throw new UnsupportedOperationException("TODO: count the keys that hold a value");
    }

    /** A copy of every key and value held now, all read at one moment (loads in flight and failed ones left out). */
    public Map<K, V> snapshot() {
        // TODO: a copy made while a writer changes the entries can be half old, half new.
        throw new UnsupportedOperationException("TODO: copy every key and value held now");
    }
}

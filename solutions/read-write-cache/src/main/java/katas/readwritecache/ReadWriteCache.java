package katas.readwritecache;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A read-mostly cache in front of a slow store: {@link #get} returns the value kept for a key, or loads it with the
 * {@link Loader} once, however many threads ask for it at the same moment. All methods may be called from any thread
 * at the same time.
 *
 * @param <K> the keys' type; keys are never null
 * @param <V> the values' type; values are never null
 */
public class ReadWriteCache<K, V> {

    private final Loader<K, V> loader;
    private final Lock readLock;
    private final Lock writeLock;
    // FIX: one entry per key, a value or a load in flight (the placeholder the others wait on); guarded by the lock.
    private final Map<K, Future<V>> entries = new HashMap<>();

    /** A cache with a lock of its own. */
    public ReadWriteCache(Loader<K, V> loader) {
        // FIX: the JDK's lock, not fair, still lets a waiting writer in before new readers: no writer starves.
        this(loader, new ReentrantReadWriteLock());
    }

    /** A cache that guards its entries with {@code lock}: gets of kept values share the read lock, changes take the write lock. */
    public ReadWriteCache(Loader<K, V> loader, ReadWriteLock lock) {
        this.loader = Objects.requireNonNull(loader, "loader");
        this.readLock = lock.readLock();
        this.writeLock = lock.writeLock();
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
        Future<V> entry = find(key);
        if (entry == null) {
            FutureTask<V> load = new FutureTask<>(() -> loader.load(key));
            entry = claim(key, load);
            if (entry == load) {
                load.run(); // FIX: the slow load runs with no lock held: other keys and kept values stay readable
                if (load.state() == Future.State.FAILED) {
                    forget(key, load); // FIX: a failure is handed to its waiters, never kept
                }
            }
        }
        return entry.get(); // FIX: every waiter gets the one load's value, or its failure as the cause
    }

    private Future<V> find(K key) {
        readLock.lock(); // FIX: readers share the read lock
        try {
            return entries.get(key);
        } finally {
            readLock.unlock();
        }
    }

    /** Puts {@code load} in as the key's placeholder, unless another thread got there first: then theirs. */
    private Future<V> claim(K key, FutureTask<V> load) {
        // FIX: a read lock cannot be upgraded: let it go, take the write lock, and look again (check and act in one).
        writeLock.lock();
        try {
            Future<V> there = entries.putIfAbsent(key, load);
            return there == null ? load : there;
        } finally {
            writeLock.unlock();
        }
    }

    private void forget(K key, Future<V> failed) {
        writeLock.lock();
        try {
            entries.remove(key, failed); // FIX: only this placeholder: a put meanwhile stays
        } finally {
            writeLock.unlock();
        }
    }

    /** Keeps {@code value} for {@code key}; a load of the key still in flight will not replace it. */
    public void put(K key, V value) {
        writeLock.lock();
        try {
            // FIX: the put replaces the placeholder, so a load that started earlier is handed only to its own waiters.
            entries.put(key, CompletableFuture.completedFuture(value));
        } finally {
            writeLock.unlock();
        }
    }

    /** Forgets {@code key}: the next get loads it again; a load of the key still in flight will not be kept. */
    public void invalidate(K key) {
        writeLock.lock();
        try {
            entries.remove(key);
        } finally {
            writeLock.unlock();
        }
    }

    /** How many keys hold a value now (loads in flight and failed ones do not count). */
    public int size() {
        readLock.lock();
        try {
            int kept = 0;
            for (Future<V> entry : entries.values()) {
                if (entry.state() == Future.State.SUCCESS) {
                    kept++;
                }
            }
            return kept;
        } finally {
            readLock.unlock();
        }
    }

    /** A copy of every key and value held now, all read at one moment (loads in flight and failed ones left out). */
    public Map<K, V> snapshot() {
        readLock.lock();
        try {
            Map<K, V> copy = new HashMap<>();
            entries.forEach((key, entry) -> {
                if (entry.state() == Future.State.SUCCESS) {
                    copy.put(key, entry.resultNow());
                }
            });
            return copy;
        } finally {
            readLock.unlock();
        }
    }
}

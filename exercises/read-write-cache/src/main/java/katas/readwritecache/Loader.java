package katas.readwritecache;

/**
 * Computes the value of a key from the slow store behind the cache. It may take long, and it may throw anything: a
 * {@code RuntimeException}, an {@code Error} or a checked exception. Given: do not change it.
 *
 * @param <K> the keys' type
 * @param <V> the values' type
 */
@FunctionalInterface
public interface Loader<K, V> {

    /** The value of {@code key}, computed now. */
    V load(K key) throws Exception;
}

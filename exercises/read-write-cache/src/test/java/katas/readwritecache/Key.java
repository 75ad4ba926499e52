package katas.readwritecache;

import java.util.Objects;

/**
 * A key of the tests. Its {@code hashCode} calls a hook the test owns (a map hashes the key while the cache holds
 * its lock, so the hook sees from inside who holds what, and can hold a reader there or throw); two keys may share a
 * hash code on purpose. Equal keys are equal by name, so a test can ask with a fresh instance of a kept key.
 */
final class Key {

    /** What a key's {@code hashCode} calls before it answers. */
    @FunctionalInterface
    interface Hook {
        Hook NONE = key -> { };

        void hashed(Key key);
    }

    private final String name;
    private final int hash;
    private final Hook hook;

    Key(String name, int hash, Hook hook) {
        this.name = Objects.requireNonNull(name);
        this.hash = hash;
        this.hook = Objects.requireNonNull(hook);
    }

    static Key of(String name) {
        return new Key(name, name.hashCode(), Hook.NONE);
    }

    /** An equal key, another instance, whose {@code hashCode} calls {@code hook}. */
    Key with(Hook other) {
        return new Key(name, hash, other);
    }

    String name() {
        return name;
    }

    @Override
    public int hashCode() {
        hook.hashed(this);
        return hash;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Key key && key.name.equals(name);
    }

    @Override
    public String toString() {
        return name;
    }
}

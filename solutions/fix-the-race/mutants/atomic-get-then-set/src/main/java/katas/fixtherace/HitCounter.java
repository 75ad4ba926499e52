package katas.fixtherace;

import java.util.concurrent.atomic.AtomicLong;

/** MUTANT atomic-get-then-set: each call is atomic, the pair is not. */
public class HitCounter {

    private final AtomicLong hits = new AtomicLong();

    public void increment() {
        hits.set(hits.get() + 1);
    }

    public long get() {
        return hits.get();
    }
}

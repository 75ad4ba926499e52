package katas.fixtherace;

import java.util.concurrent.atomic.AtomicLong;

/** Alternative fix: one atomic read-add-write per hit. */
public class HitCounter {

    private final AtomicLong hits = new AtomicLong();

    public void increment() {
        hits.incrementAndGet();
    }

    public long get() {
        return hits.get();
    }
}

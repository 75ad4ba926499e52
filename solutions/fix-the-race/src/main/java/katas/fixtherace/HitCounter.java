package katas.fixtherace;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counts page hits. All methods may be called from any thread at the same time, and no hit may
 * ever be lost.
 */
public class HitCounter {

    // FIX: a LongAdder makes each increment one atomic step, and spreads contention over cells.
    private final LongAdder hits = new LongAdder();

    /** Records one hit. */
    public void increment() {
        hits.increment(); // FIX: read, add and write happen as one indivisible action
    }

    /** The number of hits recorded so far. */
    public long get() {
        return hits.sum();
    }
}

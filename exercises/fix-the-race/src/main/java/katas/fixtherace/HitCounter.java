package katas.fixtherace;

/**
 * Counts page hits. All methods may be called from any thread at the same time, and no hit may
 * ever be lost.
 */
public class HitCounter {

    private long hits;

    /** Records one hit. */
    public void increment() {
        // TODO: `hits++` is read, add, write: two threads can both read the same `hits` before either writes it back.
        hits++;
    }

    /** The number of hits recorded so far. */
    public long get() {
        return hits;
    }
}

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
        // TODO: a plain read may be done once and kept by a compiled loop: another thread's hits may never show.
        return hits;
    }
}

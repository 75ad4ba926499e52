package katas.fixtherace;

/** MUTANT unsynchronized: the read-add-write of hits++ is not atomic. */
public class HitCounter {

    private long hits;

    public void increment() {
        hits++;
    }

    public long get() {
        return hits;
    }
}

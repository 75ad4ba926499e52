package katas.fixtherace;

/** Alternative fix: the plain counter, with every read and write under this object's monitor. */
public class HitCounter {

    private long hits;

    public synchronized void increment() {
        hits++;
    }

    public synchronized long get() {
        return hits;
    }
}

package katas.fixtherace;

/** MUTANT volatile-only: visibility without atomicity. */
public class HitCounter {

    private volatile long hits;

    public void increment() {
        hits++;
    }

    public long get() {
        return hits;
    }
}

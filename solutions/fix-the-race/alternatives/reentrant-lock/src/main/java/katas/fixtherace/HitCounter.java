package katas.fixtherace;

import java.util.concurrent.locks.ReentrantLock;

/** Alternative fix: an explicit lock instead of a LongAdder. */
public class HitCounter {

    private final ReentrantLock lock = new ReentrantLock();
    private long hits;

    public void increment() {
        lock.lock();
        try {
            hits++;
        } finally {
            lock.unlock();
        }
    }

    public long get() {
        lock.lock();
        try {
            return hits;
        } finally {
            lock.unlock();
        }
    }
}

package katas.fixtherace;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/** MUTANT lock-created-per-call: every caller gets a private lock. */
public class HitCounter {

    private long hits;

    public void increment() {
        Lock lock = new ReentrantLock();
        lock.lock();
        try {
            hits++;
        } finally {
            lock.unlock();
        }
    }

    public long get() {
        Lock lock = new ReentrantLock();
        lock.lock();
        try {
            return hits;
        } finally {
            lock.unlock();
        }
    }
}

package katas.semaphorepool;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A connection made by the tests' factory: it knows how many borrowers hold it right now, so that a
 * connection lent to two borrowers at once is seen while it happens.
 */
final class Probe implements Connection {

    private final String name;
    private final AtomicInteger holders = new AtomicInteger();

    Probe(String name) {
        this.name = name;
    }

    /** A borrower starts using it; returns how many hold it now, this one included. */
    int taken() {
        return holders.incrementAndGet();
    }

    /** A borrower is done with it. */
    void givenBack() {
        holders.decrementAndGet();
    }

    @Override
    public String execute(String statement) {
        return name + ": " + statement;
    }

    @Override
    public String toString() {
        return name;
    }
}

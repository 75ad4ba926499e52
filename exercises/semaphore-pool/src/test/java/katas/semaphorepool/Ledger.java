package katas.semaphorepool;

import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The tests' side of a pool: its connection factory, and the count of what the borrowers hold. Every
 * borrower reports a connection it got ({@link #took}) and one it is about to give back ({@link #givingBack});
 * the ledger notes the first broken rule the moment it happens, so that a {@code Watch} sees a breach that
 * lasted an instant.
 */
final class Ledger implements Supplier<Connection> {

    private final int size;
    private final String prefix;
    private final List<Probe> made = new CopyOnWriteArrayList<>();
    private final AtomicInteger inUse = new AtomicInteger();
    private final AtomicInteger most = new AtomicInteger();
    private final AtomicReference<String> broken = new AtomicReference<>();

    /** The ledger of a pool of {@code size} connections, named after a random database so no name is fixed. */
    Ledger(int size, Random random) {
        this.size = size;
        this.prefix = "db" + (char) ('a' + random.nextInt(26)) + random.nextInt(100) + "-";
    }

    int size() {
        return size;
    }

    @Override
    public Connection get() {
        Probe probe = new Probe(prefix + made.size());
        made.add(probe);
        if (made.size() > size) {
            broken.compareAndSet(null, "the factory was asked for connection number " + made.size()
                    + " by a pool of " + size + ": the pool makes at most " + size + " connections and reuses them"
                    + " (rule 2)");
        }
        return probe;
    }

    /** A borrower got {@code connection}. */
    void took(Connection connection) {
        Probe probe = madeHere(connection);
        if (probe == null) {
            broken.compareAndSet(null, "a borrower got " + connection + ", which the factory never made (rule 2)");
            return;
        }
        int holders = probe.taken();
        if (holders > 1) {
            broken.compareAndSet(null, connection + " was lent to " + holders + " borrowers at once: a connection "
                    + "goes to one borrower at a time (rule 1)");
        }
        int now = inUse.incrementAndGet();
        most.accumulateAndGet(now, Math::max);
        if (now > size) {
            broken.compareAndSet(null, now + " connections were in use at once from a pool of " + size
                    + ": a borrower must wait while all " + size + " are borrowed (rule 1)");
        }
    }

    /** A borrower is about to give {@code connection} back. */
    void givingBack(Connection connection) {
        Probe probe = madeHere(connection);
        if (probe != null) {
            probe.givenBack();
            inUse.decrementAndGet();
        }
    }

    private Probe madeHere(Connection connection) {
        for (Probe probe : made) {
            if (probe == connection) {
                return probe;
            }
        }
        return null;
    }

    /** The first broken rule seen, or null: the check a {@code Watch} samples. */
    String broken() {
        return broken.get();
    }

    int inUse() {
        return inUse.get();
    }

    int most() {
        return most.get();
    }

    int made() {
        return made.size();
    }

    List<Probe> connections() {
        return List.copyOf(made);
    }
}

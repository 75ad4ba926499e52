package katas.reentrantlock;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stock of a warehouse: aisles of bins, each bin holding a number of units. Every method takes the
 * warehouse's {@link Mutex}, and methods call each other while they hold it (a move reads a bin's stock and
 * restocks another, a total adds up the aisles' totals), so the lock must be reentrant. All methods may be called
 * from any thread at the same time.
 */
public class Warehouse {

    private final Mutex lock;
    private final MoveAudit audit;
    private final Map<String, Map<String, Long>> aisles = new LinkedHashMap<>();

    /**
     * @param lock the lock every method takes (shared with whoever else must keep the stock still meanwhile)
     * @param audit approves each move, called while the lock is held
     */
    public Warehouse(Mutex lock, MoveAudit audit) {
        this.lock = lock;
        this.audit = audit;
    }

    /**
     * Adds {@code units} (at least 1) to a bin, making its aisle and the bin when they are new.
     *
     * @throws IllegalArgumentException when {@code units} is below 1
     * @throws ArithmeticException when the bin would hold more than {@code Long.MAX_VALUE}; nothing changes then
     */
    public void restock(Location bin, long units) {
        requirePositive(units);
        lock.lock();
        try { // FIX: whatever happens inside, the hold is given back (finally)
            Map<String, Long> bins = aisles.computeIfAbsent(bin.aisle(), a -> new LinkedHashMap<>());
            bins.put(bin.bin(), Math.addExact(bins.getOrDefault(bin.bin(), 0L), units));
        } finally {
            lock.unlock();
        }
    }

    /** The units in a bin: 0 for a bin or an aisle the warehouse does not have. */
    public long stockOf(Location bin) {
        lock.lock();
        try {
            return aisles.getOrDefault(bin.aisle(), Map.of()).getOrDefault(bin.bin(), 0L);
        } finally {
            lock.unlock();
        }
    }

    /** The units in all the bins of an aisle: 0 for an aisle the warehouse does not have. */
    public long totalOf(String aisle) {
        lock.lock();
        try {
            long sum = 0;
            for (String bin : aisles.getOrDefault(aisle, Map.of()).keySet()) {
                sum += stockOf(new Location(aisle, bin)); // FIX: a nested call while holding the lock: reentrant
            }
            return sum;
        } finally {
            lock.unlock();
        }
    }

    /** The units in the whole warehouse. */
    public long total() {
        lock.lock();
        try {
            long sum = 0;
            for (String aisle : aisles.keySet()) {
                sum += totalOf(aisle); // FIX: every aisle read under one hold, so no move is seen half done
            }
            return sum;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves {@code units} (at least 1) from one bin to another as one step: no thread ever sees them in both bins
     * or in neither. The audit approves the move first, while the lock is held.
     *
     * @throws IllegalArgumentException when {@code units} is below 1
     * @throws OutOfStockException when {@code from} holds fewer than {@code units}; nothing changes then
     */
    public void moveStock(Location from, Location to, long units) {
        requirePositive(units);
        lock.lock();
        try {
            // FIX: the check, the audit and the change under one hold: no other move slips in between.
            long held = stockOf(from);
            if (held < units) {
                throw new OutOfStockException(from, units, held);
            }
            audit.approve(from, to, units); // a veto (anything it throws) leaves the stock as it was
            if (!from.equals(to)) { // FIX: a move within one bin changes nothing, and must not overflow it
                restock(to, units);
                take(from, units);
            }
        } finally {
            lock.unlock(); // FIX: also when the stock was short or the audit threw: no hold is left behind
        }
    }

    /** Takes units out of a bin that holds them; called with the lock held. */
    private void take(Location bin, long units) {
        Map<String, Long> bins = aisles.get(bin.aisle());
        bins.put(bin.bin(), bins.get(bin.bin()) - units);
    }

    private static void requirePositive(long units) {
        if (units < 1) {
            throw new IllegalArgumentException("units must be at least 1, was " + units);
        }
    }
}

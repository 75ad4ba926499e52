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

    private Mutex lock;
    private MoveAudit audit;
    /** Aisle name to (bin name to units). Not thread-safe by itself. */
    private Map<String, Map<String, Long>> aisles = new LinkedHashMap<>();

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
        // TODO: an exception thrown while the lock is held leaves it held, and every other thread waits forever.
        throw new UnsupportedOperationException("TODO: implement Warehouse.restock(bin, units)");
    }

    /** The units in a bin: 0 for a bin or an aisle the warehouse does not have. */
    public long stockOf(Location bin) {
        throw new UnsupportedOperationException("TODO: implement Warehouse.stockOf(bin)");
    }

    /** The units in all the bins of an aisle: 0 for an aisle the warehouse does not have. */
    public long totalOf(String aisle) {
        throw new UnsupportedOperationException("TODO: implement Warehouse.totalOf(aisle)");
    }

    /** The units in the whole warehouse. */
    public long total() {
        // TODO: a total read while a move is half done counts the moved units twice, or not at all.
        throw new UnsupportedOperationException("TODO: implement Warehouse.total()");
    }

    /**
     * Moves {@code units} (at least 1) from one bin to another as one step: no thread ever sees them in both bins
     * or in neither. The audit approves the move first, while the lock is held.
     *
     * @throws IllegalArgumentException when {@code units} is below 1
     * @throws OutOfStockException when {@code from} holds fewer than {@code units}; nothing changes then
     */
    public void moveStock(Location from, Location to, long units) {
        // TODO: two moves that both check the same bin's stock before either takes from it can empty it twice.
        throw new UnsupportedOperationException("TODO: implement Warehouse.moveStock(from, to, units)");
    }
}

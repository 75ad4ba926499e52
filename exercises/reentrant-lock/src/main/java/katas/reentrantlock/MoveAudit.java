package katas.reentrantlock;

/**
 * Approves each move of stock before the warehouse makes it. Given: do not change it. The warehouse calls it
 * while it holds its lock, after the stock check and before it changes anything, so an audit may call back
 * into the warehouse (to read a total) and sees the stock exactly as it is before the move.
 */
@FunctionalInterface
public interface MoveAudit {

    /** An audit that approves every move. */
    MoveAudit APPROVE_ALL = (from, to, units) -> { };

    /**
     * Approves the move of {@code units} from {@code from} to {@code to}, or vetoes it by throwing. It may throw
     * anything: a runtime exception, an error, even a checked exception that its signature does not declare.
     * Then the move does not happen, and the warehouse's {@code moveStock} throws exactly what the audit threw.
     */
    void approve(Location from, Location to, long units);
}

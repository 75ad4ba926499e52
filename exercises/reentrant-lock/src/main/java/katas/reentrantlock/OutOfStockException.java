package katas.reentrantlock;

/** A move asked for more units than its bin holds: nothing was moved. Given: do not change it. */
public class OutOfStockException extends RuntimeException {

    public OutOfStockException(Location bin, long wanted, long held) {
        super("cannot move " + wanted + " units from " + bin + ": it holds " + held);
    }
}

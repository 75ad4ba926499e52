package katas.fixtherace;

/**
 * A bank account that must never be overdrawn. All methods may be called from any thread at the
 * same time.
 */
public class BankAccount {

    private long balance; // FIX: only read or written while holding this account's monitor
    private final FraudCheck fraudCheck;

    /** Opens an account holding {@code openingBalance}; every withdrawal is approved by {@code fraudCheck}. */
    public BankAccount(long openingBalance, FraudCheck fraudCheck) {
        if (openingBalance < 0) {
            throw new IllegalArgumentException("opening balance must not be negative, was " + openingBalance);
        }
        this.balance = openingBalance;
        this.fraudCheck = fraudCheck;
    }

    /** Adds {@code amount} (positive) to the balance. */
    public synchronized void deposit(long amount) { // FIX: the read-add-write is one critical section
        requirePositive(amount);
        balance += amount;
    }

    /**
     * Takes {@code amount} (positive) out if the balance covers it, after the fraud check approves.
     *
     * @return true if the money was taken out, false if the balance was too low
     */
    public synchronized boolean withdraw(long amount) { // FIX: check and act in one critical section
        requirePositive(amount);
        if (balance < amount) {
            return false;
        }
        fraudCheck.approve(amount);
        balance -= amount;
        return true;
    }

    /** The balance now. */
    public synchronized long balance() { // FIX: the lock also makes the latest balance visible
        return balance;
    }

    private static void requirePositive(long amount) {
        if (amount <= 0) {
            throw new IllegalArgumentException("amount must be positive, was " + amount);
        }
    }
}

package katas.fixtherace;

/**
 * A bank account that must never be overdrawn. All methods may be called from any thread at the
 * same time.
 */
public class BankAccount {

    private long balance;
    private FraudCheck fraudCheck;

    /** Opens an account holding {@code openingBalance}; every withdrawal is approved by {@code fraudCheck}. */
    public BankAccount(long openingBalance, FraudCheck fraudCheck) {
        if (openingBalance < 0) {
            throw new IllegalArgumentException("opening balance must not be negative, was " + openingBalance);
        }
        this.balance = openingBalance;
        this.fraudCheck = fraudCheck;
    }

    /** Adds {@code amount} (positive) to the balance. */
    public void deposit(long amount) {
        requirePositive(amount);
        // TODO: `balance += amount` is read, add, write: a withdrawal or another deposit can come in between.
        balance += amount;
    }

    /**
     * Takes {@code amount} (positive) out if the balance covers it, after the fraud check approves.
     *
     * @return true if the money was taken out, false if the balance was too low
     */
    public boolean withdraw(long amount) {
        requirePositive(amount);
        // TODO: another thread can withdraw between this check and the subtraction below (check-then-act).
        if (balance < amount) {
            return false;
        }
        fraudCheck.approve(amount); // may be slow, and may throw: then no money may leave
        balance -= amount;
        return true;
    }

    /** The balance now. */
    public long balance() {
        // TODO: a plain read may be stale: another thread's deposit may never show to a thread that keeps reading.
        return balance;
    }

    private static void requirePositive(long amount) {
        if (amount <= 0) {
            throw new IllegalArgumentException("amount must be positive, was " + amount);
        }
    }
}

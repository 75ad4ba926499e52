package katas.fixtherace;

/** MUTANT only-write-synchronized: the check happens before the lock is taken. */
public class BankAccount {

    private long balance;
    private final FraudCheck fraudCheck;

    public BankAccount(long openingBalance, FraudCheck fraudCheck) {
        if (openingBalance < 0) {
            throw new IllegalArgumentException("opening balance must not be negative, was " + openingBalance);
        }
        this.balance = openingBalance;
        this.fraudCheck = fraudCheck;
    }

    public synchronized void deposit(long amount) {
        requirePositive(amount);
        balance += amount;
    }

    public boolean withdraw(long amount) {
        requirePositive(amount);
        if (balance() < amount) {
            return false;
        }
        fraudCheck.approve(amount);
        synchronized (this) {
            balance -= amount;
        }
        return true;
    }

    public synchronized long balance() {
        return balance;
    }

    private static void requirePositive(long amount) {
        if (amount <= 0) {
            throw new IllegalArgumentException("amount must be positive, was " + amount);
        }
    }
}

package katas.fixtherace;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Alternative fix without a lock: the debit only happens if the balance is still the one that was
 * checked (compare-and-set); otherwise the withdrawal starts over with the new balance.
 */
public class BankAccount {

    private final AtomicLong balance;
    private final FraudCheck fraudCheck;

    public BankAccount(long openingBalance, FraudCheck fraudCheck) {
        if (openingBalance < 0) {
            throw new IllegalArgumentException("opening balance must not be negative, was " + openingBalance);
        }
        this.balance = new AtomicLong(openingBalance);
        this.fraudCheck = fraudCheck;
    }

    public void deposit(long amount) {
        requirePositive(amount);
        balance.addAndGet(amount);
    }

    public boolean withdraw(long amount) {
        requirePositive(amount);
        while (true) {
            long seen = balance.get();
            if (seen < amount) {
                return false;
            }
            fraudCheck.approve(amount);
            if (balance.compareAndSet(seen, seen - amount)) {
                return true;
            }
        }
    }

    public long balance() {
        return balance.get();
    }

    private static void requirePositive(long amount) {
        if (amount <= 0) {
            throw new IllegalArgumentException("amount must be positive, was " + amount);
        }
    }
}

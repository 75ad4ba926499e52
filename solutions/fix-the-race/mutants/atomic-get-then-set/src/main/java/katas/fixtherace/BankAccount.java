package katas.fixtherace;

import java.util.concurrent.atomic.AtomicLong;

/** MUTANT atomic-get-then-set: an atomic read, then an atomic subtraction, with a gap between. */
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
        if (balance.get() < amount) {
            return false;
        }
        fraudCheck.approve(amount);
        balance.addAndGet(-amount);
        return true;
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

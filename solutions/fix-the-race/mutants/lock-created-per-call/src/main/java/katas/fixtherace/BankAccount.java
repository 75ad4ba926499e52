package katas.fixtherace;

import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/** MUTANT lock-created-per-call: every caller gets a private lock. */
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

    public void deposit(long amount) {
        requirePositive(amount);
        Lock lock = new ReentrantLock();
        lock.lock();
        try {
            balance += amount;
        } finally {
            lock.unlock();
        }
    }

    public boolean withdraw(long amount) {
        requirePositive(amount);
        Lock lock = new ReentrantLock();
        lock.lock();
        try {
            if (balance < amount) {
                return false;
            }
            fraudCheck.approve(amount);
            balance -= amount;
            return true;
        } finally {
            lock.unlock();
        }
    }

    public long balance() {
        return balance;
    }

    private static void requirePositive(long amount) {
        if (amount <= 0) {
            throw new IllegalArgumentException("amount must be positive, was " + amount);
        }
    }
}

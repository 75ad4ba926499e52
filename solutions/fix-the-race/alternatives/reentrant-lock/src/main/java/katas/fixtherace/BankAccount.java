package katas.fixtherace;

import java.util.concurrent.locks.ReentrantLock;

/** Alternative fix: one explicit lock guards the balance, held from the check to the debit. */
public class BankAccount {

    private final ReentrantLock lock = new ReentrantLock();
    private final FraudCheck fraudCheck;
    private long balance;

    public BankAccount(long openingBalance, FraudCheck fraudCheck) {
        if (openingBalance < 0) {
            throw new IllegalArgumentException("opening balance must not be negative, was " + openingBalance);
        }
        this.balance = openingBalance;
        this.fraudCheck = fraudCheck;
    }

    public void deposit(long amount) {
        requirePositive(amount);
        lock.lock();
        try {
            balance += amount;
        } finally {
            lock.unlock();
        }
    }

    public boolean withdraw(long amount) {
        requirePositive(amount);
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
        lock.lock();
        try {
            return balance;
        } finally {
            lock.unlock();
        }
    }

    private static void requirePositive(long amount) {
        if (amount <= 0) {
            throw new IllegalArgumentException("amount must be positive, was " + amount);
        }
    }
}

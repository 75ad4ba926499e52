package katas.breakthedeadlock;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bank account guarded by a lock of its own. {@link #balance()} may be called from any thread;
 * {@link #withdraw} and {@link #deposit} only by the thread that holds this account's
 * {@link #lock()}. Given code: do not change this class.
 */
public final class Account {

    private static final AtomicLong NEXT_NUMBER = new AtomicLong(1);

    private final long number;
    private final String name;
    private final ReentrantLock lock;
    private long balance;

    /** Opens an account called {@code name} holding {@code openingBalance}. */
    public Account(String name, long openingBalance) {
        this(name, openingBalance, new ReentrantLock());
    }

    /** Opens an account guarded by {@code lock}: the tests pass a lock that can explain a deadlock. */
    Account(String name, long openingBalance, ReentrantLock lock) {
        if (openingBalance < 0) {
            throw new IllegalArgumentException("opening balance must not be negative, was " + openingBalance);
        }
        this.number = NEXT_NUMBER.getAndIncrement();
        this.name = name;
        this.lock = lock;
        this.balance = openingBalance;
    }

    /** This account's number: no two accounts share one, and they grow in the order accounts are opened. */
    public long number() {
        return number;
    }

    /** What people call this account ("A", "savings"). */
    public String name() {
        return name;
    }

    /** The lock that guards this account's balance: hold it to withdraw or deposit. */
    public Lock lock() {
        return lock;
    }

    /** The balance now; takes this account's lock to read it. */
    public long balance() {
        lock.lock();
        try {
            return balance;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes {@code amount} out of this account; the caller must hold {@link #lock()}.
     *
     * @throws InsufficientFundsException if the balance is lower than {@code amount}; nothing is taken
     */
    public void withdraw(long amount) {
        requireLockHeld("withdraw from");
        if (balance < amount) {
            throw new InsufficientFundsException(this + " holds " + balance + ", cannot pay " + amount);
        }
        balance -= amount;
    }

    /** Puts {@code amount} into this account; the caller must hold {@link #lock()}. */
    public void deposit(long amount) {
        requireLockHeld("deposit into");
        balance += amount;
    }

    @Override
    public String toString() {
        return "account " + name;
    }

    private void requireLockHeld(String action) {
        if (!lock.isHeldByCurrentThread()) {
            throw new IllegalStateException("tried to " + action + " " + this
                    + " without holding its lock(): take the account's lock before changing its balance");
        }
    }
}

package katas.breakthedeadlock;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Moves money between accounts. {@link #transfer} may be called from any number of threads at the
 * same time, between any accounts, in either direction.
 */
public class Bank {

    private static final long PATIENCE_MICROS = 100;
    private static final long MAX_BACK_OFF_NANOS = 1_000_000;

    private final AuditLog auditLog;

    /** A bank that records every transfer that goes through in {@code auditLog}. */
    public Bank(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    /**
     * Moves {@code amount} (positive) from {@code from} to {@code to}, holding both accounts' locks
     * while the money moves and while the audit log records it.
     *
     * @throws InsufficientFundsException if {@code from} cannot cover the amount; then nothing moves
     */
    public void transfer(Account from, Account to, long amount) {
        if (amount <= 0) {
            throw new IllegalArgumentException("amount must be positive, was " + amount);
        }
        if (from == to) {
            throw new IllegalArgumentException("cannot transfer from " + from + " to itself");
        }
        long backOffNanos = 10_000;
        while (true) {
            from.lock().lock(); // waiting here is safe: this thread holds no other lock yet
            try {
                // FIX: never wait for a second lock without a limit while holding the first one
                if (tryToLock(to)) {
                    try {
                        from.withdraw(amount);
                        to.deposit(amount);
                        auditLog.record(from, to, amount);
                        return;
                    } finally {
                        to.lock().unlock();
                    }
                }
            } finally {
                from.lock().unlock(); // FIX: give the first lock back before retrying, so the other transfer can finish
            }
            // FIX: a random, growing pause, so two transfers that collided do not collide again in lockstep
            LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(backOffNanos));
            backOffNanos = Math.min(2 * backOffNanos, MAX_BACK_OFF_NANOS);
        }
    }

    private static boolean tryToLock(Account account) {
        try {
            return account.lock().tryLock(PATIENCE_MICROS, TimeUnit.MICROSECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + account + "; nothing was moved",
                    interrupted);
        }
    }
}

package katas.breakthedeadlock;

import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Moves money between accounts. {@link #transfer} may be called from any number of threads at the
 * same time, between any accounts, in either direction.
 */
public class Bank {

    /** FIX: one order every transfer agrees on, whatever its direction: no two accounts share a number. */
    private static final Comparator<Account> LOCK_ORDER = Comparator.comparingLong(Account::number);

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
        // FIX: every transfer takes the lower-numbered account's lock first, whatever its direction:
        // with one global order no transfer can hold a lock that another one, waiting for it, holds.
        Account first = Collections.min(List.of(from, to), LOCK_ORDER);
        Account second = first == from ? to : from; // FIX: the other account is always locked second
        first.lock().lock();
        try {
            second.lock().lock();
            try {
                from.withdraw(amount);
                to.deposit(amount);
                auditLog.record(from, to, amount);
            } finally {
                second.lock().unlock();
            }
        } finally {
            first.lock().unlock();
        }
    }
}

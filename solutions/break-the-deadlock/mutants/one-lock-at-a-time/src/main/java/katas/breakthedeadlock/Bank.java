package katas.breakthedeadlock;

/** MUTANT one-lock-at-a-time: releases the source before it locks the destination. */
public class Bank {

    private final AuditLog auditLog;

    public Bank(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    public void transfer(Account from, Account to, long amount) {
        if (amount <= 0) {
            throw new IllegalArgumentException("amount must be positive, was " + amount);
        }
        if (from == to) {
            throw new IllegalArgumentException("cannot transfer from " + from + " to itself");
        }
        from.lock().lock();
        try {
            from.withdraw(amount);
        } finally {
            from.lock().unlock();
        }
        to.lock().lock();
        try {
            to.deposit(amount);
            auditLog.record(from, to, amount);
        } finally {
            to.lock().unlock();
        }
    }
}

package katas.breakthedeadlock;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;

/** MUTANT try-lock-keeps-the-first-lock: backs off on the second lock without giving back the first. */
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
            while (!to.lock().tryLock()) {
                LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(1_000, 100_000));
            }
            try {
                from.withdraw(amount);
                to.deposit(amount);
                auditLog.record(from, to, amount);
            } finally {
                to.lock().unlock();
            }
        } finally {
            from.lock().unlock();
        }
    }
}

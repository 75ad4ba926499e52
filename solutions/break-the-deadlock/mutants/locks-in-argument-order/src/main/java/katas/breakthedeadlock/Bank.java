package katas.breakthedeadlock;

/** MUTANT locks-in-argument-order: the stub's locking, source first, whatever the direction. */
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
            to.lock().lock();
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

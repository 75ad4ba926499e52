package katas.breakthedeadlock;

/**
 * Moves money between accounts. {@link #transfer} may be called from any number of threads at the
 * same time, between any accounts, in either direction.
 */
public class Bank {

    private AuditLog auditLog;

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
        // TODO: A-to-B holds A's lock and waits for B's while B-to-A holds B's and waits for A's: neither goes on.
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

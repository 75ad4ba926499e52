package katas.breakthedeadlock;

/** MUTANT unlock-skipped-when-refused: ordered locks, but a throwing withdraw skips both unlocks. */
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
        Account first = from.number() < to.number() ? from : to;
        Account second = first == from ? to : from;
        first.lock().lock();
        second.lock().lock();
        from.withdraw(amount);
        to.deposit(amount);
        auditLog.record(from, to, amount);
        second.lock().unlock();
        first.lock().unlock();
    }
}

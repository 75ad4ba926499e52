package katas.breakthedeadlock;

/**
 * The regulator's audit log, a slow remote service. It may be called from many threads at once.
 * Do not change this interface.
 */
@FunctionalInterface
public interface AuditLog {

    /**
     * Records a transfer that went through. Called while the bank still holds both accounts' locks,
     * so that nobody can see the money moved before the log shows it.
     */
    void record(Account from, Account to, long amount);
}

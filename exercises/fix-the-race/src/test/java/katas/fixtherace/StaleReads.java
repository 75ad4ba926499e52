package katas.fixtherace;

import katas.testkit.StaleReadProbe;

/**
 * Whether a thread that keeps reading sees a change that another thread makes while it reads: the reading
 * loops over your code, for the testkit's {@link StaleReadProbe}, which says how a stale read is found.
 *
 * <p>A read with no lock and no {@code volatile} behind it ({@code return hits;} next to a
 * {@code synchronized} write) may be done once and kept: the JIT's optimizing compiler moves the load out
 * of a reading loop, and the reader spins on an old value forever. A correct read sees the change at its
 * next call, however slow or loaded the machine.
 */
final class StaleReads {

    private static final long WARM_UP_READS = 100_000L;

    private StaleReads() {
    }

    /**
     * Runs both reading loops a little on fresh objects, once per JVM, so that the JIT starts compiling them
     * long before a probe runs. Test classes call it before their tests; code that throws here is left for
     * the tests to report.
     */
    static void warmUp() {
        WARM.getClass();
    }

    private static final Object WARM = warmUpOnce();

    private static Object warmUpOnce() {
        try {
            HitCounter counter = new HitCounter();
            for (int i = 0; i < 8; i++) {
                spinOn(counter, counter.get(), WARM_UP_READS);
            }
        } catch (Throwable broken) {
            // the counter's own tests will say what is wrong with it
        }
        try {
            BankAccount account = new BankAccount(1, amount -> { });
            for (int i = 0; i < 8; i++) {
                spinOn(account, account.balance(), WARM_UP_READS);
            }
        } catch (Throwable broken) {
            // the account's own tests will say what is wrong with it
        }
        try {
            BankAccount poor = new BankAccount(0, amount -> { });
            for (int i = 0; i < 8; i++) {
                retryWithdraw(poor, 1, WARM_UP_READS);
            }
        } catch (Throwable broken) {
            // the account's own tests will say what is wrong with it
        }
        return new Object();
    }

    /** The reading loop over {@code counter.get()}: a direct call, so that the JIT may inline it. */
    static long spinOn(HitCounter counter, long before, long reads) {
        long mixed = 0;
        for (long i = 0; i < reads; i++) {
            if (counter.get() != before) {
                return i;
            }
            mixed = mixed * 31 + i; // work the compiler cannot drop, so the loop stays a loop
        }
        return mixed == Long.MIN_VALUE ? -2 : -1;
    }

    /** The reading loop over {@code account.balance()}. */
    static long spinOn(BankAccount account, long before, long reads) {
        long mixed = 0;
        for (long i = 0; i < reads; i++) {
            if (account.balance() != before) {
                return i;
            }
            mixed = mixed * 31 + i;
        }
        return mixed == Long.MIN_VALUE ? -2 : -1;
    }

    /** A caller that retries a refused withdrawal until it is paid: {@code while (!account.withdraw(amount)) {}}. */
    static long retryWithdraw(BankAccount account, long amount, long tries) {
        long mixed = 0;
        for (long i = 0; i < tries; i++) {
            if (account.withdraw(amount)) {
                return i;
            }
            mixed = mixed * 31 + i;
        }
        return mixed == Long.MIN_VALUE ? -2 : -1;
    }

    /** Probes {@code counter.get()} against {@code increment()}; null when every read was current. */
    static String probe(HitCounter counter, int rounds) throws InterruptedException {
        return StaleReadProbe.reading("get()", counter, counter::get)
                .loop(StaleReads.class, "spinOn", HitCounter.class, (before, reads) -> spinOn(counter, before, reads))
                .changedBy("increment()", round -> counter.increment()).changeMustShow()
                .rounds(rounds);
    }

    /** Probes {@code account.balance()} against {@code change}; null when every read was current. */
    static String probe(BankAccount account, int rounds, Runnable change, String writer) throws InterruptedException {
        return StaleReadProbe.reading("balance()", account, account::balance)
                .loop(StaleReads.class, "spinOn", BankAccount.class, (before, reads) -> spinOn(account, before, reads))
                .changedBy(writer, round -> change.run()).changeMustShow()
                .rounds(rounds);
    }

    /**
     * Probes a withdrawal of {@code amount}, refused at first (the balance must be below it), retried in a loop
     * while another thread deposits twice the amount; null when the loop was paid once the deposit was in. A
     * refusal made on a plain read of the balance (a "fast path" before the lock) is kept by the compiled loop.
     */
    static String probeRetriedWithdrawal(BankAccount account, long amount, int rounds) throws InterruptedException {
        return StaleReadProbe.reading("withdraw(" + amount + ") (1 paid, 0 refused)", account,
                        () -> account.withdraw(amount) ? 1 : 0)
                .loop(StaleReads.class, "retryWithdraw", BankAccount.class,
                        (before, tries) -> retryWithdraw(account, amount, tries))
                .changedBy("deposit(" + 2 * amount + ")", round -> account.deposit(2 * amount))
                .readBy("a thread retrying a refused withdrawal")
                .rounds(rounds);
    }
}

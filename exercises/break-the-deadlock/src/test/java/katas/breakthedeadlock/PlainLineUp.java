package katas.breakthedeadlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import katas.testkit.Shapes;
import katas.testkit.ThreadDiagnosis;
import katas.testkit.ThreadEnd;

/**
 * A ring of transfers on plain accounts, lined up deterministically: the test holds every account's
 * lock, starts the transfers one by one, then lets go of the locks in ring order, each time once
 * every transfer is waiting. Transfers that lock in argument order end in a circle every time.
 */
final class PlainLineUp {
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private final Shapes round;

    PlainLineUp(Shapes round) {
        this.round = round;
    }

    /** A ring of plain accounts: names, balances and opening order drawn from {@code round}. */
    static Account[] ring(Shapes round) {
        int size = round.between("ring size", 2, 5);
        boolean alike = round.chance("accounts alike", 0.5);
        List<String> names = round.shuffled("names", BankFloor.NAMES);
        long balance = round.between("balance", 10L, 1_000L);
        List<Integer> opening = round.shuffled("opening order", IntStream.range(0, size).boxed().toList());
        Account[] ring = new Account[size];
        for (int i : opening) {
            BankFloor.skipAccountNumbers(round.between("numbers skipped before " + i, 0, 2));
            ring[i] = new Account(alike ? names.get(0) : names.get(i),
                    alike ? balance : round.between("balance " + i, 10L, 1_000L));
        }
        return ring;
    }

    /**
     * Two plain accounts, alike in name and balance, on which {@code hash} gives the same number
     * (identity hash codes are 31-bit: among a few hundred thousand objects two share one).
     */
    static Account[] sameHash(String name, long balance, java.util.function.ToIntFunction<Account> hash) {
        Map<Integer, Account> seen = new java.util.HashMap<>();
        for (int i = 0; i < 3_000_000; i++) {
            Account account = new Account(name, balance);
            Account twin = seen.putIfAbsent(hash.applyAsInt(account), account);
            if (twin != null) {
                return new Account[] {twin, account};
            }
        }
        throw new IllegalStateException("no two of 3,000,000 accounts had the same hash code");
    }

    void run(Account[] ring) throws Exception {
        run(ring, false);
    }

    /**
     * Lines the ring up; with {@code bankPerClerk}, every clerk calls a {@code Bank} of its own over
     * the same accounts and the same audit log (two branches, a bank per request): whatever keeps
     * transfers apart must hold across Bank objects too.
     */
    void run(Account[] ring, boolean bankPerClerk) throws Exception {
        int size = ring.length;
        List<String> names = round.shuffled("clerks", BankFloor.NAMES);
        long[] expected = new long[size];
        for (int i = 0; i < size; i++) {
            expected[i] = ring[i].balance();
        }
        AtomicInteger recorded = new AtomicInteger();
        AtomicReference<String> complaint = new AtomicReference<>();
        AuditLog log = (from, to, amount) -> {
            if (!((ReentrantLock) from.lock()).isHeldByCurrentThread()
                    || !((ReentrantLock) to.lock()).isHeldByCurrentThread()) {
                complaint.compareAndSet(null, "the audit log recorded the transfer of " + amount + " from " + from
                        + " to " + to + " while the transfer did not hold both accounts' locks (rule 4)");
            }
            recorded.incrementAndGet();
        };
        Bank shared = new Bank(log);
        for (Account account : ring) {
            account.lock().lock();
        }
        List<Thread> clerks = new ArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            for (int i = 0; i < size; i++) {
                Account from = ring[i];
                Account to = ring[(i + 1) % size];
                long amount = 1 + i;
                Bank bank = bankPerClerk ? new Bank(log) : shared;
                Thread clerk = Thread.ofPlatform().daemon(true).name(names.get(i) + " at the counter")
                        .start(() -> {
                            try {
                                bank.transfer(from, to, amount);
                            } catch (Throwable e) {
                                failure.compareAndSet(null, e);
                            }
                        });
                clerks.add(clerk);
                awaitStill(clerks);
            }
        } finally {
            for (Account account : ring) {
                ReentrantLock lock = (ReentrantLock) account.lock();
                lock.unlock();
                awaitTaken(lock);
                awaitStill(clerks);
            }
        }
        awaitAll(clerks, bankPerClerk);
        if (failure.get() != null) {
            throw new AssertionError("a transfer around the ring threw " + failure.get(), failure.get());
        }
        if (complaint.get() != null) {
            fail(complaint.get());
        }
        assertThat(recorded.get()).as("transfers recorded in the audit log around a ring of %d (rule 4)", size)
                .isEqualTo(size);
        for (int i = 0; i < size; i++) {
            long moved = (1 + (i + size - 1) % size) - (1 + i);
            assertThat(ring[i].balance()).as("%s after the ring went round (rule 1)", ring[i])
                    .isEqualTo(expected[i] + moved);
            assertThat(((ReentrantLock) ring[i].lock()).isLocked()).as("%s's lock after the ring went round", ring[i])
                    .isFalse();
        }
    }

    /**
     * Waits (up to 200 ms) until the first clerk queued for {@code lock} has taken it, if any was
     * queued. Until then that clerk still looks WAITING, though it is about to run.
     */
    private static void awaitTaken(ReentrantLock lock) {
        long deadline = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < deadline && !lock.isLocked() && lock.hasQueuedThreads()) {
            LockSupport.parkNanos(50_000);
        }
    }

    /** Waits (up to 200 ms) until no clerk is running: each one waits, sleeps, or has finished. */
    private static void awaitStill(List<Thread> clerks) {
        long deadline = System.nanoTime() + 200_000_000L;
        while (System.nanoTime() < deadline
                && clerks.stream().anyMatch(c -> c.getState() == Thread.State.RUNNABLE)) {
            LockSupport.parkNanos(100_000);
        }
    }

    /** Waits for every clerk; a circle of clerks waiting on each other's locks fails at once. */
    private static void awaitAll(List<Thread> clerks, boolean bankPerClerk) {
        String lineUp = "Transfers lined up around a ring of plain accounts" + (bankPerClerk
                ? ", each clerk calling a Bank object of its own over the same accounts," : "");
        Set<Long> ids = clerks.stream().map(Thread::threadId).collect(Collectors.toSet());
        long deadline = System.nanoTime() + BankFloor.STALL.toNanos();
        Set<Long> suspects = Set.of();
        while (clerks.stream().anyMatch(ThreadEnd::stillRuns)) {
            long[] found = MX.findDeadlockedThreads();
            Set<Long> circle = found == null ? Set.of() : Arrays.stream(found).filter(ids::contains).boxed()
                    .collect(Collectors.toSet());
            boolean untimed = !circle.isEmpty() && clerks.stream().filter(c -> circle.contains(c.threadId()))
                    .allMatch(c -> c.getState() == Thread.State.WAITING || c.getState() == Thread.State.BLOCKED);
            if (untimed && circle.equals(suspects)) {
                fail(lineUp + " ended in a circle (rule 5). " + (bankPerClerk ? "Any number of Bank objects "
                        + "may transfer between the same accounts: whatever keeps transfers in one order must hold "
                        + "for all of them (a lock kept in a Bank object keeps apart only that bank's transfers). "
                        : "") + ThreadDiagnosis.explain(clerks));
            }
            suspects = untimed ? circle : Set.of();
            if (System.nanoTime() > deadline) {
                fail(lineUp + " did not finish within "
                        + BankFloor.STALL.toSeconds() + " s after every lock was free (rules 5 and 6). "
                        + ThreadDiagnosis.explain(clerks));
            }
            LockSupport.parkNanos(5_000_000);
        }
    }
}

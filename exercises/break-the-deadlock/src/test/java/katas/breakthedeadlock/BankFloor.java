package katas.breakthedeadlock;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import katas.testkit.ThreadDiagnosis;

/**
 * The bank floor of one test: fresh accounts whose locks are {@link WatchedLock}s, an audit log
 * that checks both accounts are locked while it records, a ledger of what went through, and
 * tellers (threads) that call the bank at the same moment.
 *
 * <p>While the tellers run, the floor watches them: a deadlock cycle among them ends the run at
 * once, and so does a stall (no transfer finished for {@link #STALL}); either way the failure
 * says which teller holds which account's lock and waits for which, and where. Use a new floor
 * for every run: a deadlocked teller keeps its locks for ever.
 */
final class BankFloor {

    /** No transfer finishing for this long, without a deadlock cycle, is a stall (livelock, leaked lock). */
    static final Duration STALL = Duration.ofSeconds(2);
    /** A whole run of tellers may take this long. */
    static final Duration BOUND = Duration.ofSeconds(8);
    /** How long a teller's first lock waits for the other tellers to take theirs, in a staged collision. */
    private static final Duration MEETING = Duration.ofSeconds(1);

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final StackWalker WALKER = StackWalker.getInstance();

    /** One call of {@code bank.transfer} as the messages describe it. */
    static final class Transfer {
        final String teller;
        final Account from;
        final Account to;
        final long amount;
        volatile String outcome = "had not finished";

        Transfer(String teller, Account from, Account to, long amount) {
            this.teller = teller;
            this.from = from;
            this.to = to;
            this.amount = amount;
        }

        @Override
        public String toString() {
            return "transfer of " + amount + " from " + from.name() + " to " + to.name();
        }
    }

    /**
     * One call of a teller into a watched lock. A new object for every call, so that a teller seen
     * in the same attempt twice has not left that call in between.
     */
    static final class Attempt {
        final WatchedLock lock;
        final boolean mayGiveUp;
        volatile boolean missed;

        Attempt(WatchedLock lock, boolean mayGiveUp) {
            this.lock = lock;
            this.mayGiveUp = mayGiveUp;
        }
    }

    /** What one teller does on its {@code call}-th turn. */
    @FunctionalInterface
    interface Script {
        void run(int teller, int call) throws Exception;
    }

    /** A test's own callback inside the audit log, that is inside the critical section of a transfer. */
    @FunctionalInterface
    interface AuditHook {
        void recorded(Account from, Account to, long amount) throws Exception;
    }

    /** Thrown into a teller that touches a lock after its run failed, so that no livelocked teller spins on. */
    static final class TellerStopped extends Error {
        TellerStopped() {
            super("this teller was stopped: the run it belongs to has already failed", null, false, false);
        }
    }

    private final List<Account> accounts = new CopyOnWriteArrayList<>();
    private final List<WatchedLock> locks = new CopyOnWriteArrayList<>();
    private final Map<Account, Long> openings = new ConcurrentHashMap<>();
    private final Map<Account, LongAdder> moved = new ConcurrentHashMap<>();
    private final Map<Thread, Transfer> current = new ConcurrentHashMap<>();
    private final Map<Thread, Attempt> attempts = new ConcurrentHashMap<>();
    private final Set<Thread> engaged = ConcurrentHashMap.newKeySet();
    private final Set<Thread> met = ConcurrentHashMap.newKeySet();
    private final Set<Thread> started = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inMeeting = new AtomicInteger();
    private final LongAdder wentThrough = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder audited = new LongAdder();
    private final AtomicReference<String> auditComplaint = new AtomicReference<>();
    private volatile Set<Thread> tellers = Set.of();
    private volatile boolean stopped;
    private volatile long pauseNanos;
    private volatile boolean staged;
    private volatile AuditHook auditHook = (from, to, amount) -> { };

    /**
     * After a teller takes its first account lock it pauses this long before it goes on: the
     * window in which two transfers in opposite directions each hold one lock grows from
     * nanoseconds to microseconds, so a lock-order deadlock shows up within a few transfers.
     */
    BankFloor pausingAfterTheFirstLock(Duration pause) {
        this.pauseNanos = pause.toNanos();
        return this;
    }

    /**
     * The first time each teller holds an account lock, it waits (up to a second) until every
     * other teller holds one too, or is waiting for one, or was refused one by tryLock. Transfers
     * that lock in argument order then deadlock on every run; a fix goes straight on.
     */
    BankFloor stagingACollision() {
        this.staged = true;
        return this;
    }

    /** Runs {@code hook} inside the audit log, while the transfer holds both accounts' locks. */
    BankFloor onAudit(AuditHook hook) {
        this.auditHook = hook;
        return this;
    }

    /** Opens an account guarded by a watched lock. */
    Account open(String name, long openingBalance) {
        WatchedLock lock = new WatchedLock(this, "account " + name);
        Account account = new Account(name, openingBalance, lock);
        accounts.add(account);
        locks.add(lock);
        openings.put(account, openingBalance);
        moved.put(account, new LongAdder());
        return account;
    }

    /** The audit log of this floor: it checks the transfer holds both locks, counts, and runs the hook. */
    AuditLog auditLog() {
        return (from, to, amount) -> {
            for (Account account : List.of(from, to)) {
                if (!lockOf(account).isHeldByCurrentThread()) {
                    auditComplaint.compareAndSet(null, "the audit log recorded the transfer of " + amount + " from "
                            + from.name() + " to " + to.name() + " while the bank did not hold " + lockOf(account)
                            + ": someone could see the money moved before the log shows it. Keep both accounts "
                            + "locked until the audit log has recorded the transfer.");
                }
            }
            audited.increment();
            try {
                auditHook.recorded(from, to, amount);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    /**
     * Calls {@code bank.transfer} and books the outcome in the test's own ledger.
     *
     * @return true if the money moved, false if the bank refused for insufficient funds
     */
    boolean transfer(Bank bank, Account from, Account to, long amount) {
        Thread me = Thread.currentThread();
        Transfer transfer = new Transfer(nameOf(me), from, to, amount);
        current.put(me, transfer);
        try {
            bank.transfer(from, to, amount);
            transfer.outcome = "went through";
            moved.get(from).add(-amount);
            moved.get(to).add(amount);
            wentThrough.increment();
            return true;
        } catch (InsufficientFundsException refusal) {
            transfer.outcome = "was refused (InsufficientFundsException)";
            refused.increment();
            return false;
        } catch (RuntimeException failure) {
            transfer.outcome = "threw " + failure;
            throw new AssertionError(nameOf(me) + "'s " + transfer + " threw " + failure, failure);
        } finally {
            current.remove(me, transfer);
        }
    }

    /**
     * Makes the audits of the next {@code parties} transfers wait for each other, each for up to
     * {@code patience}: they can only all get through if those transfers are inside their critical
     * sections at the same time. Returns where a complaint is left if they could not.
     */
    AtomicReference<String> auditsMustMeet(int parties, Duration patience) {
        CyclicBarrier meeting = new CyclicBarrier(parties);
        AtomicReference<String> complaint = new AtomicReference<>();
        onAudit((from, to, amount) -> {
            inMeeting.incrementAndGet();
            try {
                meeting.await(patience.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException late) {
                complaint.compareAndSet(null, shutOut(from, to, amount, patience));
            } catch (BrokenBarrierException alreadyLate) {
                // The first teller to give up has already described what it waited for.
            } finally {
                inMeeting.decrementAndGet();
            }
        });
        return complaint;
    }

    private String shutOut(Account from, Account to, long amount, Duration patience) {
        Thread me = Thread.currentThread();
        StringBuilder out = new StringBuilder(nameOf(me) + "'s transfer of " + amount + " from " + from.name() + " to "
                + to.name() + " waited " + patience.toSeconds() + " s in the audit log, holding " + from.name()
                + "'s and " + to.name() + "'s locks, for the other transfers (which share no account with it) to "
                + "reach their audit too; they never got in:");
        for (Thread teller : tellers) {
            if (teller != me && teller.isAlive()) {
                out.append("\n  - ").append(teller.getName()).append(" (").append(doingWhat(teller)).append(") is ")
                        .append(stateOf(teller));
            }
        }
        out.append("\nTransfers between different accounts must be able to run at the same time. Here one "
                + "transfer shuts every other one out, as if the whole bank had a single lock.");
        return out.toString();
    }

    /**
     * Starts {@code count} tellers, releases them together, and has each run {@code script}
     * {@code callsEach} times. Returns when all are done; fails at once on a deadlock cycle, after
     * {@link #STALL} without progress, or after {@link #BOUND}, with an explanation in accounts.
     */
    void runTellers(int count, int callsEach, Script script) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(count);
        CountDownLatch gate = new CountDownLatch(1);
        LongAdder calls = new LongAdder();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            int teller = t;
            threads.add(Thread.ofPlatform().daemon(true).name("teller-" + t).unstarted(() -> {
                ready.countDown();
                try {
                    gate.await();
                    started.add(Thread.currentThread());
                    for (int call = 0; call < callsEach; call++) {
                        script.run(teller, call);
                        calls.increment();
                    }
                } catch (TellerStopped stoppedByTheWatch) {
                    // The run has already failed with an explanation.
                } catch (Throwable failure) {
                    firstFailure.compareAndSet(null, failure);
                }
            }));
        }
        tellers = Set.copyOf(threads);
        threads.forEach(Thread::start);
        ready.await();
        gate.countDown();
        watch(threads, calls);
        Throwable failure = firstFailure.get();
        if (failure instanceof AssertionError error) {
            throw error;
        }
        if (failure != null) {
            throw new AssertionError("a teller failed: " + failure, failure);
        }
    }

    private void watch(List<Thread> threads, LongAdder calls) throws InterruptedException {
        long start = System.nanoTime();
        long lastProgress = start;
        long lastCalls = 0;
        Map<Thread, Attempt> suspects = Map.of();
        while (threads.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(20);
            long now = System.nanoTime();
            long done = calls.sum();
            if (done != lastCalls || inMeeting.get() > 0) {
                lastCalls = done;
                lastProgress = now;
            }
            Map<Thread, Attempt> cycle = waitCycle(threads);
            if (!cycle.isEmpty() && cycle.equals(suspects)) {
                stop(threads, explainDeadlock(cycle, done));
            }
            suspects = cycle;
            if (locks.stream().anyMatch(this::isHeldByAFinishedTeller)) {
                stop(threads, "A teller finished its work while it still held an account lock (" + soFar(done)
                        + "):" + explainStall(threads));
            }
            if (now - lastProgress > STALL.toNanos()) {
                stop(threads, "No transfer finished for " + STALL.toSeconds() + " s (" + soFar(done) + "), though the "
                        + "tellers are not in a deadlock circle:" + explainStall(threads));
            }
            if (now - start > BOUND.toNanos()) {
                stop(threads, "The tellers did not finish within " + BOUND.toSeconds() + " s (" + soFar(done)
                        + "):" + explainStall(threads));
            }
        }
    }

    /**
     * Whether a teller that has ended holds {@code lock}. The owner is read again once its death is
     * seen: {@code getOwner()} may return a holder that released the lock a moment ago, and only
     * after {@code isAlive()} returned false is everything that teller did, its unlocks included,
     * visible to this thread.
     */
    private boolean isHeldByAFinishedTeller(WatchedLock lock) {
        Thread owner = lock.owner();
        return owner != null && tellers.contains(owner) && !owner.isAlive() && lock.owner() == owner;
    }

    private static String soFar(long calls) {
        return calls == 0 ? "before any transfer had finished" : "after " + calls + " transfers had finished";
    }

    private void stop(List<Thread> threads, String why) {
        stopped = true;
        threads.forEach(Thread::interrupt);
        throw new AssertionError(why);
    }

    /**
     * A circle of tellers each queued, without a time limit, for an account lock that the next one
     * holds, in the order of the circle, with the attempt each is in; empty if there is none.
     *
     * <p>{@code ThreadMXBean.findDeadlockedThreads()} is not used to decide: it also reports a
     * circle through a {@code tryLock(timeout)} wait, which ends by itself. A circle seen twice,
     * 20 ms apart, with every teller still in the same untimed attempt, is a deadlock: none of
     * them left its {@code lock()} call in between, so none could release anything.
     */
    private Map<Thread, Attempt> waitCycle(List<Thread> threads) {
        for (Thread start : threads) {
            Map<Thread, Attempt> path = new LinkedHashMap<>();
            Thread next = start;
            while (next != null && !path.containsKey(next)) {
                Attempt attempt = attempts.get(next);
                if (attempt == null || attempt.mayGiveUp || !attempt.lock.hasQueuedThread(next)) {
                    break;
                }
                path.put(next, attempt);
                next = attempt.lock.owner();
            }
            if (next != null && path.containsKey(next)) {
                Map<Thread, Attempt> cycle = new LinkedHashMap<>();
                boolean inCycle = false;
                for (Map.Entry<Thread, Attempt> step : path.entrySet()) {
                    inCycle |= step.getKey() == next;
                    if (inCycle) {
                        cycle.put(step.getKey(), step.getValue());
                    }
                }
                return cycle;
            }
        }
        return Map.of();
    }

    /**
     * Checks the books after a run: the audit log saw every transfer with both locks held, no lock
     * is left held, every account holds its opening balance plus what went through, and the audit
     * log recorded as many transfers as went through.
     */
    void assertEveryTransferAccountedFor() {
        String complaint = auditComplaint.get();
        if (complaint != null) {
            throw new AssertionError(complaint);
        }
        List<String> leaked = leakedLocks();
        if (!leaked.isEmpty()) {
            throw new AssertionError("After every transfer had returned, some account locks were still held:"
                    + String.join("", leaked) + "\nSome way out of transfer (an exception?) skips the unlock; every "
                    + "later transfer touching that account would wait for ever.");
        }
        StringBuilder wrong = new StringBuilder();
        long opening = 0;
        long now = 0;
        for (Account account : accounts) {
            long expected = openings.get(account) + moved.get(account).sum();
            long actual = account.balance();
            opening += openings.get(account);
            now += actual;
            if (actual != expected) {
                wrong.append("\n  - ").append(account).append(" holds ").append(actual)
                        .append(", but the transfers that went through leave it ").append(expected);
            }
        }
        if (wrong.length() > 0) {
            throw new AssertionError(wentThrough.sum() + " transfers went through and " + refused.sum()
                    + " were refused, but the balances do not add up:" + wrong + "\nThe bank opened with " + opening
                    + " and now holds " + now + ": a transfer was lost half-way, or applied twice.");
        }
        if (audited.sum() != wentThrough.sum()) {
            throw new AssertionError(wentThrough.sum() + " transfers went through, but the audit log recorded "
                    + audited.sum() + ": it must record each transfer that moved money, once, and no other.");
        }
    }

    /** How many transfers went through so far. */
    long wentThrough() {
        return wentThrough.sum();
    }

    /** How many transfers were refused for insufficient funds so far. */
    long refused() {
        return refused.sum();
    }

    /** The money in all the floor's accounts. */
    long total() {
        return accounts.stream().mapToLong(Account::balance).sum();
    }

    WatchedLock lockOf(Account account) {
        return (WatchedLock) account.lock();
    }

    // --- called by the watched locks -------------------------------------------------------

    Transfer currentTransfer() {
        return current.get(Thread.currentThread());
    }

    void attempting(WatchedLock lock, boolean mayGiveUp) {
        Thread me = Thread.currentThread();
        if (!tellers.contains(me)) {
            return;
        }
        if (stopped) {
            throw new TellerStopped();
        }
        attempts.put(me, new Attempt(lock, mayGiveUp));
    }

    void missed(WatchedLock lock) {
        Thread me = Thread.currentThread();
        if (!tellers.contains(me)) {
            return;
        }
        Attempt attempt = attempts.get(me);
        if (attempt != null) {
            attempt.missed = true;
        }
        engaged.add(me);
    }

    /**
     * A teller got {@code lock}. If it is the first account lock the teller holds, and not taken by
     * {@link Account#balance()} for a quick read, this is where a collision is staged or the window
     * widened.
     */
    void acquired(WatchedLock lock, boolean first, boolean forABalanceRead) {
        Thread me = Thread.currentThread();
        if (!tellers.contains(me)) {
            return;
        }
        attempts.remove(me);
        engaged.add(me);
        if (!first || forABalanceRead
                || locks.stream().anyMatch(other -> other != lock && other.isHeldByCurrentThread())) {
            return;
        }
        if (staged && met.add(me)) {
            meetTheOtherTellers(me);
        } else if (pauseNanos > 0) {
            LockSupport.parkNanos(pauseNanos);
        }
    }

    private void meetTheOtherTellers(Thread me) {
        long deadline = System.nanoTime() + MEETING.toNanos();
        while (System.nanoTime() < deadline && !stopped) {
            if (tellers.stream().allMatch(t -> t == me || isEngaged(t))) {
                return;
            }
            LockSupport.parkNanos(20_000);
        }
    }

    /**
     * A teller is engaged once it holds an account lock, was refused one, waits for one, or waits
     * for anything else after the start gate (a lock of the learner's own, say); or has finished.
     */
    private boolean isEngaged(Thread teller) {
        if (engaged.contains(teller) || !teller.isAlive()
                || locks.stream().anyMatch(lock -> lock.hasQueuedThread(teller))) {
            return true;
        }
        Thread.State state = teller.getState();
        return started.contains(teller) && (state == Thread.State.BLOCKED || state == Thread.State.WAITING);
    }

    // --- explanations ----------------------------------------------------------------------

    private String explainDeadlock(Map<Thread, Attempt> cycle, long calls) {
        StringBuilder out = new StringBuilder("DEADLOCK " + soFar(calls) + ": these tellers wait for each other in a "
                + "circle, so none of them can ever go on:");
        cycle.forEach((teller, attempt) -> {
            Thread owner = attempt.lock.owner();
            out.append("\n  - ").append(teller.getName()).append(" (").append(doingWhat(teller)).append(") holds ")
                    .append(heldBy(teller)).append(", and waits for ").append(attempt.lock).append(", which ")
                    .append(owner == null ? "nobody" : nameOf(owner)).append(" holds; it waits at ")
                    .append(whereIs(teller));
        });
        out.append("\nEach one holds the lock the next one waits for. Look at the order in which each of these "
                + "transfers took its two accounts' locks.");
        if (locks.stream().anyMatch(this::isLeftOver)) {
            out.append(" And some locks were left held by a transfer that had already ended: some way out of "
                    + "transfer (an exception?) skips the unlock.");
        }
        return out.toString();
    }

    private String explainStall(List<Thread> threads) {
        StringBuilder out = new StringBuilder();
        boolean holdsWhileTrying = false;
        for (Thread teller : threads) {
            if (!teller.isAlive()) {
                continue;
            }
            Attempt attempt = attempts.get(teller);
            WatchedLock trying = attempt == null ? null : attempt.lock;
            String held = heldBy(teller);
            out.append("\n  - ").append(teller.getName()).append(" (").append(doingWhat(teller)).append(") holds ")
                    .append(held);
            if (trying != null && !trying.isHeldByThread(teller)) {
                Thread owner = trying.owner();
                boolean blocked = !attempt.mayGiveUp && trying.hasQueuedThread(teller);
                out.append(blocked ? ", and waits for " : ", and keeps trying to take ").append(trying)
                        .append(owner == null ? ", which is free now" : ", which " + nameOf(owner) + " holds");
                holdsWhileTrying |= !held.equals("no account lock") && owner != null && owner != teller;
            }
            out.append("; it is ").append(teller.getState()).append(" at ").append(whereIs(teller));
        }
        List<String> leaked = leakedLocks();
        if (!leaked.isEmpty()) {
            out.append("\nLocks that outlived their transfer:").append(String.join("", leaked))
                    .append("\nSome way out of transfer (an exception?) skips the unlock; every later transfer "
                            + "touching that account waits for ever.");
        }
        if (holdsWhileTrying) {
            out.append("\nA teller that keeps retrying a lock while it holds another one gives way to no one: "
                    + "if the teller it waits for does the same, neither ever gets on (a livelock, a deadlock "
                    + "in slow motion).");
        }
        List<Thread> alive = threads.stream().filter(Thread::isAlive).toList();
        if (leaked.isEmpty() && !holdsWhileTrying && !alive.isEmpty()) {
            out.append("\n").append(ThreadDiagnosis.explain(alive));
        }
        return out.toString();
    }

    /** Account locks held by a thread that is no longer inside the transfer during which it took them. */
    private List<String> leakedLocks() {
        List<String> leaked = new ArrayList<>();
        for (WatchedLock lock : locks) {
            Thread owner = lock.owner();
            Transfer during = lock.takenDuring();
            if (owner == null || (owner.isAlive() && during != null && current.get(owner) == during)) {
                continue;
            }
            String ownerWhere = owner.isAlive() ? "has moved on" : "has finished";
            leaked.add("\n  - " + lock + " is still held by " + nameOf(owner) + ", which took it at "
                    + lock.takenAt() + (during == null ? "" : " during its " + during + "; that transfer "
                    + during.outcome + ", and " + nameOf(owner) + " " + ownerWhere)
                    + ": nothing will ever unlock it.");
        }
        return leaked;
    }

    /** A teller's name, or what a thread that is not a teller is to the reader. */
    String nameOf(Thread thread) {
        return tellers.contains(thread) ? thread.getName() : "the test's own thread";
    }

    private WatchedLock queuedOn(Thread teller) {
        return locks.stream().filter(lock -> lock.hasQueuedThread(teller)).findFirst().orElse(null);
    }

    private String heldBy(Thread teller) {
        List<String> held = locks.stream().filter(lock -> lock.owner() == teller)
                .map(lock -> lock + (isLeftOver(lock)
                        ? " (left held since its earlier " + lock.takenDuring() + ", which "
                                + lock.takenDuring().outcome + ")"
                        : " (taken at " + lock.takenAt() + ")"))
                .toList();
        return held.isEmpty() ? "no account lock" : String.join(" and ", held);
    }

    /** Held by a teller that is no longer in the transfer during which it took the lock. */
    private boolean isLeftOver(WatchedLock lock) {
        Thread owner = lock.owner();
        Transfer during = lock.takenDuring();
        return owner != null && during != null && current.get(owner) != during;
    }

    private String doingWhat(Thread teller) {
        Transfer transfer = current.get(teller);
        return transfer == null ? "between transfers" : "in its " + transfer;
    }

    /** What a thread is doing, in words: its state, where, and for which lock it waits. */
    private String stateOf(Thread thread) {
        WatchedLock account = queuedOn(thread);
        ThreadInfo info = MX.getThreadInfo(thread.threadId());
        String state = thread.getState().toString();
        String waitsFor = "";
        if (account != null) {
            Thread owner = account.owner();
            waitsFor = ", waiting for " + account + (owner == null ? "" : " held by " + nameOf(owner));
        } else if (info != null && info.getLockInfo() != null) {
            LockInfo lock = info.getLockInfo();
            String cls = lock.getClassName();
            waitsFor = ", waiting for " + (info.getThreadState() == Thread.State.BLOCKED ? "the monitor of " : "")
                    + cls.substring(cls.lastIndexOf('.') + 1) + "@" + Integer.toHexString(lock.getIdentityHashCode())
                    + (info.getLockOwnerName() == null ? "" : " held by " + info.getLockOwnerName());
        }
        return state + " at " + whereIs(thread) + waitsFor;
    }

    private static String whereIs(Thread thread) {
        for (StackTraceElement frame : thread.getStackTrace()) {
            if (!isHarness(frame.getClassName())) {
                return frame.getClassName().substring(frame.getClassName().lastIndexOf('.') + 1) + "."
                        + frame.getMethodName() + "(" + frame.getFileName() + ":" + frame.getLineNumber() + ")";
            }
        }
        return "an unknown place";
    }

    /** The frame of the code that called into the watched lock, e.g. Bank.transfer; null if none. */
    static StackWalker.StackFrame caller() {
        return WALKER.walk(frames -> frames.filter(f -> !isHarness(f.getClassName())).findFirst().orElse(null));
    }

    /** A frame as a reader finds it in the source, e.g. "Bank.transfer(Bank.java:31)". */
    static String where(StackWalker.StackFrame frame) {
        return frame == null ? "an unknown place"
                : frame.getClassName().substring(frame.getClassName().lastIndexOf('.') + 1) + "."
                        + frame.getMethodName() + "(" + frame.getFileName() + ":" + frame.getLineNumber() + ")";
    }

    private static boolean isHarness(String className) {
        return className.startsWith("java.") || className.startsWith("jdk.") || className.startsWith("sun.")
                || className.startsWith(WatchedLock.class.getName()) || className.startsWith(BankFloor.class.getName());
    }
}

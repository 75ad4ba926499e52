package katas.breakthedeadlock;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import katas.testkit.Shapes;
import katas.testkit.Sneaky;
import katas.testkit.ThreadDiagnosis;
import katas.testkit.ThreadEnd;

/**
 * The bank floor of one test: accounts whose locks are {@link WatchedLock}s, an audit log that
 * checks every record, the test's own books, and tellers (threads) that call the bank at the same
 * moment.
 *
 * <p>What the floor checks, and where:
 * <ul>
 *   <li>in the audit log: both accounts' locks are held, the record is the transfer asked for and
 *       comes once, and the money has already moved (rules 4 and 1);</li>
 *   <li>whenever a transfer lets go of an account's lock: the account holds what the books say, so
 *       no one who takes that lock next can see a transfer half done (rule 4);</li>
 *   <li>when {@code transfer} returns or throws: what came out fits what happened (went through and
 *       recorded once, refused and recorded never, the audit log's own failure as it was), no
 *       account lock is still held, and an interrupt is still there (rules 3, 8, 9);</li>
 *   <li>while tellers run: a circle of tellers each waiting for a lock the next one holds
 *       (deadlock at once, a circle of retries after {@link #HOLD_AND_WAIT}: rules 5 and 6), a
 *       teller stuck on something other than an account's lock (rule 7, where a test asks), and no
 *       transfer finishing for {@link #STALL}.</li>
 * </ul>
 * Every failure says which teller holds which account's lock, waits for which, and where. Use a new
 * floor for every test: a teller stuck in code of its own keeps its locks for ever.
 */
final class BankFloor {

    /** No transfer finishing for this long, without any other explanation, is a stall. */
    static final Duration STALL = Duration.ofSeconds(2);
    /** A whole run of tellers may take this long. */
    static final Duration BOUND = Duration.ofSeconds(8);
    /**
     * A circle of tellers, each holding a lock and waiting for or retrying the next one's, may last
     * this long. Tellers that give way (release what they hold, then retry) break it in microseconds.
     */
    static final Duration HOLD_AND_WAIT = Duration.ofMillis(500);
    /** Where a test asks: how long a teller may wait for something that is not an account's lock. */
    static final Duration STUCK_OUTSIDE = Duration.ofMillis(300);
    /** How long a teller's first lock waits for the other tellers to take theirs, in a staged collision. */
    private static final Duration MEETING = Duration.ofSeconds(1);
    private static final long SAMPLE_NANOS = 5_000_000;

    /** Names for accounts; more than one account may carry the same name. */
    static final List<String> NAMES = List.of("Ada", "Bo", "Cy", "Dee", "Eli", "Flo", "Gus", "Hal", "Ivy", "Jo",
            "Kim", "Lu", "Mo", "Ned");

    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final StackWalker WALKER = StackWalker.getInstance();

    /** What became of one call of {@code bank.transfer}. */
    enum Outcome {
        /** The money moved and the audit log recorded it. */
        WENT_THROUGH,
        /** InsufficientFundsException: nothing moved. */
        REFUSED,
        /** The audit log threw, and transfer let that failure out. */
        AUDIT_FAILED,
        /** The caller was interrupted and transfer threw without moving anything. */
        GAVE_UP_WHEN_INTERRUPTED
    }

    /** One call of {@code bank.transfer} as the messages describe it. */
    static final class Transfer {
        final String teller;
        final Account from;
        final Account to;
        final long amount;
        final AtomicInteger audits = new AtomicInteger();
        final AtomicReference<String> complaint = new AtomicReference<>();
        volatile boolean interruptAtFirstLock;
        volatile boolean interrupted;
        volatile Throwable auditFailure;
        volatile boolean settled;
        volatile boolean movedForGood;
        volatile String outcome = "had not finished";
        private final String text;

        Transfer(String teller, Account from, Account to, long amount, String text) {
            this.teller = teller;
            this.from = from;
            this.to = to;
            this.amount = amount;
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * One call of a teller into a watched lock. A new object for every call, so that a teller seen
     * in the same attempt twice has not left that call in between.
     */
    static final class Attempt {
        final WatchedLock lock;
        final boolean mayGiveUp;
        /** tryLock said no (or said no the last time this teller tried this lock): the teller wants it still. */
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

    /** Thrown into a teller that touches a lock after its run failed, so that no stuck teller lingers. */
    static final class TellerStopped extends Error {
        TellerStopped() {
            super("this teller was stopped: the run it belongs to has already failed", null, false, false);
        }
    }

    private final List<Account> accounts = new CopyOnWriteArrayList<>();
    private final List<WatchedLock> locks = new CopyOnWriteArrayList<>();
    private final Map<Account, Long> openings = new ConcurrentHashMap<>();
    private final Map<Account, AtomicLong> books = new ConcurrentHashMap<>();
    private final Map<Account, LongAdder> ledger = new ConcurrentHashMap<>();
    private final Map<String, Integer> namesInUse = new ConcurrentHashMap<>();
    private final Map<Thread, Transfer> current = new ConcurrentHashMap<>();
    private final Map<Thread, Attempt> attempts = new ConcurrentHashMap<>();
    private final Set<Thread> everyTeller = ConcurrentHashMap.newKeySet();
    private final Set<Thread> engaged = ConcurrentHashMap.newKeySet();
    private final Set<Thread> met = ConcurrentHashMap.newKeySet();
    private final Set<Thread> started = ConcurrentHashMap.newKeySet();
    private final AtomicInteger inProbe = new AtomicInteger();
    private final LongAdder wentThrough = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder auditFailed = new LongAdder();
    private final LongAdder gaveUp = new LongAdder();
    private final AtomicReference<String> firstComplaint = new AtomicReference<>();
    private final ThreadLocal<Boolean> readingForTheTest = ThreadLocal.withInitial(() -> false);
    private volatile Set<Thread> tellers = Set.of();
    private volatile boolean stopped;
    private volatile long pauseNanos;
    private volatile boolean staged;
    private volatile boolean watchStuckOutside;
    private volatile AuditHook auditHook = (from, to, amount) -> { };
    private volatile Function<Transfer, Throwable> auditFailures = transfer -> null;

    // --- setting up ------------------------------------------------------------------------

    /**
     * After a teller takes its first account lock it pauses this long before it goes on: the
     * window in which two transfers in opposite directions each hold one lock grows from
     * nanoseconds to microseconds.
     */
    BankFloor pausingAfterTheFirstLock(Duration pause) {
        this.pauseNanos = pause.toNanos();
        return this;
    }

    /**
     * In every run, the first time each teller holds an account lock, it waits (up to a second)
     * until every other teller of the run holds one too, or waits for one, or was refused one by
     * tryLock. Transfers that lock in argument order then deadlock on every run; a fix goes on.
     */
    BankFloor stagingACollision() {
        this.staged = true;
        return this;
    }

    /**
     * A teller of a run that waits for {@link #STUCK_OUTSIDE} on something that is not an account's
     * lock (a lock of the bank's own, a monitor) fails the run: a transfer must wait only for
     * transfers that share an account with it.
     */
    BankFloor failingTellersStuckOutsideTheAccounts() {
        this.watchStuckOutside = true;
        return this;
    }

    /** Runs {@code hook} inside the audit log, while the transfer holds both accounts' locks. */
    BankFloor onAudit(AuditHook hook) {
        this.auditHook = hook;
        return this;
    }

    /** The audit log throws what {@code failures} gives for a transfer (null: it records it). */
    BankFloor failingAudits(Function<Transfer, Throwable> failures) {
        this.auditFailures = failures;
        return this;
    }

    /** Opens an account guarded by a watched lock. */
    Account open(String name, long openingBalance) {
        WatchedLock lock = new WatchedLock(this);
        Account account = new Account(name, openingBalance, lock);
        lock.guards(account);
        accounts.add(account);
        locks.add(lock);
        openings.put(account, openingBalance);
        books.put(account, new AtomicLong(openingBalance));
        ledger.put(account, new LongAdder());
        namesInUse.merge(name, 1, Integer::sum);
        return account;
    }

    /**
     * Opens {@code balances.length} accounts: names drawn from {@code round} (all the same one when
     * {@code shareOneName}), opened in a shuffled order with numbers skipped in between, so that
     * neither names nor numbers follow the order of the list returned. Account {@code i} of the
     * list opens with {@code balances[i]}.
     */
    List<Account> openAccounts(Shapes round, boolean shareOneName, long... balances) {
        int count = balances.length;
        List<String> names = round.shuffled("names", NAMES);
        List<Integer> openingOrder = round.shuffled("opening order",
                java.util.stream.IntStream.range(0, count).boxed().toList());
        java.util.Random random = round.random();
        Account[] opened = new Account[count];
        for (int i : openingOrder) {
            skipAccountNumbers(random.nextInt(3));
            opened[i] = open(shareOneName ? names.get(0) : names.get(i % names.size()), balances[i]);
        }
        return List.of(opened);
    }

    /** Opens accounts elsewhere, so that the numbers of this floor's next accounts are not consecutive. */
    static void skipAccountNumbers(int count) {
        for (int i = 0; i < count; i++) {
            new Account("elsewhere", 0);
        }
    }

    /** The audit log of this floor. */
    AuditLog auditLog() {
        return this::record;
    }

    /** A bank that records in this floor's audit log. */
    Bank bank() {
        return new Bank(auditLog());
    }

    // --- the audit log -----------------------------------------------------------------------

    private void record(Account from, Account to, long amount) {
        Thread me = Thread.currentThread();
        Transfer transfer = current.get(me);
        String what = "the audit log's record of " + amount + " from " + nameOf(from) + " to " + nameOf(to);
        Transfer askedElsewhere = transfer != null ? null : current.values().stream()
                .filter(t -> t.from == from && t.to == to && t.amount == amount).findFirst().orElse(null);
        if (askedElsewhere != null) {
            complain(askedElsewhere, what + " came from another thread (" + (me.getName().isEmpty() ? "unnamed" : "'" + me.getName() + "'")
                    + "), while "
                    + askedElsewhere.teller + ", which called transfer, waited: transfer does its work on the thread "
                    + "that calls it; that thread takes both accounts' locks, moves the money and calls the audit "
                    + "log (rule 4).");
        } else if (transfer == null) {
            complain(null, what + " came from " + me.getName() + ", which was not inside any call of transfer: "
                    + "record each transfer from within transfer, while it holds both accounts' locks (rule 4).");
        } else if (from != transfer.from || to != transfer.to || amount != transfer.amount) {
            complain(transfer, what + " does not match the " + transfer + " that was asked for: record the "
                    + "transfer as it was asked, from, to and amount (rule 4).");
        }
        boolean bothHeld = true;
        for (Account account : List.of(from, to)) {
            if (lockOf(account) == null) {
                continue;
            }
            if (!lockOf(account).isHeldByCurrentThread()) {
                bothHeld = false;
                complain(transfer, what + " came while the transfer did not hold " + lockOf(account) + ": someone "
                        + "could see the money moved before the log shows it. Keep both accounts locked until the "
                        + "audit log has recorded the transfer (rule 4).");
            }
        }
        if (transfer != null && transfer.audits.incrementAndGet() > 1) {
            complain(transfer, nameOf(me) + "'s " + transfer + " was recorded in the audit log "
                    + transfer.audits.get() + " times: record each transfer that went through once (rule 4).");
        }
        Throwable failure = transfer == null ? null : auditFailures.apply(transfer);
        if (bothHeld && books.containsKey(from) && books.containsKey(to)) {
            long fromNow = read(from);
            long toNow = read(to);
            long fromBooks = books.get(from).get();
            long toBooks = books.get(to).get();
            if (fromNow != fromBooks - amount || toNow != toBooks + amount) {
                complain(transfer, what + " came when " + nameOf(from) + " held " + fromNow + " and " + nameOf(to)
                        + " held " + toNow + "; with the money moved they would hold " + (fromBooks - amount)
                        + " and " + (toBooks + amount) + " (before it: " + fromBooks + " and " + toBooks + "). "
                        + "Take the money out of 'from' and put it into 'to' first, then record exactly that "
                        + "(rules 1 and 4).");
            } else if (failure == null) {
                books.get(from).addAndGet(-amount);
                books.get(to).addAndGet(amount);
            }
        }
        try {
            auditHook.recorded(from, to, amount);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        if (failure != null) {
            transfer.auditFailure = failure;
            throw Sneaky.raise(failure);
        }
    }

    // --- a teller's call -----------------------------------------------------------------------

    /** Calls {@code bank.transfer} and checks what comes out of it; see {@link Outcome}. */
    Outcome transfer(Bank bank, Account from, Account to, long amount) {
        return transfer(bank, from, to, amount, false);
    }

    /**
     * Calls {@code bank.transfer}; with {@code interruptAtFirstLock}, the calling thread is
     * interrupted right after it took its first account lock.
     */
    Outcome transfer(Bank bank, Account from, Account to, long amount, boolean interruptAtFirstLock) {
        Thread me = Thread.currentThread();
        Transfer transfer = new Transfer(nameOf(me), from, to, amount,
                "transfer of " + amount + " from " + nameOf(from) + " to " + nameOf(to));
        transfer.interruptAtFirstLock = interruptAtFirstLock;
        transfer.interrupted = me.isInterrupted();
        current.put(me, transfer);
        Throwable thrown = null;
        try {
            bank.transfer(from, to, amount);
        } catch (TellerStopped stop) {
            throw stop;
        } catch (Throwable failure) {
            thrown = failure;
        } finally {
            current.remove(me, transfer);
        }
        boolean stillInterrupted = Thread.interrupted();
        String whose = nameOf(me) + "'s " + transfer;
        String complaint = transfer.complaint.get();
        if (complaint != null) {
            throw failed(complaint, thrown);
        }
        List<String> held = locks.stream().filter(WatchedLock::isHeldByCurrentThread)
                .map(lock -> lock + " (taken at " + lock.takenAt() + ")").toList();
        if (!held.isEmpty()) {
            throw failed(whose + (thrown == null ? " returned" : " threw " + thrown) + ", but this thread still held "
                    + String.join(" and ", held) + (held.size() == 1 ? ": nothing will ever unlock it, and every "
                    + "later transfer touching that account waits" : ": nothing will ever unlock them, and every "
                    + "later transfer touching those accounts waits") + " for ever. Release every lock you took on "
                    + "every way out of transfer, with try/finally (rules 3 and 8).", thrown);
        }
        if (transfer.interrupted && !stillInterrupted) {
            throw failed(nameOf(me) + " was interrupted during its " + transfer + ", and when transfer "
                    + (thrown == null ? "returned" : "threw " + thrown) + " the thread was no longer interrupted: "
                    + "whoever interrupted it will never know. If you catch InterruptedException, call "
                    + "Thread.currentThread().interrupt() before you go on or throw (rule 9).", thrown);
        }
        Outcome outcome = outcomeOf(transfer, thrown, whose);
        transfer.outcome = switch (outcome) {
            case WENT_THROUGH -> "went through";
            case REFUSED -> "was refused (InsufficientFundsException)";
            case AUDIT_FAILED -> "threw the audit log's failure";
            case GAVE_UP_WHEN_INTERRUPTED -> "gave up when interrupted";
        };
        switch (outcome) {
            case WENT_THROUGH -> {
                ledger.get(from).add(-amount);
                ledger.get(to).add(amount);
                wentThrough.increment();
            }
            case REFUSED -> refused.increment();
            case AUDIT_FAILED -> {
                if (transfer.movedForGood) {
                    ledger.get(from).add(-amount);
                    ledger.get(to).add(amount);
                }
                auditFailed.increment();
            }
            case GAVE_UP_WHEN_INTERRUPTED -> gaveUp.increment();
        }
        return outcome;
    }

    private Outcome outcomeOf(Transfer transfer, Throwable thrown, String whose) {
        Throwable auditFailure = transfer.auditFailure;
        int audits = transfer.audits.get();
        if (auditFailure != null) {
            if (thrown == auditFailure) {
                return Outcome.AUDIT_FAILED;
            }
            throw failed(whose + ": the audit log threw " + auditFailure + ", but transfer "
                    + (thrown == null ? "returned normally, as if all was well" : "threw " + thrown + " instead")
                    + ". Let the audit log's failure out of transfer as it is: not swallowed, not wrapped, "
                    + "whatever its kind (RuntimeException, Error, checked exception) (rule 8).", thrown);
        }
        if (thrown == null) {
            if (audits == 0 && transfer.interrupted) {
                throw failed(whose + " was interrupted, and transfer returned normally without the audit log ever "
                        + "recording it: the caller believes the money moved. An interrupted transfer either goes "
                        + "through or throws having moved nothing (rule 9).", null);
            }
            if (audits != 1) {
                throw failed(whose + " returned normally, but the audit log recorded it " + audits + " times: "
                        + "a transfer that returns has moved the money and was recorded once (rules 1 and 4).", null);
            }
            return Outcome.WENT_THROUGH;
        }
        if (thrown instanceof InsufficientFundsException) {
            StackTraceElement[] where = thrown.getStackTrace();
            if (where.length == 0 || !where[0].getClassName().equals(Account.class.getName())
                    || !where[0].getMethodName().equals("withdraw")) {
                throw failed(whose + " threw an InsufficientFundsException of its own (" + (where.length == 0
                        ? "with no stack trace" : "made in " + where[0]) + "), not the one Account.withdraw threw: "
                        + "let withdraw's refusal out of transfer as it is, it says what the account holds (rule 3).",
                        thrown);
            }
            if (audits != 0) {
                throw failed(whose + " was refused (InsufficientFundsException), but the audit log had recorded it: "
                        + "record only transfers that went through (rules 3 and 4).", thrown);
            }
            return Outcome.REFUSED;
        }
        if (transfer.interrupted && thrown instanceof RuntimeException && audits == 0) {
            return Outcome.GAVE_UP_WHEN_INTERRUPTED;
        }
        if (thrown instanceof AssertionError error) {
            throw error;
        }
        if (thrown.getCause() instanceof InsufficientFundsException) {
            throw failed(whose + " threw " + thrown + ", wrapping the InsufficientFundsException that withdraw threw: "
                    + "let the refusal out as it is (rule 3).", thrown);
        }
        throw failed(whose + " threw " + thrown + (transfer.interrupted ? " after the audit log had recorded it"
                : "") + ": a transfer between two accounts with the money in 'from' must go through, whatever "
                + "other transfers do at the same time (rules 1 and 5).", thrown);
    }

    private static AssertionError failed(String message, Throwable cause) {
        return new AssertionError(message, cause);
    }

    /** Interrupts {@code teller} and tells its transfer that it was interrupted, so the floor checks rule 9. */
    void interrupt(Thread teller) {
        Transfer transfer = current.get(teller);
        if (transfer != null) {
            transfer.interrupted = true;
        }
        teller.interrupt();
    }

    // --- runs of tellers ---------------------------------------------------------------------

    /**
     * Starts {@code count} tellers, releases them together, and has each run {@code script}
     * {@code callsEach} times. Returns when all are done; fails at once on a teller's failure or a
     * deadlock, after {@link #HOLD_AND_WAIT} of a circle of retries, after {@link #STALL} without
     * progress, or after {@link #BOUND}, with an explanation in accounts.
     */
    void runTellers(int count, int callsEach, Script script) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(count);
        CountDownLatch gate = new CountDownLatch(1);
        LongAdder calls = new LongAdder();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            int teller = t;
            threads.add(Thread.ofPlatform().daemon(true).name(tellerName(t)).unstarted(() -> {
                ready.countDown();
                try {
                    gate.await();
                    started.add(Thread.currentThread());
                    for (int call = 0; call < callsEach && !stopped; call++) {
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
        RUNS.incrementAndGet();
        met.clear();
        engaged.clear();
        started.clear();
        tellers = Set.copyOf(threads);
        everyTeller.addAll(threads);
        threads.forEach(Thread::start);
        ready.await();
        gate.countDown();
        watch(threads, calls, firstFailure);
        Throwable failure = firstFailure.get();
        if (failure instanceof AssertionError error) {
            throw error;
        }
        if (failure != null) {
            throw new AssertionError("a teller failed: " + failure, failure);
        }
        String complaint = firstComplaint.get();
        if (complaint != null) {
            throw new AssertionError(complaint);
        }
    }

    /**
     * "Ada at desk 2": tellers are named after people, a new one at each desk in every run, so that
     * nothing about a thread's name tells a test's teller from any other caller of the bank.
     */
    private static String tellerName(int desk) {
        return NAMES.get(Math.floorMod(RUNS.get() * 5 + desk, NAMES.size())) + " at desk " + (desk + 1);
    }

    /** A transfer running on a thread of its own, outside any run of tellers (it is never staged). */
    final class Background {
        private final Thread thread;
        private final AtomicReference<Object> result = new AtomicReference<>();

        Background(String name, Bank bank, Account from, Account to, long amount) {
            thread = Thread.ofPlatform().daemon(true).name(name).unstarted(() -> {
                try {
                    result.set(transfer(bank, from, to, amount));
                } catch (Throwable failure) {
                    result.set(failure);
                }
            });
            everyTeller.add(thread);
            thread.start();
        }

        Thread thread() {
            return thread;
        }

        /** Waits until this transfer has tried an account lock that someone else holds, is stuck, or ends. */
        void awaitWaiting(Duration atMost) {
            long deadline = System.nanoTime() + atMost.toNanos();
            while (System.nanoTime() < deadline && ThreadEnd.stillRuns(thread)) {
                Attempt attempt = attempts.get(thread);
                if (attempt != null && !attempt.lock.isHeldByThread(thread)
                        && (attempt.missed || attempt.lock.hasQueuedThread(thread))) {
                    return;
                }
                Thread.State state = thread.getState();
                if ((state == Thread.State.BLOCKED || state == Thread.State.WAITING) && queuedOn(thread) == null) {
                    return;
                }
                LockSupport.parkNanos(200_000);
            }
        }

        /** Waits for the transfer to end and returns its outcome; fails with what went wrong. */
        Outcome join(Duration atMost) throws InterruptedException {
            thread.join(atMost);
            if (ThreadEnd.stillRuns(thread)) {
                String why = explainStall(List.of(thread));
                stop(List.of(thread));
                throw new AssertionError(thread.getName() + "'s transfer did not finish within " + atMost.toMillis()
                        + " ms after everything it waited for was free:" + why);
            }
            Object outcome = result.get();
            if (outcome instanceof AssertionError error) {
                throw error;
            }
            if (outcome instanceof Throwable failure) {
                throw new AssertionError(thread.getName() + " failed: " + failure, failure);
            }
            return (Outcome) outcome;
        }
    }

    /** Starts one transfer on a thread of its own (not staged, not paused). */
    Background startTransfer(String name, Bank bank, Account from, Account to, long amount) {
        return new Background(name, bank, from, to, amount);
    }

    /**
     * Makes the audits of the next transfers wait in groups of {@code parties}: a group can only get through if
     * that many transfers are inside their critical sections at the same time. The group waits as long as
     * transfers keep arriving, and gives up once none has arrived for {@code patience}: a bank that lets only so
     * many transfers in at once stops the arrivals short of the group, while a loaded machine that starts its
     * tellers slowly only delays them. Returns where a complaint is left if they could not meet.
     */
    AtomicReference<String> auditsMustMeet(int parties, Duration patience) {
        Phaser meeting = new Phaser(parties);
        AtomicLong lastArrival = new AtomicLong(System.nanoTime());
        AtomicReference<String> complaint = new AtomicReference<>();
        onAudit((from, to, amount) -> {
            inProbe.incrementAndGet();
            try {
                lastArrival.set(System.nanoTime());
                int phase = meeting.arrive();
                while (true) {
                    try {
                        meeting.awaitAdvanceInterruptibly(phase, 50, TimeUnit.MILLISECONDS);
                        break; // met, or another member gave up for the group
                    } catch (TimeoutException notYet) {
                        if (System.nanoTime() - lastArrival.get() >= patience.toNanos()) {
                            complaint.compareAndSet(null, shutOut(from, to, amount, patience, parties,
                                    meeting.getArrivedParties()));
                            meeting.forceTermination(); // every member, and every later audit, goes on at once
                            break;
                        }
                    }
                }
            } finally {
                inProbe.decrementAndGet();
            }
        });
        return complaint;
    }

    private String shutOut(Account from, Account to, long amount, Duration patience, int parties, int arrived) {
        Thread me = Thread.currentThread();
        StringBuilder out = new StringBuilder(nameOf(me) + "'s transfer of " + amount + " from " + nameOf(from)
                + " to " + nameOf(to) + " waited in the audit log, holding both accounts' locks, for " + (parties - 1)
                + " other transfer(s) that share no account with it to reach their audit too; " + arrived + " of "
                + parties + " got in, and then none for " + patience.toMillis() + " ms:");
        for (Thread teller : tellers) {
            if (teller != me && ThreadEnd.stillRuns(teller)) {
                out.append("\n  - ").append(teller.getName()).append(" (").append(doingWhat(teller)).append(") is ")
                        .append(stateOf(teller));
            }
        }
        out.append("\nTransfers between different accounts must be able to run at the same time (rule 7). Here "
                + "the bank lets only " + arrived + " of them in at once, as if it had a single lock or a cap on the "
                + "transfers in progress.");
        return out.toString();
    }

    private void watch(List<Thread> threads, LongAdder calls, AtomicReference<Throwable> firstFailure)
            throws InterruptedException {
        long start = System.nanoTime();
        long lastProgress = start;
        long lastCalls = 0;
        Map<Thread, Edge> suspects = Map.of();
        List<String> circle = List.of();
        long circleSince = start;
        Map<Thread, Long> stuckSince = new HashMap<>();
        Map<Thread, String> stuckOn = new HashMap<>();
        while (threads.stream().anyMatch(ThreadEnd::stillRuns)) {
            LockSupport.parkNanos(SAMPLE_NANOS);
            long now = System.nanoTime();
            if (firstFailure.get() != null || firstComplaint.get() != null) {
                stop(threads);
                return;
            }
            long done = calls.sum();
            if (done != lastCalls || inProbe.get() > 0) {
                lastCalls = done;
                lastProgress = now;
            }
            Map<Thread, Edge> cycle = waitCycle();
            if (!cycle.isEmpty() && cycle.values().stream().noneMatch(e -> e.attempt.mayGiveUp)
                    && cycle.equals(suspects)) {
                throw stopWith(threads, explainDeadlock(cycle, done));
            }
            suspects = cycle;
            List<String> signature = cycle.values().stream().map(Edge::signature).sorted().toList();
            if (cycle.isEmpty() || !signature.equals(circle)) {
                circle = signature;
                circleSince = now;
            } else if (now - circleSince > HOLD_AND_WAIT.toNanos()) {
                throw stopWith(threads, explainHoldAndWait(cycle, done));
            }
            if (watchStuckOutside) {
                for (Thread teller : threads) {
                    String on = stuckOutside(teller);
                    if (on != null) {
                        // The same wait all along: the same call of transfer, on the same lock. A teller seen
                        // waiting now and then, while its transfers go on, is not stuck.
                        if (!on.equals(stuckOn.put(teller, on))) {
                            stuckSince.put(teller, now);
                        }
                        long since = stuckSince.get(teller);
                        if (now - since > STUCK_OUTSIDE.toNanos()) {
                            throw stopWith(threads, explainStuckOutside(teller, threads, done));
                        }
                    } else {
                        stuckSince.remove(teller);
                        stuckOn.remove(teller);
                    }
                }
            }
            if (now - lastProgress > STALL.toNanos()) {
                throw stopWith(threads, "No transfer finished for " + STALL.toSeconds() + " s (" + soFar(done)
                        + "), though the tellers are not in a deadlock circle:" + explainStall(threads));
            }
            if (now - start > BOUND.toNanos()) {
                throw stopWith(threads, "The tellers did not finish within " + BOUND.toSeconds() + " s ("
                        + soFar(done) + "):" + explainStall(threads));
            }
        }
    }

    /**
     * What a teller waits for, inside the bank's code, if it is not an account's lock: a monitor or a
     * lock of the bank's own ("which call of transfer, which lock"); null if it waits for nothing such.
     * (Waits in the tests' own code, such as a class being initialised by another teller, do not
     * count.) State, stack and lock come from one snapshot of the thread.
     */
    private String stuckOutside(Thread teller) {
        if (!ThreadEnd.stillRuns(teller) || queuedOn(teller) != null) {
            return null;
        }
        ThreadInfo info = MX.getThreadInfo(teller.threadId(), Integer.MAX_VALUE);
        if (info == null || (info.getThreadState() != Thread.State.BLOCKED
                && info.getThreadState() != Thread.State.WAITING)) {
            return null;
        }
        boolean inTheBank = false;
        for (StackTraceElement frame : info.getStackTrace()) {
            String className = frame.getClassName();
            if (!className.startsWith("java.") && !className.startsWith("jdk.") && !className.startsWith("sun.")) {
                inTheBank = className.startsWith(Bank.class.getPackageName() + ".") && !isTestCode(className);
                break;
            }
        }
        if (!inTheBank) {
            return null;
        }
        // Waiting for a lock of the bank's own is fine while its owner works on an account this transfer
        // shares (a monitor per account, say); not while the owner shares no account with it, or is unknown.
        Transfer mine = current.get(teller);
        Transfer owners = everyTeller.stream().filter(t -> t.threadId() == info.getLockOwnerId())
                .map(current::get).filter(Objects::nonNull).findFirst().orElse(null);
        if (mine != null && owners != null && sharesAnAccount(mine, owners)) {
            return null;
        }
        LockInfo lock = info.getLockInfo();
        return System.identityHashCode(mine) + " on " + (lock == null ? "?" : lock.getClassName() + "@"
                + Integer.toHexString(lock.getIdentityHashCode()));
    }

    private static boolean sharesAnAccount(Transfer one, Transfer other) {
        return one.from == other.from || one.from == other.to || one.to == other.from || one.to == other.to;
    }

    private static boolean isTestCode(String className) {
        String topLevel = className.contains("$") ? className.substring(0, className.indexOf('$')) : className;
        String simple = topLevel.substring(topLevel.lastIndexOf('.') + 1);
        return simple.equals("BankFloor") || simple.equals("WatchedLock") || simple.endsWith("Test");
    }

    private static String soFar(long calls) {
        return calls == 0 ? "before any transfer had finished" : "after " + calls + " transfers had finished";
    }

    private AssertionError stopWith(List<Thread> threads, String why) {
        stop(threads);
        return new AssertionError(why);
    }

    private void stop(List<Thread> threads) {
        stopped = true;
        threads.forEach(Thread::interrupt);
        everyTeller.forEach(Thread::interrupt);
    }

    /** Whether this floor's run has failed: its tellers are being stopped. */
    boolean isStopped() {
        return stopped;
    }

    // --- circles of waiting ------------------------------------------------------------------------

    /** Teller {@code waiter}, in {@code attempt}, wants {@code lock}, which {@code owner} holds (taken as {@code stamp}). */
    private record Edge(Thread waiter, Attempt attempt, WatchedLock lock, Thread owner, long stamp) {
        String signature() {
            return waiter.threadId() + ">" + System.identityHashCode(lock) + "#" + stamp;
        }
    }

    /**
     * A circle of tellers, each waiting for (or retrying) an account lock that the next one holds, in
     * the order of the circle; empty if there is none.
     *
     * <p>{@code ThreadMXBean.findDeadlockedThreads()} is not used to decide: it also reports a circle
     * through a {@code tryLock(timeout)} wait, which ends by itself. The watch calls a circle of
     * untimed waits seen twice, with every teller still in the same attempt, a deadlock (none of
     * them left its {@code lock()} call in between); and any circle whose locks were all held
     * without a break for {@link #HOLD_AND_WAIT} a failure to give way.
     */
    private Map<Thread, Edge> waitCycle() {
        Map<Thread, Edge> edges = new HashMap<>();
        for (Thread teller : everyTeller) {
            Attempt attempt = attempts.get(teller);
            if (attempt == null || !ThreadEnd.stillRuns(teller) || attempt.lock.isHeldByThread(teller)) {
                continue;
            }
            if (attempt.mayGiveUp && !attempt.missed && !attempt.lock.hasQueuedThread(teller)) {
                continue;
            }
            if (!attempt.mayGiveUp && !attempt.lock.hasQueuedThread(teller)) {
                continue;
            }
            Thread owner = attempt.lock.owner();
            if (owner == null || owner == teller || !everyTeller.contains(owner)) {
                continue;
            }
            edges.put(teller, new Edge(teller, attempt, attempt.lock, owner, attempt.lock.stamp()));
        }
        for (Thread start : edges.keySet()) {
            Map<Thread, Edge> path = new LinkedHashMap<>();
            Thread next = start;
            while (next != null && !path.containsKey(next) && edges.containsKey(next)) {
                Edge edge = edges.get(next);
                path.put(next, edge);
                next = edge.owner;
            }
            if (next != null && path.containsKey(next)) {
                Map<Thread, Edge> cycle = new LinkedHashMap<>();
                boolean inCycle = false;
                for (Map.Entry<Thread, Edge> step : path.entrySet()) {
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

    // --- the books ---------------------------------------------------------------------------

    /**
     * Checks the books after a run: nothing was complained about, no lock is left held, and every
     * account holds its opening balance plus what the transfers that went through moved.
     */
    void assertBooks() {
        String complaint = firstComplaint.get();
        if (complaint != null) {
            throw new AssertionError(complaint);
        }
        List<String> leaked = leakedLocks();
        if (!leaked.isEmpty()) {
            throw new AssertionError("After every transfer had returned, some account locks were still held:"
                    + String.join("", leaked) + "\nSome way out of transfer skips the unlock; every later transfer "
                    + "touching that account would wait for ever (rules 3 and 8).");
        }
        StringBuilder wrong = new StringBuilder();
        long opening = 0;
        long now = 0;
        for (Account account : accounts) {
            long expected = openings.get(account) + ledger.get(account).sum();
            long actual = account.balance();
            opening += openings.get(account);
            now += actual;
            if (actual != expected) {
                wrong.append("\n  - ").append(nameOf(account)).append(" holds ").append(actual)
                        .append(", but the transfers that went through leave it ").append(expected);
            }
        }
        if (wrong.length() > 0) {
            throw new AssertionError(wentThrough.sum() + " transfers went through, " + refused.sum()
                    + " were refused and " + auditFailed.sum() + " failed in the audit log, but the balances do not "
                    + "add up:" + wrong + "\nThe bank opened with " + opening + " and now holds " + now + ": a "
                    + "transfer was lost half-way, or applied twice (rule 1).");
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

    /** How many transfers threw the audit log's failure so far. */
    long auditFailed() {
        return auditFailed.sum();
    }

    /** The money in all the floor's accounts. */
    long total() {
        return accounts.stream().mapToLong(Account::balance).sum();
    }

    /** What the books say {@code account} holds now (changed only inside a transfer's audit). */
    long booked(Account account) {
        return books.get(account).get();
    }

    WatchedLock lockOf(Account account) {
        return account.lock() instanceof WatchedLock watched && watched.account() == account ? watched : null;
    }

    /**
     * A check for {@code katas.testkit.Watch}: takes an account's lock with tryLock (never waiting,
     * so it cannot take part in a deadlock), and says what is wrong if the balance differs from the
     * books. Whoever holds an account's lock must never see a transfer half done.
     */
    java.util.function.Supplier<String> examiner() {
        AtomicInteger next = new AtomicInteger();
        return () -> {
            if (accounts.isEmpty()) {
                return null;
            }
            Account account = accounts.get(Math.floorMod(next.getAndIncrement(), accounts.size()));
            if (!account.lock().tryLock()) {
                return null;
            }
            try {
                long actual = read(account);
                long booked = books.get(account).get();
                return actual == booked ? null : "an examiner took " + lockOf(account) + " between transfers and "
                        + "found " + actual + " in it, but the transfers recorded so far leave it " + booked + ": a "
                        + "transfer let go of the account before it was done, or changed it without recording "
                        + "(rule 4)";
            } finally {
                account.lock().unlock();
            }
        };
    }

    // --- called by the watched locks -------------------------------------------------------

    boolean isReadingForTheTest() {
        return readingForTheTest.get();
    }

    /** Reads a balance for the test's checks: the caller holds the account's lock, so this never waits. */
    private long read(Account account) {
        readingForTheTest.set(true);
        try {
            return account.balance();
        } finally {
            readingForTheTest.set(false);
        }
    }

    Transfer currentTransfer() {
        return current.get(Thread.currentThread());
    }

    void attempting(WatchedLock lock, boolean mayGiveUp) {
        Thread me = Thread.currentThread();
        if (!everyTeller.contains(me)) {
            return;
        }
        if (stopped) {
            throw new TellerStopped();
        }
        Attempt previous = attempts.get(me);
        Attempt attempt = new Attempt(lock, mayGiveUp);
        // Trying again for a lock it missed: the teller has wanted it all along, also while this try is in flight.
        attempt.missed = mayGiveUp && previous != null && previous.lock == lock && previous.missed;
        attempts.put(me, attempt);
    }

    void missed(WatchedLock lock) {
        Thread me = Thread.currentThread();
        if (!everyTeller.contains(me)) {
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
     * {@link Account#balance()} for a quick read, this is where a collision is staged, the window
     * widened, or the teller interrupted.
     */
    void acquired(WatchedLock lock, boolean first, boolean forABalanceRead) {
        Thread me = Thread.currentThread();
        if (!everyTeller.contains(me)) {
            interruptIfAsked(me, first, forABalanceRead, lock);
            return;
        }
        attempts.remove(me);
        if (forABalanceRead) {
            return; // a quick read of a balance: the teller has not started to lock its transfer's accounts
        }
        engaged.add(me);
        if (!first || locks.stream().anyMatch(other -> other != lock && other.isHeldByCurrentThread())) {
            return;
        }
        if (tellers.contains(me)) {
            if (staged && met.add(me)) {
                meetTheOtherTellers(me);
            } else if (pauseNanos > 0) {
                LockSupport.parkNanos(pauseNanos);
            }
        }
        interruptIfAsked(me, true, false, lock);
    }

    private void interruptIfAsked(Thread me, boolean first, boolean forABalanceRead, WatchedLock lock) {
        Transfer transfer = current.get(me);
        if (transfer == null || !transfer.interruptAtFirstLock || !first || forABalanceRead) {
            return;
        }
        if (locks.stream().anyMatch(other -> other != lock && other.isHeldByCurrentThread())) {
            return;
        }
        transfer.interruptAtFirstLock = false;
        transfer.interrupted = true;
        me.interrupt();
    }

    /**
     * A thread lets go of {@code lock} for good (its last hold). If it is inside a transfer that
     * involves this account, the account must hold what the books say: whoever takes the lock next
     * must not see a transfer half done.
     */
    void releasing(WatchedLock lock) {
        Thread me = Thread.currentThread();
        Transfer transfer = current.get(me);
        Account account = lock.account();
        if (transfer == null || account == null || (account != transfer.from && account != transfer.to)) {
            return;
        }
        if (transfer.auditFailure != null && !transfer.settled) {
            settle(transfer, lock);
        }
        long actual = read(account);
        long booked = books.get(account).get();
        if (actual != booked) {
            complain(transfer, transfer.teller + "'s " + transfer + " let go of " + lock + " (at " + where(caller())
                    + ") while " + nameOf(account) + " held " + actual + ", but no finished transfer leaves it "
                    + "anything but " + booked + ". Whoever takes that lock next sees the transfer half done. Hold "
                    + "both accounts' locks from before the money moves until it has moved and the audit log "
                    + "has recorded it (rule 4).");
        }
    }

    /**
     * The audit log threw: the transfer may leave the money moved or move it back (the rules leave
     * that to the bank), but both accounts the same way. Decided at its first release.
     */
    private void settle(Transfer transfer, WatchedLock releasing) {
        transfer.settled = true;
        boolean fromHeld = lockOf(transfer.from).isHeldByCurrentThread();
        boolean toHeld = lockOf(transfer.to).isHeldByCurrentThread();
        long fromBooks = books.get(transfer.from).get();
        long toBooks = books.get(transfer.to).get();
        Boolean fromMoved = fromHeld ? moved(read(transfer.from), fromBooks, -transfer.amount) : null;
        Boolean toMoved = toHeld ? moved(read(transfer.to), toBooks, transfer.amount) : null;
        if (Objects.equals(fromMoved, Boolean.FALSE) && Objects.equals(toMoved, Boolean.TRUE)
                || Objects.equals(fromMoved, Boolean.TRUE) && Objects.equals(toMoved, Boolean.FALSE)) {
            complain(transfer, transfer.teller + "'s " + transfer + " failed in the audit log, and when it let go of "
                    + releasing + " the money was out of one account but not in the other: leave the transfer done, "
                    + "or undo it, but whole (rules 1 and 8).");
            return;
        }
        boolean movedForGood = Boolean.TRUE.equals(fromMoved) || Boolean.TRUE.equals(toMoved);
        if (movedForGood) {
            transfer.movedForGood = true;
            books.get(transfer.from).addAndGet(-transfer.amount);
            books.get(transfer.to).addAndGet(transfer.amount);
        }
    }

    private static Boolean moved(long actual, long booked, long change) {
        return actual == booked + change ? Boolean.TRUE : actual == booked ? Boolean.FALSE : null;
    }

    private void complain(Transfer transfer, String complaint) {
        if (transfer != null) {
            transfer.complaint.compareAndSet(null, complaint);
        }
        firstComplaint.compareAndSet(null, complaint);
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
     * for anything else after the start gate (a lock of the bank's own, say); or has finished.
     */
    private boolean isEngaged(Thread teller) {
        if (engaged.contains(teller) || !ThreadEnd.stillRuns(teller) || queuedOn(teller) != null) {
            return true;
        }
        Thread.State state = teller.getState();
        return started.contains(teller) && (state == Thread.State.BLOCKED || state == Thread.State.WAITING);
    }

    // --- explanations ----------------------------------------------------------------------

    private String explainDeadlock(Map<Thread, Edge> cycle, long calls) {
        StringBuilder out = new StringBuilder("DEADLOCK " + soFar(calls) + ": these tellers wait for each other in a "
                + "circle, so none of them can ever go on:");
        cycle.forEach((teller, edge) -> out.append("\n  - ").append(teller.getName()).append(" (")
                .append(doingWhat(teller)).append(") holds ").append(heldBy(teller)).append(", and waits for ")
                .append(edge.lock).append(", which ").append(nameOf(edge.owner)).append(" holds; it waits at ")
                .append(whereIs(teller)));
        out.append("\nEach one holds the lock the next one waits for (rule 5). Look at the order in which each of "
                + "these transfers took its two accounts' locks: does it depend on the direction of the transfer, "
                + "or on something two accounts can share?");
        return out.toString();
    }

    private String explainHoldAndWait(Map<Thread, Edge> cycle, long calls) {
        StringBuilder out = new StringBuilder("LIVELOCK " + soFar(calls) + ": for " + HOLD_AND_WAIT.toMillis()
                + " ms these tellers each kept one account's lock while trying again and again to take the next "
                + "one's, in a circle:");
        cycle.forEach((teller, edge) -> out.append("\n  - ").append(teller.getName()).append(" (")
                .append(doingWhat(teller)).append(") holds ").append(heldBy(teller)).append(", and keeps trying ")
                .append(edge.lock).append(", which ").append(nameOf(edge.owner)).append(" holds; it is at ")
                .append(whereIs(teller)));
        out.append("\nNobody gives way, so nobody gets on (rule 6). A transfer that cannot get its second lock "
                + "must give the first one back before it tries again, so that the other transfer can finish.");
        return out.toString();
    }

    private String explainStuckOutside(Thread teller, List<Thread> threads, long calls) {
        StringBuilder out = new StringBuilder(teller.getName() + " (" + doingWhat(teller) + ") waited "
                + STUCK_OUTSIDE.toMillis() + " ms for something that is not an account's lock (" + soFar(calls)
                + "): it is " + stateOf(teller) + ". Meanwhile:");
        for (Thread other : everyTeller) {
            if (other != teller && ThreadEnd.stillRuns(other)) {
                out.append("\n  - ").append(other.getName()).append(" (").append(doingWhat(other)).append(") is ")
                        .append(stateOf(other));
            }
        }
        out.append("\nA transfer may wait only for transfers that share an account with it (rule 7): one lock for "
                + "the whole bank, or a bank-wide lock held while waiting for an account, makes unrelated "
                + "transfers wait for each other.");
        return out.toString();
    }

    private String explainStall(List<Thread> threads) {
        StringBuilder out = new StringBuilder();
        boolean holdsWhileTrying = false;
        for (Thread teller : threads) {
            if (!ThreadEnd.stillRuns(teller)) {
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
            out.append("; it is ").append(stateOf(teller));
        }
        List<String> leaked = leakedLocks();
        if (!leaked.isEmpty()) {
            out.append("\nLocks that outlived their transfer:").append(String.join("", leaked))
                    .append("\nSome way out of transfer skips the unlock; every later transfer touching that "
                            + "account waits for ever (rules 3 and 8).");
        }
        if (holdsWhileTrying) {
            out.append("\nA teller that keeps retrying a lock while it holds another one gives way to no one: "
                    + "if the teller it waits for does the same, neither ever gets on (rule 6).");
        }
        List<Thread> alive = threads.stream().filter(ThreadEnd::stillRuns).toList();
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
            if (owner == null || (ThreadEnd.stillRuns(owner) && during != null && current.get(owner) == during)) {
                continue;
            }
            if (ThreadEnd.stillRuns(owner) && during == null && !everyTeller.contains(owner)) {
                continue; // an examiner or the test itself, reading
            }
            String ownerWhere = ThreadEnd.stillRuns(owner) ? "has moved on" : "has finished";
            leaked.add("\n  - " + lock + " is still held by " + nameOf(owner) + ", which took it at "
                    + lock.takenAt() + (during == null ? "" : " during its " + during + "; that transfer "
                    + during.outcome + ", and " + nameOf(owner) + " " + ownerWhere)
                    + ": nothing will ever unlock it.");
        }
        return leaked;
    }

    /** A teller's name, or what a thread that is not a teller is to the reader. */
    String nameOf(Thread thread) {
        return everyTeller.contains(thread) ? thread.getName() : "the test's own thread";
    }

    /** "account Ada", or "account Ada (no. 17)" when another account on this floor is called Ada too. */
    String nameOf(Account account) {
        if (account == null) {
            return "null";
        }
        return namesInUse.getOrDefault(account.name(), 0) > 1 ? account + " (no. " + account.number() + ")"
                : account.toString();
    }

    private WatchedLock queuedOn(Thread teller) {
        return locks.stream().filter(lock -> lock.hasQueuedThread(teller)).findFirst().orElse(null);
    }

    private String heldBy(Thread teller) {
        List<String> held = locks.stream().filter(lock -> lock.owner() == teller)
                .map(lock -> lock + " (taken at " + lock.takenAt() + ")").toList();
        return held.isEmpty() ? "no account lock" : String.join(" and ", held);
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

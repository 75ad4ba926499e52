package katas.fixtherace;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Sneaky;
import katas.testkit.ThreadDiagnosis;
import katas.testkit.ThreadEnd;
import katas.testkit.ThreadWaits;
import katas.testkit.Watch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden: rules 6 and 7 with many customers at once: every paid withdrawal was approved with its amount, the
 * money that left never exceeds what the fraud check had approved (watched while it runs), and fraud checks
 * that fail (with a RuntimeException, an Error or a checked exception) take nothing and leave no lock behind. A
 * withdrawal made while another is being approved (by an interrupted thread, or against a balance far above the
 * amount) must not overdraw the account (rules 4 and 9).
 */
@DisplayName("BankAccount and its fraud check")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FraudCheckTest {

    @Test
    @Order(1)
    @Tag("rule-6")
    @Tag("rule-4")
    @DisplayName("lets no money leave before the fraud check approved it, while many customers withdraw")
    void approvesBeforeMoneyLeaves(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Crowd crowd = Crowd.of(round, 2, 16);
            int each = round.between("withdrawals each", 1, 4);
            crowd.callsEach(each);
            Random random = round.random();
            int distinct = round.between("distinct amounts", 1, 6);
            long typical = round.between("typical amount", 1, 1_000_000_000L);
            long[] pool = new long[distinct];
            for (int i = 0; i < distinct; i++) {
                pool[i] = 1 + (long) (random.nextDouble() * typical * 2);
            }
            long[][] amounts = new long[crowd.size()][each];
            long asked = 0;
            for (long[] row : amounts) {
                for (int i = 0; i < each; i++) {
                    row[i] = pool[random.nextInt(distinct)];
                    asked += row[i];
                }
            }
            long opening = round.between("opening balance", asked / 3, asked * 2 / 3);
            FraudCheck slow = BankAccountTest.slowFraudCheck(round);
            LongAdder approvedSum = new LongAdder();
            Map<Long, LongAdder> approvals = new ConcurrentHashMap<>();
            BankAccount account = new BankAccount(opening, amount -> {
                slow.approve(amount);
                approvals.computeIfAbsent(amount, a -> new LongAdder()).increment();
                approvedSum.add(amount);
            });
            Map<Long, LongAdder> paid = new ConcurrentHashMap<>();
            LongAdder taken = new LongAdder();
            try (Watch watch = Watch.of("rule 6, money leaves only after approval", () -> {
                long balance = account.balance();
                long approved = approvedSum.sum();
                if (balance < 0) {
                    return "balance() returned " + balance + " (rule 4, never overdrawn)";
                }
                return opening - balance > approved ? String.format("%,d had left the account (opened with %,d) "
                        + "when the fraud check had approved only %,d", opening - balance, opening, approved) : null;
            })) {
                crowd.run((thread, call) -> {
                    long amount = amounts[thread][call];
                    if (account.withdraw(amount)) {
                        paid.computeIfAbsent(amount, a -> new LongAdder()).increment();
                        taken.add(amount);
                    }
                });
            }
            assertThat(account.balance()).as("rule 5: opening %,d - paid %,d", opening, taken.sum())
                    .isEqualTo(opening - taken.sum());
            for (Map.Entry<Long, LongAdder> e : paid.entrySet()) {
                long times = approvals.getOrDefault(e.getKey(), new LongAdder()).sum();
                assertThat(times).as("rule 6: %d withdrawals of %,d were paid but the fraud check approved %,d only %d "
                        + "times: every withdrawal is approved on its own", e.getValue().sum(), e.getKey(), e.getKey(),
                        times).isGreaterThanOrEqualTo(e.getValue().sum());
            }
            Set<Long> withdrawn = new java.util.HashSet<>();
            for (long a : pool) {
                withdrawn.add(a);
            }
            assertThat(approvals.keySet()).as("rule 6: the fraud check was asked about amounts nobody withdrew "
                    + "(withdrawals were of %s): approve(amount) takes the amount withdrawn", withdrawn)
                    .isSubsetOf(withdrawn);
        });
    }

    @Test
    @Order(2)
    @Tag("rule-7")
    @Tag("rule-4")
    // The unlocked stub keeps this rule by doing nothing: it gates the part's points, it earns none.
    @Tag("precondition")
    @DisplayName("takes nothing when fraud checks fail while many customers withdraw, and keeps no lock afterwards")
    void failingChecksUnderContention(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Crowd crowd = Crowd.of(round, 2, 16);
            int each = round.between("withdrawals each", 1, 4);
            crowd.callsEach(each);
            long typical = round.between("typical amount", 1, 1_000_000_000L);
            long[][] amounts = BankAccountTest.amounts(round.random(), crowd.size(), each, typical);
            long asked = BankAccountTest.sum(amounts);
            long opening = round.between("opening balance", asked / 3, asked * 2 / 3);
            int failEvery = round.between("one amount in how many fails", 2, 4);
            Throwable failure = round.failure("the fraud check throws", "fraud service unavailable");
            FraudCheck slow = BankAccountTest.slowFraudCheck(round);
            BankAccount account = new BankAccount(opening, amount -> {
                slow.approve(amount);
                if (amount % failEvery == 0) {
                    throw Sneaky.raise(failure);
                }
            });
            LongAdder taken = new LongAdder();
            ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<Long> refused = new ConcurrentLinkedQueue<>();
            // No watch here: a lock left locked by a failed call would keep its reads waiting forever.
            crowd.run((thread, call) -> {
                long amount = amounts[thread][call];
                boolean failing = amount % failEvery == 0;
                try {
                    boolean paid = account.withdraw(amount);
                    if (paid && failing) {
                        wrong.add("withdraw(" + amount + ") returned true though the fraud check threw");
                    } else if (paid) {
                        taken.add(amount);
                    } else if (!failing) {
                        refused.add(amount);
                    }
                } catch (Throwable thrown) {
                    if (!failing || !BankAccountTest.causes(thrown, failure)) {
                        wrong.add("withdraw(" + amount + ") threw " + thrown + (failing ? ", not the fraud check's "
                                + failure + " itself (neither wrapped nor replaced)"
                                : " though the fraud check approved it"));
                    }
                }
            });
            assertThat(wrong).as("rule 7: when the fraud check throws, withdraw fails with that exception").isEmpty();
            long balance = OtherThread.call("clerk", "balance()", "after " + crowd.describe() + " withdrew and some "
                    + "fraud checks threw " + failure.getClass().getSimpleName(), account::balance);
            assertThat(balance).as("rule 4, never overdrawn: %s withdrew %,d from %,d: two withdrawals passed the "
                    + "balance check before either took the money", crowd.describe(), taken.sum(), opening)
                    .isNotNegative();
            assertThat(balance).as("rule 7: a failed fraud check takes nothing: opening %,d - paid %,d", opening,
                    taken.sum()).isEqualTo(opening - taken.sum());
            for (long amount : refused) {
                assertThat(amount).as("rule 4: withdraw(%,d) was refused, but the balance never went below %,d",
                        amount, balance).isGreaterThan(balance);
            }
            long deposit = round.between("deposit", 1, 1_000_000);
            OtherThread.call("cashier", "deposit(" + deposit + ")", "after fraud checks threw in other threads",
                    () -> {
                        account.deposit(deposit);
                        return null;
                    });
            assertThat(account.balance()).as("rule 5").isEqualTo(opening - taken.sum() + deposit);
        });
    }

    @Test
    @Order(3)
    @Tag("rule-4")
    @Tag("rule-5")
    @DisplayName("is never overdrawn, whatever class or package its fraud check comes from")
    void keepsEveryKindOfFraudCheckSafe(Shapes shapes) throws Exception {
        // A real fraud check is a class of another library (here a JDK proxy, whose class is in no package of this
        // kata): the account must be just as safe with it as with the tests' own lambdas.
        shapes.check(3, round -> {
            long amount = round.between("amount both customers withdraw", 1, 1L << 40);
            long opening = amount + round.between("opening balance above it", 0, amount - 1);
            AtomicReference<Thread> first = new AtomicReference<>();
            AtomicReference<Thread> second = new AtomicReference<>();
            AtomicBoolean firstAsked = new AtomicBoolean();
            CountDownLatch deciding = new CountDownLatch(1);
            FraudCheck remote = remoteFraudCheck(approved -> {
                if (Thread.currentThread() == first.get() && !firstAsked.getAndSet(true)) {
                    deciding.countDown();
                    // Decides only once the second customer is done, or has kept waiting for the account for
                    // 20 ms (2 s at most: a right account gives the same result whenever it decides).
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                    long waitingSince = 0;
                    while (System.nanoTime() < deadline) {
                        Thread other = second.get();
                        Thread.State state = other == null ? Thread.State.NEW : other.getState();
                        if (state == Thread.State.TERMINATED) {
                            break;
                        } else if (state == Thread.State.NEW || state == Thread.State.RUNNABLE) {
                            waitingSince = 0;
                        } else if (waitingSince == 0) {
                            waitingSince = System.nanoTime();
                        } else if (System.nanoTime() - waitingSince > TimeUnit.MILLISECONDS.toNanos(20)) {
                            break;
                        }
                        Thread.onSpinWait();
                    }
                }
            });
            BankAccount account = new BankAccount(opening, remote);
            boolean[] paid = new boolean[2];
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread a = Thread.ofPlatform().daemon(true).name("customer-" + round.between("first customer", 1, 99))
                    .unstarted(() -> {
                        try {
                            paid[0] = account.withdraw(amount);
                        } catch (Throwable t) {
                            failure.set(t);
                        }
                    });
            Thread b = Thread.ofPlatform().daemon(true).name("customer-" + round.between("second customer", 100, 199))
                    .unstarted(() -> {
                        try {
                            paid[1] = account.withdraw(amount);
                        } catch (Throwable t) {
                            failure.set(t);
                        }
                    });
            first.set(a);
            a.start();
            if (!deciding.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("rule 6: withdraw(" + amount + ") from " + opening + " did not ask the fraud "
                        + "check within 10 s. " + ThreadDiagnosis.explain(List.of(a)));
            }
            second.set(b);
            b.start();
            a.join(Duration.ofSeconds(10));
            b.join(Duration.ofSeconds(10));
            if (ThreadEnd.stillRuns(a) || ThreadEnd.stillRuns(b)) {
                throw new AssertionError("rule 9: two withdrawals did not finish within 10 s. "
                        + ThreadDiagnosis.explain(List.of(a, b)));
            }
            assertThat(failure.get()).as("rule 4: withdraw(%,d) threw, though the fraud check approved it", amount)
                    .isNull();
            long balance = account.balance();
            String fraudCheckClass = remote.getClass().getName();
            assertThat(balance).as("rule 4, never overdrawn: two customers withdrew %,d each from %,d, one while the "
                    + "fraud check (a %s, from another package) was deciding about the other: both were paid and the "
                    + "balance is %,d. The account must lock whatever its fraud check is", amount, opening,
                    fraudCheckClass, balance).isNotNegative();
            int payments = (paid[0] ? 1 : 0) + (paid[1] ? 1 : 0);
            assertThat(payments).as("rule 4: two customers withdrew %,d each from %,d (with a fraud check of another "
                    + "package): exactly one can be paid, %d were", amount, opening, payments).isEqualTo(1);
            assertThat(balance).as("rule 5: opening %,d - one withdrawal of %,d", opening, amount)
                    .isEqualTo(opening - amount);
        });
    }

    @Test
    @Order(4)
    @Tag("rule-4")
    @Tag("rule-9")
    @DisplayName("is never overdrawn by a withdrawal made while another one is being approved, whoever makes it")
    void checksAgainAfterAnApprovalInProgress(Shapes shapes) throws Exception {
        // The order is forced every run: the first customer's withdrawal is being approved while a second customer
        // asks for more than the first would leave, and the first approval ends only once the second withdrawal
        // has returned or waits. Every run has each kind of case: the second customer's thread was interrupted
        // before it called or not, the first amount is small next to the balance (64 times or more, as much as
        // 2^60 times) or not, and the balance is drawn in every power of two from 2^6 to 2^60 (rule 10 allows up to
        // Long.MAX_VALUE / 4). A shortcut taken for one kind (no lock for an interrupted thread, no re-check when
        // money seems plenty, or only for balances in some band: red team E above 2^52, G from 2^51 to 2^59)
        // overdraws the account in every run.
        shapes.check(1, round -> {
            for (int bits = 6; bits <= 60; bits++) {
                for (boolean interrupted : new boolean[] {false, true}) {
                    for (boolean small : new boolean[] {true, false}) {
                        withdrawDuringAnApproval(round, interrupted, small, bits, false);
                    }
                }
                // Red team O: the amount held apart while its approval is pending, a withdrawal refused meanwhile
                // though the money is still there; when that approval fails, the refusal was wrong (every other
                // power of two, from 2^6, and 2^59 and 2^60: a quarter more rounds at most).
                if (bits % 2 == 0 || bits >= 59) {
                    withdrawDuringAnApproval(round, round.chance("interrupted, while one is refused", 0.5),
                            round.chance("small, while one is refused", 0.5), bits, true);
                }
            }
        });
    }

    @Test
    @Order(6)
    @Tag("rule-4")
    @DisplayName("refuses no withdrawal the balance covers while several others are being approved, whichever of them "
            + "are then approved or fail")
    void waitsForEveryPendingApprovalBeforeRefusing(Shapes shapes) throws Exception {
        // Red team P: money promised to withdrawals whose approval is pending, and a withdrawal that the balance
        // covers only if some of them fail waits for one decision (wait() under an if, not a while) and then
        // refuses. With one approval pending (the test above) the one decision is the last; here two to four are
        // pending, the first decision is an approval, and the withdrawal is covered only once every failing one has
        // failed: the balance never went below what it needs, so a refusal is wrong whatever the order.
        shapes.check(4, FraudCheckTest::withdrawWhileSeveralAreApproved);
    }

    private static void withdrawWhileSeveralAreApproved(Shapes round) throws InterruptedException {
        int pending = round.between("withdrawals being approved", 2, 4);
        int bits = round.between("opening balance, as a power of two", 8, 60);
        long opening = round.between("opening balance", 1L << bits, (1L << (bits + 1)) - 1);
        // The first one asked is approved first; of the others, at least one fails.
        int failing = round.between("of the others, how many the fraud check refuses", 1, pending - 1);
        List<Integer> others = new ArrayList<>();
        for (int i = 1; i < pending; i++) {
            others.add(i);
        }
        List<Integer> shuffled = round.shuffled("who fails", others);
        boolean[] fails = new boolean[pending];
        for (int i = 0; i < failing; i++) {
            fails[shuffled.get(i)] = true;
        }
        List<Integer> order = new ArrayList<>();
        order.add(0);
        order.addAll(round.shuffled("order of the decisions after the first", others));
        Random random = round.random();
        long[] amounts = new long[pending];
        long approvedSum = 0;
        long smallestFailing = Long.MAX_VALUE;
        Throwable[] failures = new Throwable[pending];
        for (int i = 0; i < pending; i++) {
            amounts[i] = 1 + (long) (random.nextDouble() * (opening / pending - 1));
            if (fails[i]) {
                smallestFailing = Math.min(smallestFailing, amounts[i]);
                failures[i] = round.failure("the fraud check refuses withdrawal " + (i + 1), "fraud suspected");
            } else {
                approvedSum += amounts[i];
            }
        }
        // Covered by the balance, which never goes below opening - approvedSum, but not by the balance less the
        // money of the pending ones until every failing one has failed.
        long amount = round.between("the withdrawal made meanwhile", opening - approvedSum - smallestFailing + 1,
                opening - approvedSum);
        CountDownLatch[] decide = new CountDownLatch[pending];
        boolean[] asking = new boolean[pending];
        Thread[] threads = new Thread[pending];
        for (int i = 0; i < pending; i++) {
            decide[i] = new CountDownLatch(1);
        }
        BankAccount account = new BankAccount(opening, amountAsked -> {
            for (int i = 0; i < pending; i++) {
                if (Thread.currentThread() == threads[i]) {
                    synchronized (asking) {
                        asking[i] = true;
                    }
                    try {
                        WaitingTest.awaitUninterruptibly(decide[i]);
                    } finally {
                        synchronized (asking) {
                            asking[i] = false;
                        }
                    }
                    if (fails[i]) {
                        throw Sneaky.raise(failures[i]);
                    }
                    return;
                }
            }
        });
        Object[] outcomes = new Object[pending + 1];
        for (int i = 0; i < pending; i++) {
            int index = i;
            threads[i] = Thread.ofPlatform().daemon(true).name("customer-" + (i + 1)).unstarted(() -> {
                try {
                    outcomes[index] = account.withdraw(amounts[index]);
                } catch (Throwable t) {
                    outcomes[index] = t;
                }
            });
        }
        Thread last = Thread.ofPlatform().daemon(true).name("customer-" + (pending + 1)).unstarted(() -> {
            try {
                outcomes[pending] = account.withdraw(amount);
            } catch (Throwable t) {
                outcomes[pending] = t;
            }
        });
        List<Thread> all = new ArrayList<>(List.of(threads));
        all.add(last);
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        try {
            threads[0].start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!isAsking(asking, 0) && ThreadEnd.stillRuns(threads[0]) && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(50_000);
            }
            if (!isAsking(asking, 0)) {
                throw new AssertionError("withdraw(" + amounts[0] + ") from " + opening + " did not ask the fraud check "
                        + "within 10 s (it " + (ThreadEnd.stillRuns(threads[0]) ? "runs" : "returned " + outcomes[0])
                        + "). "
                        + ThreadDiagnosis.explain(List.of(threads[0])));
            }
            for (int i = 1; i < pending; i++) {
                threads[i].start();
                int index = i;
                returnsOrWaits(threads[i], () -> isAsking(asking, index));
            }
            last.start();
            returnsOrWaits(last, () -> false);
            for (int k : order) {
                long waitedBefore = ThreadWaits.count(last);
                boolean wasAsking = isAsking(asking, k);
                decide[k].countDown();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                if (wasAsking) {
                    threads[k].join(Duration.ofSeconds(10));
                }
                // Until the withdrawal made meanwhile has looked again: it returned, waits again (its waited count
                // grew), or waits for the account, which a withdrawal being approved holds.
                while (System.nanoTime() < until && !settled(mx, last, waitedBefore, threads, asking)) {
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000);
                }
            }
        } finally {
            for (CountDownLatch latch : decide) {
                latch.countDown();
            }
        }
        for (Thread t : all) {
            t.join(Duration.ofSeconds(10));
            if (ThreadEnd.stillRuns(t)) {
                throw new AssertionError("'" + t.getName() + "' did not finish within 10 s after the fraud check had "
                        + "decided every withdrawal. " + ThreadDiagnosis.explain(all));
            }
        }
        StringBuilder story = new StringBuilder();
        story.append(String.format("an account opened with %,d; ", opening));
        for (int k : order) {
            story.append(String.format("withdraw(%,d) was being approved and %s; ", amounts[k],
                    fails[k] ? "the fraud check then threw " + failures[k].getClass().getSimpleName() : "was approved"));
        }
        story.append(String.format("meanwhile (the decisions came in this order) another customer withdrew %,d",
                amount));
        String what = story.toString();
        for (int i = 0; i < pending; i++) {
            if (fails[i]) {
                assertThat(outcomes[i] == failures[i] || Boolean.FALSE.equals(outcomes[i])).as("rule 7: %s; "
                        + "withdraw(%,d), which the fraud check refused with %s, %s", what, amounts[i], failures[i],
                        outcomes[i] instanceof Throwable t ? "threw " + t : "returned " + outcomes[i]).isTrue();
            } else {
                assertThat(outcomes[i]).as("rule 4: %s; withdraw(%,d), approved, and covered whatever the order",
                        what, amounts[i]).isEqualTo(Boolean.TRUE);
            }
        }
        assertThat(outcomes[pending]).as("rule 4, a withdrawal is refused only if the balance really was too low: "
                + "%s, and was %s. The balance never went below %,d (the opening less the approved withdrawals): "
                + "money whose approval is still pending has not left. Waiting for pending approvals is fine, but "
                + "wait until they decide it (in a loop), not for one decision", what,
                outcomes[pending] instanceof Throwable t ? "answered with " + t : "refused", opening - approvedSum)
                .isEqualTo(Boolean.TRUE);
        assertThat(account.balance()).as("rule 5: %s; every approved withdrawal and the last one were paid", what)
                .isEqualTo(opening - approvedSum - amount);
    }

    private static boolean isAsking(boolean[] asking, int index) {
        synchronized (asking) {
            return asking[index];
        }
    }

    /**
     * Whether {@code thread} has settled since a decision: it ended, waits again (WAITING with a waited count above
     * {@code waitedBefore}), or waits for a lock (not a signal) while a withdrawal is being approved: for a lock that
     * a thread inside the fraud check holds. A thread woken by a signal may still show WAITING until it runs: that
     * is not settled until its waited count grows or it ends.
     */
    private static boolean settled(java.lang.management.ThreadMXBean mx, Thread thread, long waitedBefore,
            Thread[] askers, boolean[] asking) {
        java.lang.management.ThreadInfo info = mx.getThreadInfo(thread.threadId());
        if (info == null || info.getThreadState() == Thread.State.TERMINATED) {
            return true;
        }
        Thread.State state = info.getThreadState();
        if (state == Thread.State.RUNNABLE || state == Thread.State.NEW) {
            return false;
        }
        if (state != Thread.State.BLOCKED && info.getWaitedCount() > waitedBefore) {
            return true;
        }
        long owner = info.getLockOwnerId();
        boolean someoneAsks = false;
        for (int i = 0; i < askers.length; i++) {
            if (isAsking(asking, i)) {
                someoneAsks = true;
                if (askers[i].threadId() == owner) {
                    return true;
                }
            }
        }
        if (state == Thread.State.BLOCKED || !someoneAsks) {
            return false;
        }
        // Parked on a lock of java.util.concurrent (a StampedLock, a Semaphore: no owner to name), not on a condition.
        java.lang.management.ThreadInfo withStack = mx.getThreadInfo(thread.threadId(), 1);
        StackTraceElement[] top = withStack == null ? new StackTraceElement[0] : withStack.getStackTrace();
        boolean parked = top.length > 0 && top[0].getMethodName().equals("park");
        java.lang.management.LockInfo lock = info.getLockInfo();
        return parked && (lock == null || !lock.getClassName().contains("Condition"));
    }

    /** Waits (at most 2 s) until {@code thread} has ended, waits for something, or {@code done} holds. */
    private static void returnsOrWaits(Thread thread, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline && !done.getAsBoolean()) {
            Thread.State state = thread.getState();
            if (state == Thread.State.TERMINATED || state == Thread.State.BLOCKED || state == Thread.State.WAITING
                    || state == Thread.State.TIMED_WAITING) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000);
        }
    }

    @Test
    @Order(5)
    @Tag("rule-4")
    @Tag("rule-8")
    @DisplayName("refuses no withdrawal the balance covers, and never shows a balance below zero, when many approved "
            + "withdrawals go through at once")
    void approvedTogetherNeitherOverdrawsNorRefusesWhatIsCovered(Shapes shapes) throws Exception {
        // Red team O: a lock-free withdraw that takes the money first (addAndGet(-amount)) and puts it back when that
        // went below zero. Between the two steps the balance is negative, and any withdrawal that meets it then is
        // refused though the money is there. That window opens only when an approved withdrawal finds the balance
        // too low: here every round has several of them, approved all at once (the fraud check holds each
        // withdrawal until every other one is being approved too, or waits for the account, or is done), with
        // small withdrawals among them that the balance always covers, and every customer already served keeps
        // reading the balance until all are served.
        shapes.check(1, round -> {
            int meetings = round.between("meetings", 20, 25);
            for (int meeting = 0; meeting < meetings; meeting++) {
                meetAtOnce(round);
            }
        });
    }

    private static void meetAtOnce(Shapes round) throws InterruptedException {
        int bigs = round.between("large withdrawals (any one fits, no two do)", 3, 5);
        int smalls = round.between("small withdrawals (all of them fit beside any large one)", 1, 4);
        long opening = round.between("opening balance", 64, 1L << 50);
        int n = bigs + smalls;
        long[] amounts = new long[n];
        for (int i = 0; i < n; i++) {
            amounts[i] = i < bigs ? round.between("large amount", opening / 2 + 1, opening * 3 / 4)
                    : round.between("small amount", 1, opening / (4L * smalls));
        }
        // The first wave (one large withdrawal and some small ones) is approved first; once it is served, its
        // customers read the balance while the second wave (the other large ones, and the other small ones) is
        // approved all at once.
        int firstWave = 1 + round.between("small withdrawals in the first wave", 0, smalls);
        List<Long> second = new ArrayList<>();
        List<Long> firstSmalls = new ArrayList<>();
        for (int i = 1; i < bigs; i++) {
            second.add(amounts[i]);
        }
        for (int i = bigs; i < n; i++) {
            (i - bigs < firstWave - 1 ? firstSmalls : second).add(amounts[i]);
        }
        List<Long> order = new ArrayList<>(List.of(amounts[0]));
        order.addAll(firstSmalls);
        order.addAll(round.shuffled("second wave", second));
        for (int i = 0; i < n; i++) {
            amounts[i] = order.get(i);
        }
        // 0: not yet calling, 1: withdrawing, 2: its fraud check asked (held or approved), 3: served
        java.util.concurrent.atomic.AtomicIntegerArray phase = new java.util.concurrent.atomic.AtomicIntegerArray(n);
        Thread[] customers = new Thread[n];
        boolean[] asked = new boolean[n];
        Boolean[] paid = new Boolean[n];
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<String> negative = new AtomicReference<>();
        ThreadLocal<Integer> who = new ThreadLocal<>();
        CountDownLatch start = new CountDownLatch(1);
        BankAccount account = new BankAccount(opening, amount -> {
            Integer me = who.get();
            if (me == null || asked[me]) {
                return; // asked again (a compare-and-set loop that starts over): approved at once
            }
            asked[me] = true;
            phase.set(me, 2);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2); // never judged by time
            while (System.nanoTime() < deadline && !(othersReady(customers, phase, me)
                    && (me < firstWave || firstWaveOut(customers, phase, firstWave)))) {
                Thread.yield(); // leaves the cores to the customers it waits for
            }
        });
        for (int i = 0; i < n; i++) {
            int me = i;
            customers[i] = Thread.ofPlatform().daemon(true).name("customer-" + (i + 1)).unstarted(() -> {
                who.set(me);
                try {
                    start.await();
                    phase.set(me, 1);
                    paid[me] = account.withdraw(amounts[me]);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                } finally {
                    phase.set(me, 3);
                }
                // Served: keeps looking at the balance while the others are served.
                boolean all;
                do {
                    all = true;
                    for (int j = 0; j < n; j++) {
                        all &= phase.get(j) == 3;
                    }
                    long seen = account.balance();
                    if (seen < 0) {
                        negative.compareAndSet(null, String.format("%,d", seen));
                    }
                } while (!all && failure.get() == null);
            });
            customers[i].start();
        }
        start.countDown();
        for (Thread t : customers) {
            t.join(Duration.ofSeconds(20));
            if (ThreadEnd.stillRuns(t)) {
                throw new AssertionError("rule 9: " + n + " withdrawals did not finish within 20 s. "
                        + ThreadDiagnosis.explain(List.of(customers)));
            }
        }
        String what = String.format("withdrawals of %s from %,d, approved all at once", java.util.Arrays.stream(
                amounts).mapToObj(a -> String.format("%,d", a)).toList(), opening);
        if (failure.get() != null) {
            throw new AssertionError("rule 4: " + what + ": a withdrawal threw " + failure.get(), failure.get());
        }
        assertThat(negative.get()).as("rule 4 and 8, never below zero, not even for a moment: %s; a customer "
                + "reading the balance saw it. Taking the money first and putting it back when too little was there "
                + "still shows the account overdrawn", what).isNull();
        long taken = 0;
        for (int i = 0; i < n; i++) {
            taken += paid[i] ? amounts[i] : 0;
        }
        long balance = account.balance();
        assertThat(balance).as("rule 5: %s: opening %,d - paid %,d", what, opening, taken)
                .isEqualTo(opening - taken);
        for (int i = 0; i < n; i++) {
            if (!paid[i]) {
                assertThat(amounts[i]).as("rule 4, a withdrawal is refused only if the balance really was too low: "
                        + "%s; withdraw(%,d) was refused, but the balance never went below %,d (no deposits were "
                        + "made: it only went down)", what, amounts[i], balance).isGreaterThan(balance);
            }
        }
    }

    /** True when every customer of the first wave is served, or waits (for the account) without being approved. */
    private static boolean firstWaveOut(Thread[] customers, java.util.concurrent.atomic.AtomicIntegerArray phase,
            int firstWave) {
        for (int j = 0; j < firstWave; j++) {
            if (phase.get(j) == 3) {
                continue;
            }
            Thread.State state = customers[j].getState();
            if (phase.get(j) != 1 || (state != Thread.State.BLOCKED && state != Thread.State.WAITING
                    && state != Thread.State.TIMED_WAITING)) {
                return false;
            }
        }
        return true;
    }

    /** True when every other customer is being approved too, is served, or waits (for the account). */
    private static boolean othersReady(Thread[] customers, java.util.concurrent.atomic.AtomicIntegerArray phase,
            int me) {
        for (int j = 0; j < customers.length; j++) {
            if (j == me || phase.get(j) >= 2) {
                continue;
            }
            if (phase.get(j) == 0) {
                return false;
            }
            Thread.State state = customers[j].getState();
            if (state != Thread.State.BLOCKED && state != Thread.State.WAITING
                    && state != Thread.State.TIMED_WAITING && state != Thread.State.TERMINATED) {
                return false;
            }
        }
        return true;
    }

    private static void withdrawDuringAnApproval(Shapes round, boolean interrupted, boolean small, int bits,
            boolean refused) throws InterruptedException {
        long opening = round.between("opening balance (from 2^bits)", 1L << bits,
                Math.min((1L << (bits + 1)) - 1, Long.MAX_VALUE / 4));
        // Small: the balance is 2^k to 2^(k+1) times the amount, k drawn from 6 to bits (red team G: a re-check
        // skipped from 65,536 times on, which an amount drawn evenly below balance / 64 almost never reached)
        int times = small ? round.between("balance over a small first amount, as a power of two", 6, bits) : 0;
        long firstAmount = small ? round.between("first amount, small", (opening >> (times + 1)) + 1, opening >> times)
                : round.between("first amount", opening / 64 + 1, opening);
        long secondAmount = round.between("second amount, more than the first leaves", opening - firstAmount + 1,
                opening);
        AtomicReference<Thread> firstThread = new AtomicReference<>();
        AtomicBoolean firstAsk = new AtomicBoolean(true);
        CountDownLatch deciding = new CountDownLatch(1);
        CountDownLatch decided = new CountDownLatch(1);
        Throwable no = refused ? round.failure("the fraud check refuses the first withdrawal", "fraud suspected") : null;
        BankAccount account = new BankAccount(opening, amount -> {
            if (Thread.currentThread() == firstThread.get() && firstAsk.getAndSet(false)) {
                deciding.countDown();
                WaitingTest.awaitUninterruptibly(decided);
                if (refused) {
                    throw Sneaky.raise(no);
                }
            }
        });
        AtomicReference<Throwable> firstThrew = new AtomicReference<>();
        boolean[] paid = new boolean[2];
        boolean[] keptInterrupt = {true};
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread first = Thread.ofPlatform().daemon(true).name("customer-" + round.between("first customer", 1, 999))
                .unstarted(() -> {
                    try {
                        paid[0] = account.withdraw(firstAmount);
                    } catch (Throwable t) {
                        if (refused && BankAccountTest.causes(t, no)) {
                            firstThrew.set(t);
                        } else {
                            failure.compareAndSet(null, t);
                        }
                    } finally {
                        deciding.countDown();
                    }
                });
        firstThread.set(first);
        first.start();
        Thread second = Thread.ofPlatform().daemon(true).name("customer-" + round.between("second customer", 1, 999))
                .unstarted(() -> {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    try {
                        paid[1] = account.withdraw(secondAmount);
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    } finally {
                        keptInterrupt[0] = !interrupted || Thread.interrupted();
                    }
                });
        try {
            if (!deciding.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("withdraw(" + firstAmount + ") did not ask the fraud check within 10 s. "
                        + ThreadDiagnosis.explain(List.of(first)));
            }
            second.start();
            returnsOrWaits(second);
        } finally {
            decided.countDown();
        }
        for (Thread t : List.of(first, second)) {
            t.join(Duration.ofSeconds(10));
            if (ThreadEnd.stillRuns(t)) {
                throw new AssertionError("'" + t.getName() + "' did not finish within 10 s after the fraud check had "
                        + "decided. " + ThreadDiagnosis.explain(List.of(first, second)));
            }
        }
        if (failure.get() != null) {
            throw new AssertionError("a withdrawal threw " + failure.get(), failure.get());
        }
        String who = String.format("withdraw(%,d) from %,d was being approved when %s withdrew %,d", firstAmount,
                opening, interrupted ? "a thread whose interrupt flag was set" : "another thread", secondAmount);
        long balance = account.balance();
        if (refused) {
            assertThat(firstThrew.get()).as("rule 7: %s; the fraud check then threw %s about the first: its "
                    + "withdraw must fail with that exception (it %s)", who, no, paid[0] ? "returned true"
                            : "returned false").isNotNull();
            assertThat(paid[1]).as("rule 4, a withdrawal is refused only if the balance really was too low: %s; the "
                    + "second was refused, but the first approval then failed (the fraud check threw %s), so the "
                    + "balance never went below %,d. Money whose approval is still pending has not left: it may not "
                    + "be held apart from the balance to refuse others%s", who, no.getClass().getSimpleName(), opening,
                    interrupted ? " (also for an interrupted thread)" : "").isTrue();
            assertThat(balance).as("rule 5 and 7: %s; the first failed, the second was paid", who)
                    .isEqualTo(opening - secondAmount);
            assertThat(keptInterrupt[0]).as("rule 9: %s; the account cleared the interrupt flag of the second "
                    + "thread", who).isTrue();
            return;
        }
        long expected = opening - (paid[0] ? firstAmount : 0) - (paid[1] ? secondAmount : 0);
        assertThat(paid[0] && paid[1]).as("rule 4, the account is never overdrawn: %s; both were paid, and the balance "
                + "is %,d. The balance must be checked again, in the same step as the debit, after the approval%s", who,
                balance, (small ? " (however much money there seemed to be: the balance was 64 times the amount or "
                        + "more)" : "") + (interrupted ? " (and an interrupted thread must wait for the account like any "
                        + "other: an interrupt does not make a call safe without the lock)" : "")).isFalse();
        assertThat(paid[0] || paid[1]).as("rule 4, a withdrawal is refused only if the balance was too low: %s; both "
                + "were refused, but either alone was covered", who).isTrue();
        assertThat(balance).as("rule 5, no money appears or disappears: %s; %s paid", who,
                paid[0] ? "the first was" : "the second was").isEqualTo(expected);
        assertThat(keptInterrupt[0]).as("rule 9: %s; the account cleared the interrupt flag of the second thread",
                who).isTrue();
    }

    /** Waits (at most 2 s) until {@code thread} has ended or waits for something (a lock, a signal). */
    private static void returnsOrWaits(Thread thread) {
        returnsOrWaits(thread, () -> false);
    }

    /**
     * Withdrawals meet a fraud check that throws {@code failure} the first time it is asked in each call and
     * approves when asked again: each call must fail with that very exception and take nothing (throwing is how the
     * fraud check says no; asking again until it says yes pays what it refused).
     */
    static void failOnTheFirstAsk(Shapes round, Throwable failure) throws InterruptedException {
        long opening = round.between("opening balance", 1, 1L << 50);
        long amount = round.between("amount", 1, opening);
        java.util.concurrent.atomic.AtomicInteger asks = new java.util.concurrent.atomic.AtomicInteger();
        BankAccount account = new BankAccount(opening, asked -> {
            if (asks.getAndIncrement() == 0) {
                throw Sneaky.raise(failure);
            }
        });
        String what = "withdraw(" + amount + ")";
        for (int call = 1; call <= 2; call++) {
            asks.set(0);
            Object outcome = OtherThread.call("teller-" + call, what, call == 1 ? "on a fresh account"
                    : "after an earlier call failed", () -> {
                        try {
                            return account.withdraw(amount) ? "returned true" : "returned false";
                        } catch (Throwable t) {
                            return t;
                        }
                    });
            long balance = OtherThread.call("clerk", "balance()", "after " + what, account::balance);
            assertThat(outcome).as("rule 7: the fraud check threw %s the first time it was asked about %s (asked "
                    + "again, it said yes; it was asked %d times); %s %s. A fraud check that throws has said no: "
                    + "withdraw must fail with that very exception, not ask again until it hears yes", failure, what,
                    asks.get(), what, outcome instanceof Throwable ? "threw " + outcome : outcome).isSameAs(failure);
            assertThat(balance).as("rule 6: %s failed because the fraud check threw %s, so no money may leave: the "
                    + "balance must still be %,d", what, failure, opening).isEqualTo(opening);
        }
    }

    /**
     * A withdrawal on a thread of its own meets a fraud check that calls {@code balance()} itself, on the thread that
     * asks it (red team L: the money taken out under the account's monitor before the approval, and put back if the
     * check throws: other threads are shut out by the monitor, but the fraud check runs inside it). It must see the
     * whole balance, whether it then approves or throws. An account whose lock is not reentrant (a StampedLock, a
     * semaphore) cannot answer from inside its own withdrawal: the asking thread then waits for ever, which is
     * allowed (the rules do not promise that the fraud check may call the account), and this round judges nothing.
     */
    static void letTheFraudCheckLook(Shapes round) throws InterruptedException {
        long opening = round.between("opening balance", 1, 1L << 50);
        long amount = round.chance("withdraw the whole balance", 0.25) ? opening
                : round.between("amount", 1, opening);
        boolean refuses = round.chance("the fraud check throws after looking", 0.3);
        Throwable failure = round.failure("the fraud check throws", "fraud service says no");
        AtomicReference<BankAccount> holder = new AtomicReference<>();
        AtomicReference<Thread> asker = new AtomicReference<>();
        AtomicBoolean looking = new AtomicBoolean();
        AtomicReference<Long> seen = new AtomicReference<>();
        BankAccount account = new BankAccount(opening, asked -> {
            if (asker.compareAndSet(null, Thread.currentThread())) {
                looking.set(true);
                try {
                    seen.set(holder.get().balance());
                } finally {
                    looking.set(false);
                }
            }
            if (refuses) {
                throw Sneaky.raise(failure);
            }
        });
        holder.set(account);
        java.util.concurrent.CompletableFuture<Object> outcome = new java.util.concurrent.CompletableFuture<>();
        Thread customer = Thread.ofPlatform().daemon(true).name("customer-" + round.between("customer", 1, 999))
                .start(() -> {
                    try {
                        outcome.complete(account.withdraw(amount));
                    } catch (Throwable t) {
                        outcome.complete(t);
                    }
                });
        long start = System.nanoTime();
        long waitingSince = -1;
        while (!outcome.isDone()) {
            long now = System.nanoTime();
            Thread inside = looking.get() ? asker.get() : null;
            Thread.State state = inside == null ? Thread.State.RUNNABLE : inside.getState();
            if (state == Thread.State.BLOCKED || state == Thread.State.WAITING
                    || state == Thread.State.TIMED_WAITING) {
                if (waitingSince < 0) {
                    waitingSince = now;
                } else if (now - waitingSince > TimeUnit.MILLISECONDS.toNanos(100)) {
                    return; // balance() waits for the lock its own withdrawal holds: not reentrant, nothing to judge
                }
            } else {
                waitingSince = -1;
            }
            if (now - start > TimeUnit.SECONDS.toNanos(10)) {
                return; // never judged by time: other tests bound a withdrawal
            }
            try {
                outcome.get(1, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException notYet) {
                // looks again
            }
        }
        Object result = outcome.getNow(null);
        String what = String.format("withdraw(%,d) from %,d", amount, opening);
        assertThat(seen.get()).as("rule 6: the fraud check was never asked about %s (%s)", what, result).isNotNull();
        assertThat(seen.get()).as("rule 6, no one sees the money gone before approve has returned: the fraud check, "
                + "deciding about %s, called balance() on the thread that asked it ('%s') and saw %,d instead of the "
                + "%,d the account had: the money had left before the approval. Taking it out first and putting it "
                + "back if the check throws still shows it gone; check the balance, ask, then take the money", what,
                asker.get().getName(), seen.get(), opening).isEqualTo(opening);
        if (refuses) {
            assertThat(result instanceof Throwable thrown && BankAccountTest.causes(thrown, failure)).as("rule 7: the "
                    + "fraud check threw %s; %s %s", failure, what, result).isTrue();
        } else {
            assertThat(result).as("rule 4: %s, approved", what).isEqualTo(Boolean.TRUE);
        }
        customer.join(Duration.ofSeconds(10));
        assertThat(account.balance()).as("rule 5 and 7: %s, %s", what, refuses ? "refused by the fraud check"
                : "paid").isEqualTo(refuses ? opening : opening - amount);
    }

    /**
     * A fraud check as another library would hand it over: a JDK proxy, whose class is in none of this kata's
     * packages, calling {@code decide} for each approval.
     */
    static FraudCheck remoteFraudCheck(FraudCheck decide) {
        InvocationHandler handler = (proxy, method, args) -> switch (method.getName()) {
            case "approve" -> {
                decide.approve((Long) args[0]);
                yield null;
            }
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            case "toString" -> "remote fraud check";
            default -> throw new UnsupportedOperationException(method.toString());
        };
        return (FraudCheck) Proxy.newProxyInstance(FraudCheck.class.getClassLoader(), new Class<?>[] {FraudCheck.class},
                handler);
    }

    @Nested
    @DisplayName("one call at a time")
    @Tag("precondition")
    class OneCallAtATime {

        @Test
        @Tag("rule-6")
        @DisplayName("takes no money out before the fraud check has approved it, however long it takes")
        void takesNoMoneyBeforeApproval(Shapes shapes) throws Exception {
            shapes.check(4, BankAccountTest::takeNoMoneyBeforeApproval);
        }

        @Test
        @Tag("rule-6")
        @DisplayName("shows the whole balance to a fraud check that looks at the account while it decides")
        void showsTheWholeBalanceToTheFraudCheck(Shapes shapes) throws Exception {
            shapes.check(4, FraudCheckTest::letTheFraudCheckLook);
        }

        @Test
        @Tag("rule-6")
        @DisplayName("asks the fraud check about every withdrawal, with its amount, every time")
        void asksEveryTime(Shapes shapes) throws Exception {
            shapes.check(5, BankAccountTest::askAboutEveryWithdrawal);
        }

        @Test
        @Tag("rule-7")
        @DisplayName("takes nothing and keeps no lock when the fraud check throws a RuntimeException, an Error or a "
                + "checked exception")
        void survivesEveryKindOfFailure(Shapes shapes) throws Exception {
            List<Throwable> failures = new ArrayList<>(List.of(new IllegalStateException("fraud service down"),
                    new Shapes.KataError("fraud service crashed"), new java.io.IOException("fraud service unreachable")));
            for (Throwable failure : shapes.shuffled("failures", failures)) {
                shapes.check(1, round -> BankAccountTest.failTheFraudCheck(round, failure));
            }
        }

        @Test
        @Tag("rule-6")
        @Tag("rule-7")
        @DisplayName("fails with the fraud check's first failure, though asking again would be approved, and takes "
                + "nothing")
        void failsOnTheFirstFailure(Shapes shapes) throws Exception {
            List<Throwable> failures = new ArrayList<>(List.of(new IllegalStateException("fraud service busy"),
                    new Shapes.KataError("fraud service hiccup"), new java.io.IOException("fraud service timed out")));
            for (Throwable failure : shapes.shuffled("failures", failures)) {
                shapes.check(1, round -> failOnTheFirstAsk(round, failure));
            }
        }
    }
}

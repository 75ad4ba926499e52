package katas.fixtherace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Sneaky;
import katas.testkit.Watch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@DisplayName("BankAccount")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BankAccountTest {

    @BeforeAll
    static void compileTheReadingLoops() {
        StaleReads.warmUp();
    }

    @Test
    @Order(1)
    @Tag("rule-4")
    @DisplayName("is never overdrawn when many customers withdraw at once, and refuses only what it cannot pay")
    void isNeverOverdrawnUnderContention(Shapes shapes) throws Exception {
        shapes.check(3, round -> withdrawAtTheEdge(round, 4, 14));
    }

    @Test
    @Order(2)
    @Tag("rule-4")
    @Tag("rule-5")
    @Tag("rule-8")
    @DisplayName("keeps every deposit and withdrawal when they run at the same time, and shows only balances that were")
    void keepsEveryDepositAndWithdrawal(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            tradeTogether(round, 2, 10);
            withdrawAtTheEdge(round, 3, 8);
        });
    }

    /**
     * A crowd of {@code min..max} threads withdraws from an account that holds between a third and two thirds
     * of what they ask for, through a slow fraud check (it pauses inside the window between the balance check
     * and the debit, where a race shows). Never below zero, money conserved, refusals only when too low.
     */
    static void withdrawAtTheEdge(Shapes round, int min, int max) throws InterruptedException {
        Crowd crowd = Crowd.of(round, min, max);
        int each = round.between("withdrawals each", 1, 3);
        crowd.callsEach(each);
        long typical = round.between("typical amount", 1, 1_000_000_000L);
        long[][] amounts = amounts(round.random(), crowd.size(), each, typical);
        long asked = sum(amounts);
        long opening = round.between("opening balance", asked / 3, asked * 2 / 3);
        // A window of up to a millisecond between the balance check and the debit: the whole crowd gets into it
        // when the account lets it, even on two cores.
        BankAccount account = new BankAccount(opening, slowFraudCheck(round, 100, 1_000));
        LongAdder taken = new LongAdder();
        ConcurrentLinkedQueue<Long> refused = new ConcurrentLinkedQueue<>();
        try (Watch watch = Watch.of("rule 4, never overdrawn", () -> overdrawn(account.balance()))) {
            crowd.run((thread, call) -> {
                long amount = amounts[thread][call];
                if (account.withdraw(amount)) {
                    taken.add(amount);
                } else {
                    refused.add(amount);
                }
            });
        }
        long balance = account.balance();
        assertThat(balance).as("rule 4, never overdrawn: %s withdrew %,d of %,d asked from %,d: the balance is %,d; "
                + "two withdrawals passed the balance check before either took the money (check-then-act)",
                crowd.describe(), taken.sum(), asked, opening, balance).isNotNegative();
        assertThat(balance).as("rule 5, no money appears or disappears: opening %,d - withdrawn %,d", opening,
                taken.sum()).isEqualTo(opening - taken.sum());
        for (long amount : refused) {
            assertThat(amount).as("rule 4: withdraw(%,d) was refused, but the balance never went below %,d (only "
                    + "withdrawals ran, and it ended there): a withdrawal may be refused only when the balance is too "
                    + "low", amount, balance).isGreaterThan(balance);
        }
    }

    /**
     * A fraud check that takes its time, drawn from {@code round}: it parks, yields or spins for some
     * microseconds, as a remote call would keep the thread.
     */
    static FraudCheck slowFraudCheck(Shapes round) {
        return slowFraudCheck(round, 5, 60);
    }

    /** A fraud check that takes {@code minMicros..maxMicros}, drawn from {@code round}. */
    static FraudCheck slowFraudCheck(Shapes round, long minMicros, long maxMicros) {
        String kind = round.oneOf("fraud check", "parks", "yields", "spins");
        long micros = round.between("fraud check microseconds", minMicros, maxMicros);
        return switch (kind) {
            case "parks" -> amount -> LockSupport.parkNanos(micros * 1_000);
            case "yields" -> amount -> {
                long end = System.nanoTime() + micros * 1_000;
                while (System.nanoTime() < end) {
                    Thread.yield();
                }
            };
            default -> amount -> {
                long end = System.nanoTime() + micros * 1_000;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            };
        };
    }

    /**
     * A crowd of {@code min..max} threads deposits and withdraws as fast as it can (a quick fraud check),
     * while a watch checks that every balance read could have been; then checks that no money was made or lost.
     */
    static void tradeTogether(Shapes round, int min, int max) throws InterruptedException {
        Crowd crowd = Crowd.of(round, min, max).callsEach(round.between("calls each, at least", 500, 3_000),
                2_000_000, Duration.ofMillis(round.between("milliseconds all calling", 30, 60)));
        int depositors = round.between("depositors among them", 1, crowd.size() - 1);
        long typical = round.between("typical amount", 1, 1_000_000L);
        long opening = round.between("opening balance", 0, typical * 3);
        Random[] randoms = randoms(round.random(), crowd.size());
        BankAccount account = new BankAccount(opening, amount -> { });
        Ledger ledger = new Ledger(opening);
        try {
            try (Watch watch = Watch.of("rule 8, only balances that were", () -> ledger.check(account::balance))) {
                crowd.run((thread, call) -> {
                    long amount = 1 + (long) (randoms[thread].nextDouble() * typical * 2);
                    if (thread < depositors) {
                        ledger.depositing(amount);
                        account.deposit(amount);
                        ledger.deposited(amount);
                    } else {
                        ledger.withdrawing(amount);
                        boolean taken = account.withdraw(amount);
                        ledger.withdrew(amount, taken);
                    }
                }, () -> watch.firstBroken() != null);
            }
            assertThat(account.balance()).as("rule 5, no money appears or disappears: %s (%d depositing): "
                    + "opening %,d + deposits %,d - withdrawals %,d; an update was lost between a read and a write (or "
                    + "deposits and withdrawals do not share one lock)", crowd.describe(), depositors, opening,
                    ledger.deposits(), ledger.withdrawals()).isEqualTo(ledger.expected());
        } catch (AssertionError lost) {
            // A volatile balance loses updates just as a plain one does: say why volatile is not the fix.
            throw VolatileAdvice.added(lost, account);
        }
    }

    @Test
    @Order(3)
    @Tag("rule-8")
    @DisplayName("shows a thread that keeps reading the balance a deposit made by another thread")
    void aReaderSeesADeposit(Shapes shapes) throws Exception {
        long opening = shapes.between("opening balance", 0, 1_000_000_000L);
        long amount = shapes.between("deposit", 1, 1_000_000L);
        BankAccount account = new BankAccount(opening, a -> { });
        String stale = StaleReads.probe(account, 3, () -> account.deposit(amount), "deposit(" + amount + ")");
        assertThat(stale).as("rule 8, a balance shows at once").isNull();
    }

    @Nested
    @DisplayName("from one thread")
    @Tag("precondition")
    class FromOneThread {

        @Test
        @Tag("rule-4")
        @Tag("rule-5")
        @Tag("rule-10")
        @DisplayName("pays what the balance covers, down to the last unit, refuses more, and keeps each account's own")
        void paysWhatTheBalanceCovers(Shapes shapes) throws Exception {
            shapes.check(4, BankAccountTest::payWhatIsCovered);
            shapes.check(2, BankAccountTest::tellALargeBalanceFromOneUnitMore);
        }

        @Test
        @Tag("rule-10")
        @DisplayName("refuses amounts that are zero or negative, and a negative opening balance, changing nothing")
        void refusesWrongAmounts(Shapes shapes) throws Exception {
            shapes.check(3, BankAccountTest::refuseWrongAmounts);
        }

        @Test
        @Tag("rule-6")
        @DisplayName("asks the fraud check about every withdrawal, with its amount, every time")
        void asksTheFraudCheckEveryTime(Shapes shapes) throws Exception {
            shapes.check(3, BankAccountTest::askAboutEveryWithdrawal);
        }

        @Test
        @Tag("rule-6")
        @DisplayName("takes no money out before the fraud check has approved it")
        void takesNoMoneyBeforeApproval(Shapes shapes) throws Exception {
            shapes.check(3, BankAccountTest::takeNoMoneyBeforeApproval);
        }

        @Test
        @Tag("rule-7")
        @DisplayName("takes nothing when the fraud check fails, and goes on working for every thread")
        void aFailingFraudCheckTakesNothing(Shapes shapes) throws Exception {
            shapes.check(3, round -> failTheFraudCheck(round, round.failure("the fraud check throws",
                    "fraud service unavailable")));
        }

        @Test
        @Tag("rule-9")
        @DisplayName("keeps the deposits and withdrawals of an interrupted thread, and leaves it interrupted")
        void keepsTheCallsOfAnInterruptedThread(Shapes shapes) throws Exception {
            shapes.check(2, BankAccountTest::tradeWhileInterrupted);
        }
    }

    /**
     * One thread makes a drawn sequence of deposits and withdrawals on two accounts, some withdrawing the whole
     * balance or one unit more, with amounts up to the far end of the long range; each answer and balance is
     * checked against a model.
     */
    static void payWhatIsCovered(Shapes round) {
        long[] models = new long[2];
        BankAccount[] accounts = new BankAccount[2];
        for (int a = 0; a < 2; a++) {
            models[a] = round.between("opening balance " + (a + 1), 0, 1L << round.between("opening bits " + (a + 1),
                    1, 61));
            accounts[a] = new BankAccount(models[a], amount -> { });
        }
        Random random = round.random();
        int steps = round.between("steps", 5, 60);
        List<String> done = new ArrayList<>();
        for (int step = 0; step < steps; step++) {
            int a = random.nextInt(2);
            long model = models[a];
            BankAccount account = accounts[a];
            int kind = random.nextInt(5);
            if (kind == 0) {
                long room = Long.MAX_VALUE / 2 - model;
                if (room <= 0) {
                    continue;
                }
                long amount = 1 + (long) (random.nextDouble() * Math.min(room, model + 1_000));
                account.deposit(amount);
                models[a] += amount;
                done.add("account " + (a + 1) + ".deposit(" + amount + ")");
            } else {
                long amount = switch (kind) {
                    case 1 -> model; // the whole balance
                    case 2 -> model + 1; // one more than there is
                    default -> 1 + (long) (random.nextDouble() * (model * 1.5 + 10));
                };
                if (amount <= 0) {
                    continue;
                }
                boolean covered = amount <= model;
                boolean paid = account.withdraw(amount);
                done.add("account " + (a + 1) + ".withdraw(" + amount + ") -> " + paid);
                assertThat(paid).as("rule 4: withdraw(%,d) from a balance of %,d must return %s; calls so far: %s",
                        amount, model, covered, done).isEqualTo(covered);
                if (covered) {
                    models[a] -= amount;
                }
            }
            for (int b = 0; b < 2; b++) {
                assertThat(accounts[b].balance()).as("rule 5: the balance of account %d (each account has its own) "
                        + "after %s", b + 1, done).isEqualTo(models[b]);
            }
        }
    }

    /**
     * A balance past 2^55, where a double (or a float) cannot tell n from n + 1: one unit more than the
     * balance is refused, the whole balance paid.
     */
    static void tellALargeBalanceFromOneUnitMore(Shapes round) {
        int bits = round.between("balance bits", 55, 60);
        long spacing = 1L << (bits - 52);
        long balance = (1L << bits) + spacing * round.between("balance steps above 2^bits", 0, (1L << 52) - 1);
        BankAccount account = new BankAccount(balance, amount -> { });
        assertThat(account.withdraw(balance + 1)).as("rule 10: withdraw(%,d) from a balance of %,d, one unit more than "
                + "it holds (compared as double, the two look equal)", balance + 1, balance).isFalse();
        assertThat(account.balance()).as("rule 4: the balance after a refused withdraw(%,d)", balance + 1)
                .isEqualTo(balance);
        assertThat(account.withdraw(balance)).as("rule 10: withdraw(%,d), the whole balance", balance).isTrue();
        assertThat(account.balance()).as("rule 4: the balance after paying it all").isZero();
    }

    /** Zero, negative and extreme negative amounts throw IllegalArgumentException and change nothing. */
    static void refuseWrongAmounts(Shapes round) {
        long opening = round.between("opening balance", 0, Long.MAX_VALUE / 2);
        long wrong = round.oneOf("wrong amount", 0L, -1L, Long.MIN_VALUE, -round.between("negative amount", 2,
                Long.MAX_VALUE));
        Approvals fraudCheck = new Approvals();
        BankAccount account = new BankAccount(opening, fraudCheck);
        assertThatThrownBy(() -> account.withdraw(wrong)).as("rule 10: withdraw(%d)", wrong)
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> account.deposit(wrong)).as("rule 10: deposit(%d)", wrong)
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(account.balance()).as("rule 10: the balance after refused amounts of %d", wrong).isEqualTo(opening);
        assertThat(fraudCheck.asked()).as("rule 10: the fraud check was asked about a wrong amount").isEmpty();
        long negative = wrong == 0 ? -1 : wrong;
        assertThatThrownBy(() -> new BankAccount(negative, amount -> { }))
                .as("rule 10: an account opened with %d", negative).isInstanceOf(IllegalArgumentException.class);
        // Zero is not negative: an empty account opens, refuses a withdrawal, and takes a deposit.
        assertThatCode(() -> new BankAccount(0, amount -> { })).as("rule 10: an account opened with 0, which is not "
                + "negative").doesNotThrowAnyException();
        BankAccount empty = new BankAccount(0, amount -> { });
        assertThat(empty.withdraw(1)).as("rule 4: withdraw(1) from an account opened with 0").isFalse();
        empty.deposit(1);
        assertThat(empty.balance()).as("rule 10: an account opened with 0 (not negative), after deposit(1)").isOne();
    }

    /** Withdrawals of a few amounts, some repeated: each paid one was asked about, with its own amount. */
    static void askAboutEveryWithdrawal(Shapes round) {
        Random random = round.random();
        int distinct = round.between("distinct amounts", 1, 4);
        List<Long> pool = new ArrayList<>();
        for (int i = 0; i < distinct; i++) {
            pool.add(1 + (long) (random.nextDouble() * 1_000_000));
        }
        int withdrawals = round.between("withdrawals", 2, 12);
        List<Long> amounts = new ArrayList<>();
        for (int i = 0; i < withdrawals; i++) {
            amounts.add(pool.get(random.nextInt(distinct)));
        }
        long opening = amounts.stream().mapToLong(Long::longValue).sum() + round.between("spare", 1, 999_999);
        Approvals fraudCheck = new Approvals();
        BankAccount account = new BankAccount(opening, fraudCheck);
        Map<Long, Integer> paid = new LinkedHashMap<>();
        for (long amount : amounts) {
            assertThat(account.withdraw(amount)).as("rule 4: withdraw(%,d) with %,d on the account", amount,
                    account.balance()).isTrue();
            paid.merge(amount, 1, Integer::sum);
        }
        List<Long> asked = fraudCheck.asked();
        for (Map.Entry<Long, Integer> e : paid.entrySet()) {
            long times = asked.stream().filter(e.getKey()::equals).count();
            assertThat(times).as("rule 6: %d withdrawals of %,d were paid (withdrawals %s), but the fraud check was "
                    + "asked about %,d %d times (it was asked %s): every withdrawal is approved on its own, an earlier "
                    + "answer is not remembered", e.getValue(), e.getKey(), amounts, e.getKey(), times, asked)
                    .isGreaterThanOrEqualTo(e.getValue());
        }
        assertThat(asked).as("rule 6: the fraud check was asked about amounts nobody withdrew (withdrawals %s): "
                + "approve(amount) takes the amount withdrawn", amounts).isSubsetOf(paid.keySet());
    }

    /**
     * While the fraud check decides about a withdrawal, another thread reads the balance: it must still be the
     * balance before (or the read must wait for the withdrawal to finish).
     */
    static void takeNoMoneyBeforeApproval(Shapes round) throws InterruptedException {
        long opening = round.between("opening balance", 1, 1L << 50);
        long amount = round.between("amount", 1, opening);
        FraudCheck slow = slowFraudCheck(round);
        AtomicReference<BankAccount> holder = new AtomicReference<>();
        AtomicReference<String> early = new AtomicReference<>();
        List<Thread> readers = new ArrayList<>();
        BankAccount account = new BankAccount(opening, asked -> {
            Peek peek = Peek.balance(holder.get());
            readers.add(peek.thread());
            if (peek.seen() && peek.value() != opening) {
                early.compareAndSet(null, String.format("while the fraud check was still deciding about withdraw(%,d), "
                        + "another thread read the balance as %,d instead of the %,d it was: the money left before the "
                        + "approval", amount, peek.value(), opening));
            }
            slow.approve(asked);
        });
        holder.set(account);
        assertThat(account.withdraw(amount)).as("rule 4: withdraw(%,d) from %,d", amount, opening).isTrue();
        for (Thread reader : readers) {
            reader.join(5_000);
        }
        assertThat(early.get()).as("rule 6, the fraud check approves before money leaves").isNull();
        assertThat(account.balance()).as("rule 5: %,d - %,d", opening, amount).isEqualTo(opening - amount);
    }

    /**
     * A withdrawal on a thread of its own meets a fraud check that throws {@code failure}: it must fail with it
     * and take nothing; then other threads read, deposit and withdraw without waiting for anything.
     */
    static void failTheFraudCheck(Shapes round, Throwable failure) throws InterruptedException {
        long opening = round.between("opening balance", 1, 1L << 50);
        long amount = round.between("amount", 1, opening);
        AtomicBoolean failing = new AtomicBoolean(true);
        BankAccount account = new BankAccount(opening, asked -> {
            if (failing.get()) {
                throw Sneaky.raise(failure);
            }
        });
        String what = "withdraw(" + amount + ")";
        Object outcome = OtherThread.call("teller-" + round.between("teller", 1, 99), what, "on a fresh account",
                () -> {
                    try {
                        return account.withdraw(amount) ? "returned true" : "returned false";
                    } catch (Throwable t) {
                        return t;
                    }
                });
        assertThat(outcome instanceof Throwable thrown && causes(thrown, failure)).as("rule 7: when the fraud check "
                + "threw %s, %s %s; it must fail with that very exception, neither wrapped nor replaced", failure, what,
                outcome instanceof Throwable ? "threw " + outcome : outcome).isTrue();
        failing.set(false);
        String after = "after the fraud check threw " + failure.getClass().getSimpleName() + " in " + what
                + " on another thread";
        long balance = OtherThread.call("clerk", "balance()", after, account::balance);
        assertThat(balance).as("rule 7: the balance %s (%,d before)", after, opening).isEqualTo(opening);
        long deposit = round.between("deposit", 1, 1_000_000);
        OtherThread.call("cashier", "deposit(" + deposit + ")", after, () -> {
            account.deposit(deposit);
            return null;
        });
        boolean paid = OtherThread.call("teller", what, after, () -> account.withdraw(amount));
        assertThat(paid).as("rule 7: %s once the fraud check approves again, %s", what, after).isTrue();
        assertThat(account.balance()).as("rule 5: %,d + %,d - %,d", opening, deposit, amount)
                .isEqualTo(opening + deposit - amount);
    }

    /** An interrupted thread deposits, withdraws and reads: every call counts, and the thread stays interrupted. */
    static void tradeWhileInterrupted(Shapes round) {
        long opening = round.between("opening balance", 0, 1_000_000);
        long deposit = round.between("deposit", 1, 1_000_000);
        long withdrawal = round.between("withdrawal", 1, opening + deposit);
        BankAccount account = new BankAccount(opening, slowFraudCheck(round));
        boolean paid;
        long balance;
        boolean stillInterrupted;
        Thread.currentThread().interrupt();
        try {
            account.deposit(deposit);
            paid = account.withdraw(withdrawal);
            balance = account.balance();
        } finally {
            stillInterrupted = Thread.interrupted();
        }
        assertThat(paid).as("rule 9: withdraw(%,d) from %,d, on an interrupted thread", withdrawal, opening + deposit)
                .isTrue();
        assertThat(balance).as("rule 9: %,d + %,d - %,d, all on an interrupted thread", opening, deposit, withdrawal)
                .isEqualTo(opening + deposit - withdrawal);
        assertThat(stillInterrupted).as("rule 9: the account cleared the thread's interrupt flag; whoever interrupted "
                + "it would never know (restore it with Thread.currentThread().interrupt())").isTrue();
    }

    /** A fraud check that approves everything and remembers what it was asked, in order. */
    static final class Approvals implements FraudCheck {
        private final List<Long> asked = new ArrayList<>();

        @Override
        public synchronized void approve(long amount) {
            asked.add(amount);
        }

        synchronized List<Long> asked() {
            return List.copyOf(asked);
        }
    }

    /** Withdrawal or deposit amounts around {@code typical}: [thread][call]. */
    static long[][] amounts(Random random, int threads, int calls, long typical) {
        long[][] amounts = new long[threads][calls];
        for (long[] row : amounts) {
            for (int i = 0; i < calls; i++) {
                row[i] = 1 + (long) (random.nextDouble() * typical * 2);
            }
        }
        return amounts;
    }

    /** One generator for each thread, seeded from the shapes. */
    static Random[] randoms(Random seeds, int threads) {
        Random[] randoms = new Random[threads];
        for (int t = 0; t < threads; t++) {
            randoms[t] = new Random(seeds.nextLong());
        }
        return randoms;
    }

    static long sum(long[][] amounts) {
        long sum = 0;
        for (long[] row : amounts) {
            for (long a : row) {
                sum += a;
            }
        }
        return sum;
    }

    static String overdrawn(long balance) {
        return balance < 0 ? "balance() returned " + balance : null;
    }

    /**
     * Whether {@code thrown} is {@code failure} itself: rule 7 asks for that exception, neither wrapped (an Error in
     * a RuntimeException would be caught by a caller's {@code catch (RuntimeException e)}) nor replaced.
     */
    static boolean causes(Throwable thrown, Throwable failure) {
        return thrown == failure;
    }

    /**
     * What the test knows about the money while threads deposit and withdraw: what every call started and
     * finished added or took. A correct balance, read at any moment, lies between what the finished calls
     * make sure of and what the started ones could at most do.
     */
    static final class Ledger {
        private final long opening;
        private final LongAdder depositsStarted = new LongAdder();
        private final LongAdder depositsDone = new LongAdder();
        private final LongAdder withdrawalsStarted = new LongAdder();
        private final LongAdder withdrawalsPaid = new LongAdder();

        Ledger(long opening) {
            this.opening = opening;
        }

        void depositing(long amount) {
            depositsStarted.add(amount);
        }

        void deposited(long amount) {
            depositsDone.add(amount);
        }

        void withdrawing(long amount) {
            withdrawalsStarted.add(amount);
        }

        void withdrew(long amount, boolean paid) {
            if (paid) {
                withdrawalsPaid.add(amount);
            }
        }

        long deposits() {
            return depositsDone.sum();
        }

        long withdrawals() {
            return withdrawalsPaid.sum();
        }

        long expected() {
            return opening + deposits() - withdrawals();
        }

        /** Null when {@code read} (taking the balance now) gives a balance that can have been, else what was seen. */
        String check(java.util.function.LongSupplier read) {
            long surelyIn = depositsDone.sum();
            long surelyOut = withdrawalsPaid.sum();
            long balance = read.getAsLong();
            long mayBeIn = depositsStarted.sum();
            long mayBeOut = withdrawalsStarted.sum();
            if (balance < 0) {
                return "balance() returned " + balance;
            }
            if (balance > opening + mayBeIn - surelyOut) {
                return String.format("balance() returned %,d, more than the %,d opening + %,d deposited (at most) - "
                        + "%,d withdrawn (at least) allow: money appeared", balance, opening, mayBeIn, surelyOut);
            }
            if (balance < opening + surelyIn - mayBeOut) {
                return String.format("balance() returned %,d, less than the %,d opening + %,d deposited (at least) - "
                        + "%,d withdrawn (at most) allow: money disappeared", balance, opening, surelyIn, mayBeOut);
            }
            return null;
        }
    }

    /** A read of the balance from another thread, made while this thread is inside the account. */
    record Peek(boolean seen, long value, Thread thread) {

        /**
         * Reads the balance on a new thread and waits until it returns or is seen waiting for a lock (the
         * account is busy with this thread's call, so the read must wait: then nothing is seen).
         */
        static Peek balance(BankAccount account) {
            long[] value = {Long.MIN_VALUE};
            AtomicBoolean done = new AtomicBoolean();
            Thread reader = Thread.ofPlatform().daemon(true).name("peek").start(() -> {
                long v = account.balance();
                synchronized (value) {
                    value[0] = v;
                }
                done.set(true);
            });
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (!done.get() && System.nanoTime() < deadline) {
                Thread.State state = reader.getState();
                if (state == Thread.State.BLOCKED || state == Thread.State.WAITING
                        || state == Thread.State.TIMED_WAITING) {
                    break;
                }
                Thread.onSpinWait();
            }
            if (!done.get()) {
                return new Peek(false, 0, reader);
            }
            synchronized (value) {
                return new Peek(true, value[0], reader);
            }
        }
    }
}

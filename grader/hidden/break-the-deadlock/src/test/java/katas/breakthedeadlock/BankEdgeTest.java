package katas.breakthedeadlock;

import static katas.breakthedeadlock.BankFloor.Outcome.AUDIT_FAILED;
import static katas.breakthedeadlock.BankFloor.Outcome.GAVE_UP_WHEN_INTERRUPTED;
import static katas.breakthedeadlock.BankFloor.Outcome.REFUSED;
import static katas.breakthedeadlock.BankFloor.Outcome.WENT_THROUGH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.ThreadEnd;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden: the edges of each rule from one teller, at a time (preconditions: the untouched stub
 * passes them, so they earn nothing, but while one fails the hidden part earns nothing). Amounts
 * near the limits of a long, refusals by a single coin, transfers against the order the accounts
 * were opened in, audit failures again and again, an interrupt while waiting for a lock, no money
 * out of 'from' while the transfer waits for the lock of 'to'.
 */
@DisplayName("Bank at the edges")
@KataTest
@Tag("precondition")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BankEdgeTest {

    @Test
    @Order(1)
    @Tag("rule-1")
    @DisplayName("moves whole balances of any size around a chain of accounts, both ways against their numbers")
    void movesWholeBalancesAroundAChain(Shapes shapes) throws Exception {
        shapes.check(4, round -> {
            BankFloor floor = new BankFloor();
            int count = round.between("accounts", 2, 6);
            long[] expected = new long[count];
            long top = (Long.MAX_VALUE - 1) / count;
            for (int i = 0; i < count; i++) {
                expected[i] = switch (round.oneOf("balance kind " + i, "none", "a coin", "beyond an int", "near the top")) {
                    case "none" -> 0;
                    case "a coin" -> 1;
                    case "beyond an int" -> round.between("balance " + i, 1L << 31, 1L << 40);
                    default -> round.between("balance " + i, top / 2, top);
                };
            }
            List<Account> accounts = floor.openAccounts(round, round.chance("one name for all", 0.3), expected);
            Bank bank = floor.bank();
            List<Integer> order = round.shuffled("chain", java.util.stream.IntStream.range(0, count).boxed().toList());
            for (int k = 0; k + 1 < order.size(); k++) {
                int from = order.get(k);
                int to = order.get(k + 1);
                long amount = expected[from];
                if (amount == 0) {
                    continue;
                }
                assertThat(floor.transfer(bank, accounts.get(from), accounts.get(to), amount))
                        .as("a transfer of all %d that %s holds (rule 1)", amount, floor.nameOf(accounts.get(from)))
                        .isEqualTo(WENT_THROUGH);
                expected[to] += amount;
                expected[from] = 0;
                for (int i = 0; i < count; i++) {
                    assertThat(accounts.get(i).balance())
                            .as("%s after moving %d from %s to %s (rule 1)", floor.nameOf(accounts.get(i)), amount,
                                    floor.nameOf(accounts.get(from)), floor.nameOf(accounts.get(to)))
                            .isEqualTo(expected[i]);
                }
            }
            floor.assertBooks();
        });
    }

    @Test
    @Order(2)
    @Tag("rule-1")
    @DisplayName("moves one coin, and amounts just beyond an int, in both directions")
    void movesOneCoinAndAmountsBeyondAnInt(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            BankFloor floor = new BankFloor();
            long big = round.between("balance", 4_300_000_000L, 9_000_000_000L);
            List<Account> ab = floor.openAccounts(round, false, big, big);
            Bank bank = floor.bank();
            long[] amounts = {1, Integer.MAX_VALUE + round.between("beyond the largest int", 1L, 1_000L),
                    (1L << 32) + round.between("beyond 2^32", 0L, 5L), round.between("any amount", 1L, big / 2)};
            for (long amount : round.shuffled("amounts", List.of(amounts[0], amounts[1], amounts[2], amounts[3]))) {
                for (int from = 0; from < 2; from++) {
                    long before = floor.booked(ab.get(from));
                    if (before < amount) {
                        continue;
                    }
                    assertThat(floor.transfer(bank, ab.get(from), ab.get(1 - from), amount))
                            .as("a transfer of %d out of %d (rule 1)", amount, before).isEqualTo(WENT_THROUGH);
                    assertThat(ab.get(from).balance()).as("%s after sending %d (rule 1)",
                            floor.nameOf(ab.get(from)), amount).isEqualTo(before - amount);
                }
            }
            floor.assertBooks();
        });
    }

    @Test
    @Order(3)
    @Tag("rule-2")
    @DisplayName("refuses wrong arguments before it moves or records anything, and works normally afterwards")
    void refusesWrongArgumentsAndGoesOn(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            BankFloor floor = new BankFloor();
            List<Account> abc = floor.openAccounts(round, round.chance("one name for all", 0.5),
                    0, round.between("balance 1", 1L, 500L),
                    round.between("balance 2", Integer.MAX_VALUE + 1L, Long.MAX_VALUE / 4));
            AuditLog checked = floor.auditLog();
            AtomicInteger records = new AtomicInteger();
            Bank bank = new Bank((from, to, amount) -> {
                records.incrementAndGet();
                checked.record(from, to, amount);
            });
            Random random = round.random();
            for (int k = 0; k < 8; k++) {
                Account from = abc.get(random.nextInt(3));
                boolean self = random.nextBoolean();
                Account to = self ? from : abc.get((abc.indexOf(from) + 1 + random.nextInt(2)) % 3);
                long amount = self ? round.oneOf("amount to itself " + k, 1L, 0L, Long.MAX_VALUE, -5L)
                        : round.oneOf("amount " + k, 0L, -1L, Long.MIN_VALUE, Long.MIN_VALUE + 1, -(1L << 33));
                assertThatThrownBy(() -> bank.transfer(from, to, amount))
                        .as("transfer(%s, %s, %d) (rule 2)", floor.nameOf(from), floor.nameOf(to), amount)
                        .isInstanceOf(IllegalArgumentException.class);
            }
            assertThat(records.get()).as("transfers recorded in the audit log after 8 wrong calls (rule 2)").isZero();
            for (Account account : abc) {
                assertThat(floor.lockOf(account).isLocked()).as("%s after wrong calls (rule 2)", floor.lockOf(account))
                        .isFalse();
            }
            assertThat(floor.transfer(bank, abc.get(2), abc.get(0), floor.booked(abc.get(2))))
                    .as("a transfer of a whole large balance after the wrong calls (rule 2)").isEqualTo(WENT_THROUGH);
            floor.assertBooks();
        });
    }

    @Test
    @Order(4)
    @Tag("rule-3")
    @DisplayName("refuses by a single coin, from an empty account, and the largest amount, recording nothing")
    void refusesByASingleCoin(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            BankFloor floor = new BankFloor();
            long balance = round.between("balance", 1L, 3_000_000_000_000L);
            List<Account> accounts = floor.openAccounts(round, round.chance("one name for all", 0.5), balance, 0,
                    round.between("third balance", 0L, 100L));
            AuditLog checked = floor.auditLog();
            List<String> records = new java.util.concurrent.CopyOnWriteArrayList<>();
            Bank bank = new Bank((from, to, amount) -> {
                records.add(amount + " from " + floor.nameOf(from) + " to " + floor.nameOf(to));
                checked.record(from, to, amount);
            });
            Account full = accounts.get(0);
            Account empty = accounts.get(1);
            Account other = accounts.get(2);
            List<Runnable> refusals = List.of(
                    () -> assertThat(floor.transfer(bank, full, empty, balance + 1))
                            .as("%d out of %d (rule 3)", balance + 1, balance).isEqualTo(REFUSED),
                    () -> assertThat(floor.transfer(bank, empty, full, 1)).as("1 out of an empty account (rule 3)")
                            .isEqualTo(REFUSED),
                    () -> assertThat(floor.transfer(bank, full, other, Long.MAX_VALUE))
                            .as("Long.MAX_VALUE out of %d (rule 3)", balance).isEqualTo(REFUSED),
                    () -> assertThat(floor.transfer(bank, other, empty, floor.booked(other) + 1))
                            .as("one more than the third account holds (rule 3)").isEqualTo(REFUSED));
            round.shuffled("refusals", refusals).forEach(Runnable::run);
            assertThat(records).as("what the audit log recorded of four refused transfers (rule 3)").isEmpty();
            floor.assertBooks();
            assertThat(floor.transfer(bank, full, empty, balance)).as("all %d, after the refusals (rule 3)", balance)
                    .isEqualTo(WENT_THROUGH);
            assertThat(records).as("what the audit log recorded (rule 3)")
                    .containsExactly(balance + " from " + floor.nameOf(full) + " to " + floor.nameOf(empty));
            floor.assertBooks();
        });
    }

    @Test
    @Order(5)
    @Tag("rule-4")
    @DisplayName("records from, to and amount as asked, whichever account it locked first")
    void recordsTheTransferAsAsked(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            BankFloor floor = new BankFloor();
            // Each account sends two transfers of at most 99, maybe one right after the other: 200 covers both.
            List<Account> ab = floor.openAccounts(round, round.chance("one name for both", 0.5),
                    round.between("balance of A", 200L, 10_000L), round.between("balance of B", 200L, 10_000L));
            AuditLog checked = floor.auditLog();
            List<String> recorded = new java.util.concurrent.CopyOnWriteArrayList<>();
            Bank bank = new Bank((from, to, amount) -> {
                recorded.add(amount + " from " + floor.nameOf(from) + " to " + floor.nameOf(to));
                checked.record(from, to, amount);
            });
            for (int from : round.shuffled("directions", List.of(0, 1, 1, 0))) {
                long amount = round.between("amount", 1L, 99L);
                recorded.clear();
                assertThat(floor.transfer(bank, ab.get(from), ab.get(1 - from), amount))
                        .as("a covered transfer (rule 4)").isEqualTo(WENT_THROUGH);
                assertThat(recorded).as("what the audit log recorded for the transfer of %d from %s to %s (rule 4)",
                        amount, floor.nameOf(ab.get(from)), floor.nameOf(ab.get(1 - from)))
                        .containsExactly(amount + " from " + floor.nameOf(ab.get(from)) + " to "
                                + floor.nameOf(ab.get(1 - from)));
            }
            floor.assertBooks();
        });
    }

    @Test
    @Order(6)
    @Tag("rule-8")
    @DisplayName("lets the audit log's failures out one after another, each as it is, and every later transfer works")
    void letsFailuresOutOneAfterAnother(Shapes shapes) {
        BankFloor floor = new BankFloor();
        List<Account> abc = floor.openAccounts(shapes, shapes.chance("one name for all", 0.5),
                shapes.between("balance 0", 1_000L, 50_000L), shapes.between("balance 1", 1_000L, 50_000L),
                shapes.between("balance 2", 1_000L, 50_000L));
        AtomicReference<Throwable> next = new AtomicReference<>();
        floor.failingAudits(transfer -> next.getAndSet(null));
        Bank bank = floor.bank();
        Random random = shapes.random();
        List<Throwable> failures = BankTest.everyKindOfFailure(shapes);
        for (Throwable failure : failures) {
            for (int again = 0; again < 2; again++) {
                int from = random.nextInt(3);
                int to = (from + 1 + random.nextInt(2)) % 3;
                next.set(failure);
                assertThat(floor.transfer(bank, abc.get(from), abc.get(to), 1 + random.nextInt(100)))
                        .as("a transfer whose audit threw %s (rule 8)", failure).isEqualTo(AUDIT_FAILED);
            }
        }
        for (int k = 0; k < 3; k++) {
            assertThat(floor.transfer(bank, abc.get(k), abc.get((k + 1) % 3), 1 + random.nextInt(100)))
                    .as("a transfer after %d failures of the audit log (rule 8)", 2 * failures.size())
                    .isEqualTo(WENT_THROUGH);
        }
        floor.assertBooks();
    }

    @Test
    @Order(7)
    @Tag("rule-9")
    @DisplayName("keeps an interrupt that comes while it waits for a lock someone else holds")
    void keepsAnInterruptWhileItWaits(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            BankFloor floor = new BankFloor();
            List<Account> ab = floor.openAccounts(round, round.chance("one name for both", 0.5),
                    round.between("balance of A", 10L, 1_000L), round.between("balance of B", 10L, 1_000L));
            Bank bank = floor.bank();
            int from = round.between("source", 0, 1);
            Account held = ab.get(round.between("account held by someone else", 0, 1));
            held.lock().lock();
            BankFloor.Background waiting;
            try {
                waiting = floor.startTransfer("Ivy in the back office", bank, ab.get(from), ab.get(1 - from), 5);
                waiting.awaitWaiting(Duration.ofMillis(500));
                floor.interrupt(waiting.thread());
                Thread.sleep(round.between("interrupted for (ms)", 1, 20));
            } finally {
                held.lock().unlock();
            }
            assertThat(waiting.join(Duration.ofSeconds(3)))
                    .as("a transfer interrupted while it waited for %s (rule 9)", floor.lockOf(held))
                    .isIn(WENT_THROUGH, GAVE_UP_WHEN_INTERRUPTED);
            assertThat(floor.transfer(bank, ab.get(1 - from), ab.get(from), 3)).as("the next transfer (rule 9)")
                    .isEqualTo(WENT_THROUGH);
            floor.assertBooks();
        });
    }

    @Test
    @Order(8)
    @Tag("rule-5")
    @DisplayName("waits as long as someone else holds an account it needs, and then goes through")
    void waitsAsLongAsItTakes(Shapes shapes) throws Exception {
        BankFloor floor = new BankFloor();
        List<Account> ab = floor.openAccounts(shapes, shapes.chance("one name for both", 0.5),
                shapes.between("balance of A", 10L, 1_000L), shapes.between("balance of B", 10L, 1_000L));
        Bank bank = floor.bank();
        int from = shapes.between("source", 0, 1);
        int firstHeld = shapes.between("account held by someone else first", 0, 1);
        // Each account in turn: a transfer may wait for the lock it takes first in one way and for the
        // second one in another (it blocks on the first, then polls for the second, say).
        for (int turn = 0; turn < 2; turn++) {
            Account held = ab.get((firstHeld + turn) % 2);
            long heldFor = shapes.between("held for (ms)", 700L, 900L);
            BankFloor.Background waiting;
            boolean endedWhileHeld;
            held.lock().lock();
            try {
                waiting = floor.startTransfer("Jo in the back office", bank, ab.get(from), ab.get(1 - from), 5);
                Thread.sleep(heldFor);
                holdWhileItKeepsTrying(waiting.thread());
                endedWhileHeld = !ThreadEnd.stillRuns(waiting.thread());
            } finally {
                held.lock().unlock();
            }
            if (endedWhileHeld) {
                BankFloor.Outcome early = null;
                Throwable failure = null;
                try {
                    early = waiting.join(Duration.ofSeconds(1));
                } catch (AssertionError e) {
                    failure = e;
                }
                throw new AssertionError("while someone else held " + floor.lockOf(held) + " for " + heldFor + " ms "
                        + "or more, the transfer that needed it ended before it was free (" + (failure != null
                        ? failure.getMessage() : String.valueOf(early)) + "): a transfer never gives up because an "
                        + "account is busy; it waits as long as it has to (rule 5).", failure);
            }
            assertThat(waiting.join(Duration.ofSeconds(2))).as("a transfer that waited %d ms or more for %s (rule 5)",
                    heldFor, floor.lockOf(held)).isEqualTo(WENT_THROUGH);
        }
        floor.assertBooks();
    }

    /**
     * A transfer that polls for the lock (tries it, backs off, tries again) must be seen to keep trying, not
     * only for a while: one that gives up after fifty tries of 10 ms, or after six back-offs of 400 ms, lasts
     * longer than a short hold. So the hold goes on for up to 2.5 s of wall-clock time, however rarely the transfer
     * tries (a long back-off) or however often (a poller that never parks), unless the transfer waits without a
     * time limit: queued on the lock itself, or waiting to be told, it cannot be counting towards giving up. A
     * right transfer that polls is held the whole 2.5 s, and both turns of the test end well within its bound.
     */
    private static void holdWhileItKeepsTrying(Thread transfer) throws InterruptedException {
        long until = System.nanoTime() + HOLD_FOR_A_POLLER.toNanos();
        int waitingUntimed = 0;
        while (System.nanoTime() < until && ThreadEnd.stillRuns(transfer)) {
            Thread.State state = transfer.getState();
            waitingUntimed = state == Thread.State.WAITING || state == Thread.State.BLOCKED ? waitingUntimed + 1 : 0;
            if (waitingUntimed >= 3) {
                return; // seen waiting without a time limit three looks in a row: no give-up timer runs
            }
            Thread.sleep(20);
        }
    }

    /** How long a transfer that polls for a held lock is kept waiting, at most: see holdWhileItKeepsTrying. */
    private static final Duration HOLD_FOR_A_POLLER = Duration.ofMillis(2_500);

    @Test
    @Order(9)
    @Tag("rule-10")
    @DisplayName("the given Account keeps its promises: its name, a balance never opened below zero, no change without its lock")
    void theGivenAccountKeepsItsPromises(Shapes shapes) throws Exception {
        String name = shapes.oneOf("name", BankFloor.NAMES);
        long balance = shapes.between("balance", 0L, 1_000_000_000_000L);
        Account account = new Account(name, balance);
        Account next = new Account(name, 0);
        assertThat(account.name()).as("the name of an account opened as %s (rule 10)", name).isEqualTo(name);
        assertThat(account.toString()).as("how an account opened as %s names itself (rule 10)", name).contains(name);
        assertThat(account.balance()).as("the opening balance (rule 10)").isEqualTo(balance);
        assertThat(next.number()).as("the number of the account opened next (rule 10)").isGreaterThan(account.number());
        long below = -shapes.between("below zero", 1L, Long.MAX_VALUE);
        assertThatThrownBy(() -> new Account(name, below)).as("an account opened with %d (rule 10)", below)
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> account.withdraw(1)).as("withdraw without holding the account's lock (rule 10)")
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> account.deposit(1)).as("deposit without holding the account's lock (rule 10)")
                .isInstanceOf(IllegalStateException.class);
        account.lock().lock();
        try {
            account.deposit(7);
            account.withdraw(5);
            assertThatThrownBy(() -> account.withdraw(balance + 3)).as("withdrawing more than the account holds")
                    .isInstanceOf(InsufficientFundsException.class);
        } finally {
            account.lock().unlock();
        }
        assertThat(account.balance()).as("after a deposit of 7 and a withdrawal of 5 (rule 10)").isEqualTo(balance + 2);
        assertThat(((java.util.concurrent.locks.ReentrantLock) account.lock()).isLocked())
                .as("the account's lock after balance() (rule 10)").isFalse();
    }

    @Test
    @Order(10)
    @Tag("rule-4")
    @DisplayName("takes no money out of 'from' while it still waits for the lock of 'to', whichever has the lower number")
    void takesNothingOutBeforeItHoldsBothLocks(Shapes shapes) throws Exception {
        movesNoMoneyWhileOneLockIsHeld(shapes, true, "Lu in the back office", "the money had left 'from' before the "
                + "transfer held both accounts' locks, and for as long as 'to' stays busy it is nowhere");
    }

    @Test
    @Order(11)
    @Tag("rule-4")
    @DisplayName("puts no money into 'to' while it still waits for the lock of 'from', whichever has the lower number")
    void putsNothingInBeforeItHoldsBothLocks(Shapes shapes) throws Exception {
        movesNoMoneyWhileOneLockIsHeld(shapes, false, "Mo in the back office", "the money had arrived in 'to' before "
                + "the transfer held both accounts' locks, so for as long as 'from' stays busy it is in two places "
                + "(and 'from' may not even cover it)");
    }

    /**
     * Holds the lock of 'to' (or of 'from') while a transfer between two accounts waits for it, and reads the
     * other account's money meanwhile, without its lock: a transfer that moves money before it holds both
     * locks has already changed it.
     */
    private void movesNoMoneyWhileOneLockIsHeld(Shapes shapes, boolean holdTo, String teller, String why)
            throws Exception {
        java.lang.reflect.Field balance = Account.class.getDeclaredField("balance");
        balance.setAccessible(true); // the test looks at the money without the lock its teller holds
        shapes.check(2, round -> {
            BankFloor floor = new BankFloor();
            List<Account> ab = floor.openAccounts(round, round.chance("one name for both", 0.5),
                    round.between("balance of A", 10L, 1_000L), round.between("balance of B", 10L, 1_000L));
            Bank bank = floor.bank();
            for (int from : round.shuffled("directions", List.of(0, 1))) {
                Account source = ab.get(from);
                Account target = ab.get(1 - from);
                Account held = holdTo ? target : source;
                Account watched = holdTo ? source : target;
                long amount = round.between("amount " + (from + 1), 1L, 10L);
                long before = watched.balance();
                long seen;
                BankFloor.Background waiting;
                held.lock().lock();
                try {
                    waiting = floor.startTransfer(teller, bank, source, target, amount);
                    waiting.awaitWaiting(Duration.ofSeconds(2));
                    seen = balance.getLong(watched);
                } finally {
                    held.lock().unlock();
                }
                assertThat(waiting.join(Duration.ofSeconds(3)))
                        .as("a transfer that waited for %s (rule 4)", floor.lockOf(held)).isEqualTo(WENT_THROUGH);
                if (seen != before) {
                    throw new AssertionError("while someone else held " + floor.lockOf(held) + ", the transfer of "
                            + amount + " from " + floor.nameOf(source) + " to " + floor.nameOf(target) + " waited for "
                            + "that lock, and meanwhile " + floor.nameOf(watched) + " already held " + seen + " instead "
                            + "of " + before + ": " + why + ". Take both locks first, then move the money (rule 4).");
                }
            }
            floor.assertBooks();
        });
    }
}

package katas.breakthedeadlock;

import static katas.breakthedeadlock.BankFloor.Outcome.AUDIT_FAILED;
import static katas.breakthedeadlock.BankFloor.Outcome.GAVE_UP_WHEN_INTERRUPTED;
import static katas.breakthedeadlock.BankFloor.Outcome.REFUSED;
import static katas.breakthedeadlock.BankFloor.Outcome.WENT_THROUGH;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import katas.breakthedeadlock.BankFloor.Outcome;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Watch;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The visible tests of break-the-deadlock, one or more per rule of the README. The tests from one
 * teller are preconditions (the untouched stub passes them, so they earn nothing, but while one
 * fails this part earns nothing); every other test makes transfers collide, which the stub cannot
 * survive. Shapes (accounts, names, balances, amounts, tellers, failures) are drawn from the seed.
 */
@DisplayName("Bank")
@KataTest
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class BankTest {

    @Nested
    @Order(1)
    @DisplayName("from one teller")
    @Tag("precondition")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class OneTeller {

        @Test
        @Order(1)
        @Tag("rule-1")
        @DisplayName("moves exactly the amount from one account to the other, and changes nothing else")
        void movesExactlyTheAmount(Shapes shapes) throws Exception {
            shapes.check(6, round -> {
                BankFloor floor = new BankFloor();
                int count = round.between("accounts", 2, 5);
                boolean large = round.chance("balances beyond an int", 0.5);
                long[] expected = new long[count];
                for (int i = 0; i < count; i++) {
                    expected[i] = large ? round.between("balance " + i, 2_200_000_000L, 4_000_000_000_000_000L)
                            : round.between("balance " + i, 1, 997);
                }
                List<Account> accounts = floor.openAccounts(round, round.chance("one name for all", 0.3), expected);
                Bank bank = floor.bank();
                Random random = round.random();
                int transfers = round.between("transfers", 1, 6);
                for (int k = 0; k < transfers; k++) {
                    int from = random.nextInt(count);
                    int to = (from + 1 + random.nextInt(count - 1)) % count;
                    if (expected[from] == 0) {
                        continue;
                    }
                    long amount = random.nextBoolean() ? expected[from]
                            : Math.max(1, Math.min(expected[from], (long) (random.nextDouble() * expected[from])));
                    String what = "the transfer of " + amount + " from " + floor.nameOf(accounts.get(from)) + " to "
                            + floor.nameOf(accounts.get(to));
                    assertThat(floor.transfer(bank, accounts.get(from), accounts.get(to), amount))
                            .as("%s, with %d in the source", what, expected[from]).isEqualTo(WENT_THROUGH);
                    expected[from] -= amount;
                    expected[to] += amount;
                    for (int i = 0; i < count; i++) {
                        assertThat(accounts.get(i).balance())
                                .as("after %s, what %s holds: transfer takes the amount out of 'from', puts it into "
                                        + "'to', and changes nothing else (rule 1)", what, floor.nameOf(accounts.get(i)))
                                .isEqualTo(expected[i]);
                    }
                }
                floor.assertBooks();
            });
        }

        @Test
        @Order(5)
        @Tag("rule-2")
        @DisplayName("refuses an amount that is not positive, or a transfer to the same account, with IllegalArgumentException")
        void refusesWrongArguments(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                BankFloor floor = new BankFloor();
                List<Account> accounts = floor.openAccounts(round, round.chance("one name for both", 0.3),
                        round.between("balance of A", 1, 1_000_000), round.between("balance of B", 1, 1_000_000));
                Account a = accounts.get(0);
                Account b = accounts.get(1);
                long notPositive = round.oneOf("negative amount", -1L, Long.MIN_VALUE,
                        -round.between("some negative amount", 2, 1_000_000_000_000L));
                long valid = round.between("a valid amount", 1, 1_000);
                AtomicInteger records = new AtomicInteger();
                Bank bank = new Bank((from, to, amount) -> records.incrementAndGet());
                List<Object[]> wrong = List.of(new Object[] {a, b, 0L}, new Object[] {b, a, notPositive},
                        new Object[] {a, a, valid}, new Object[] {b, b, notPositive});
                for (Object[] call : round.shuffled("wrong calls", wrong)) {
                    Account from = (Account) call[0];
                    Account to = (Account) call[1];
                    long amount = (Long) call[2];
                    String what = "transfer(" + floor.nameOf(from) + ", " + floor.nameOf(to) + ", " + amount + ")";
                    assertThatThrownBy(() -> bank.transfer(from, to, amount))
                            .as("%s must throw IllegalArgumentException: %s (rule 2)", what,
                                    from == to ? "money cannot go from an account to itself" : "the amount must be positive")
                            .isInstanceOf(IllegalArgumentException.class);
                    for (Account account : accounts) {
                        assertThat(floor.lockOf(account).isLocked())
                                .as("after %s was refused, %s is still locked (rule 2)", what, floor.lockOf(account))
                                .isFalse();
                    }
                    assertThat(a.balance()).as("%s after %s was refused (rule 2)", floor.nameOf(a), what)
                            .isEqualTo(floor.booked(a));
                    assertThat(b.balance()).as("%s after %s was refused (rule 2)", floor.nameOf(b), what)
                            .isEqualTo(floor.booked(b));
                }
                assertThat(records.get()).as("transfers recorded in the audit log after %d wrong calls (rule 2)",
                        wrong.size()).isZero();
            });
        }

        @Test
        @Order(2)
        @Tag("rule-3")
        @DisplayName("refuses what the source cannot cover with InsufficientFundsException: nothing moved, recorded or kept locked")
        void refusesWhatTheSourceCannotCover(Shapes shapes) throws Exception {
            shapes.check(5, round -> {
                BankFloor floor = new BankFloor();
                long balance = round.oneOf("source balance", 0L, round.between("a small balance", 1L, 999L),
                        round.between("a large balance", 3_000_000_000L, 1_000_000_000_000_000L));
                List<Account> accounts = floor.openAccounts(round, round.chance("one name for both", 0.3), balance,
                        round.between("destination balance", 0, 5_000));
                Account from = accounts.get(0);
                Account to = accounts.get(1);
                long amount = round.oneOf("amount", balance + 1, balance + round.between("more than it holds", 2, 10_000),
                        Long.MAX_VALUE);
                Bank bank = floor.bank();
                assertThat(floor.transfer(bank, from, to, amount))
                        .as("a transfer of %d out of %s, which holds %d (rule 3)", amount, floor.nameOf(from), balance)
                        .isEqualTo(REFUSED);
                floor.assertBooks();
                // The same accounts go on working after a refusal.
                if (balance > 0) {
                    assertThat(floor.transfer(bank, from, to, balance))
                            .as("after the refusal, a transfer of all %d that %s holds (rule 3)", balance,
                                    floor.nameOf(from))
                            .isEqualTo(WENT_THROUGH);
                }
                assertThat(floor.transfer(bank, to, from, 1 + floor.booked(to)))
                        .as("after the refusal, a transfer the other way of more than %s holds (rule 3)",
                                floor.nameOf(to))
                        .isEqualTo(REFUSED);
                floor.assertBooks();
            });
        }

        @Test
        @Order(6)
        @Tag("rule-4")
        @DisplayName("records each transfer that went through once, in order, as asked, with both locks held and the money moved")
        void recordsEachTransferOnce(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                BankFloor floor = new BankFloor();
                int count = round.between("accounts", 2, 4);
                long[] balances = new long[count];
                for (int i = 0; i < count; i++) {
                    balances[i] = round.between("balance " + i, 0, 500);
                }
                List<Account> accounts = floor.openAccounts(round, round.chance("one name for all", 0.3), balances);
                AuditLog checked = floor.auditLog();
                List<String> recorded = new ArrayList<>();
                Bank bank = new Bank((from, to, amount) -> {
                    recorded.add(amount + " from " + floor.nameOf(from) + " to " + floor.nameOf(to));
                    checked.record(from, to, amount);
                });
                Random random = round.random();
                List<String> wentThrough = new ArrayList<>();
                int transfers = round.between("transfers", 2, 7);
                for (int k = 0; k < transfers; k++) {
                    int from = random.nextInt(count);
                    int to = (from + 1 + random.nextInt(count - 1)) % count;
                    long amount = 1 + random.nextInt(600);
                    if (floor.transfer(bank, accounts.get(from), accounts.get(to), amount) == WENT_THROUGH) {
                        wentThrough.add(amount + " from " + floor.nameOf(accounts.get(from)) + " to "
                                + floor.nameOf(accounts.get(to)));
                    }
                }
                assertThat(recorded).as("what the audit log recorded, in order: each transfer that went through, once, "
                        + "with from, to and amount as asked, and nothing else (rule 4)").isEqualTo(wentThrough);
                floor.assertBooks();
            });
        }

        @Test
        @Order(3)
        @Tag("rule-8")
        @DisplayName("lets the audit log's failure out as it is, whatever its kind, keeps no lock, and goes on working")
        void letsTheAuditLogsFailureOut(Shapes shapes) {
            BankFloor floor = new BankFloor();
            List<Account> accounts = floor.openAccounts(shapes, shapes.chance("one name for both", 0.3),
                    shapes.between("balance of A", 50, 10_000), shapes.between("balance of B", 50, 10_000));
            AtomicReference<Throwable> next = new AtomicReference<>();
            floor.failingAudits(transfer -> next.getAndSet(null));
            Bank bank = floor.bank();
            Random random = shapes.random();
            for (Throwable failure : everyKindOfFailure(shapes)) {
                int from = random.nextInt(2);
                Account source = accounts.get(from);
                Account destination = accounts.get(1 - from);
                next.set(failure);
                assertThat(floor.transfer(bank, source, destination, 1 + random.nextInt(20)))
                        .as("a transfer whose audit threw %s (rule 8)", failure).isEqualTo(AUDIT_FAILED);
                assertThat(floor.transfer(bank, destination, source, 1 + random.nextInt(20)))
                        .as("the next transfer between the same accounts, after the audit log had thrown %s (rule 8)",
                                failure)
                        .isEqualTo(WENT_THROUGH);
            }
            floor.assertBooks();
        }

        @Test
        @Order(4)
        @Tag("rule-9")
        @DisplayName("keeps an interrupt: goes through, or throws having moved nothing, and the thread stays interrupted")
        void keepsAnInterrupt(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                BankFloor floor = new BankFloor();
                List<Account> accounts = floor.openAccounts(round, false, round.between("balance of A", 10, 1_000),
                        round.between("balance of B", 10, 1_000));
                Bank bank = floor.bank();
                boolean before = round.chance("interrupted before the call (else at its first lock)", 0.5);
                if (before) {
                    Thread.currentThread().interrupt();
                }
                assertThat(floor.transfer(bank, accounts.get(0), accounts.get(1), round.between("amount", 1, 10),
                        !before)).as("an interrupted transfer (rule 9)").isIn(WENT_THROUGH, GAVE_UP_WHEN_INTERRUPTED);
                assertThat(floor.transfer(bank, accounts.get(1), accounts.get(0), round.between("amount back", 1, 10)))
                        .as("the next transfer, not interrupted (rule 9)").isEqualTo(WENT_THROUGH);
                floor.assertBooks();
            });
        }
    }

    @Nested
    @Order(2)
    @DisplayName("transfers that collide")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class Collisions {

        @Test
        @Order(1)
        @Tag("rule-5")
        @DisplayName("both finish when one teller sends A to B and another B to A at the same moment, again and again")
        void crossingTransfersBothFinish(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                BankFloor floor = new BankFloor().stagingACollision();
                List<Account> ab = floor.openAccounts(round, round.chance("one name for both", 0.5),
                        round.between("balance of A", 1, 5_000), round.between("balance of B", 1, 5_000));
                Account a = ab.get(0);
                Account b = ab.get(1);
                Bank bank = floor.bank();
                Random random = round.random();
                int collisions = round.between("collisions on one bank", 2, 5);
                for (int c = 0; c < collisions; c++) {
                    long there = 1 + random.nextLong(Math.max(1, floor.booked(a)));
                    long back = 1 + random.nextLong(Math.max(1, floor.booked(b)));
                    if (floor.booked(a) == 0 || floor.booked(b) == 0) {
                        break;
                    }
                    floor.runTellers(2, 1, (teller, call) -> assertThat(teller == 0
                            ? floor.transfer(bank, a, b, there) : floor.transfer(bank, b, a, back))
                            .as("a transfer covered by its source, crossing one the other way (rule 5)")
                            .isEqualTo(WENT_THROUGH));
                }
                floor.assertBooks();
            });
        }

        @Test
        @Order(2)
        @Tag("rule-5")
        @DisplayName("all finish when every teller sends money to the next account around a ring at the same moment")
        void aRingOfTransfersFinishes(Shapes shapes) throws Exception {
            AtomicInteger rounds = new AtomicInteger();
            shapes.check(3, round -> {
                // The first round makes the accounts alike: one name, one balance. Only their numbers differ.
                boolean alike = rounds.incrementAndGet() == 1 || round.chance("accounts alike", 0.5);
                int size = round.between("ring size", 3, 6);
                long balance = round.between("balance", 50, 1_000);
                long[] balances = new long[size];
                for (int i = 0; i < size; i++) {
                    balances[i] = alike ? balance : round.between("balance " + i, 50, 1_000);
                }
                BankFloor floor = new BankFloor().stagingACollision();
                List<Account> ring = floor.openAccounts(round, alike, balances);
                Bank bank = floor.bank();
                floor.runTellers(size, 1, (teller, call) -> assertThat(
                        floor.transfer(bank, ring.get(teller), ring.get((teller + 1) % size), 1 + teller))
                        .as("a transfer around a ring of %d (rule 5)", size).isEqualTo(WENT_THROUGH));
                floor.assertBooks();
            });
        }

        @Test
        @Order(3)
        @Tag("rule-5")
        @DisplayName("all finish around a ring lined up on plain accounts, as Account's public constructor makes them")
        void aRingLinedUpOnPlainAccountsFinishes(Shapes shapes) throws Exception {
            shapes.check(2, round -> new PlainLineUp(round).run(PlainLineUp.ring(round)));
        }

        @Test
        @Order(4)
        @Tag("rule-4")
        @Tag("rule-5")
        @Tag("rule-6")
        @DisplayName("keep every coin when tellers send money back and forth among a few accounts, many times")
        void keepEveryCoinGoingBackAndForth(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                int tellers = round.between("tellers", 2, 6);
                int count = round.between("accounts", 2, 3);
                int calls = round.between("transfers each", 40, 150);
                long[] balances = new long[count];
                for (int i = 0; i < count; i++) {
                    balances[i] = round.between("balance " + i, 50, 2_000);
                }
                BankFloor floor = new BankFloor().stagingACollision()
                        .pausingAfterTheFirstLock(Duration.ofNanos(round.between("pause after a first lock (ns)",
                                5_000, 40_000)));
                List<Account> accounts = floor.openAccounts(round, round.chance("one name for all", 0.3), balances);
                Bank bank = floor.bank();
                Random[] dice = dice(round, tellers);
                try (Watch watch = Watch.of("whoever holds an account's lock never sees a transfer half done",
                        floor.examiner())) {
                    floor.runTellers(tellers, calls, (teller, call) -> {
                        Random die = dice[teller];
                        int from = call == 0 ? teller % 2 : die.nextInt(count);
                        int to = call == 0 ? 1 - teller % 2 : (from + 1 + die.nextInt(count - 1)) % count;
                        floor.transfer(bank, accounts.get(from), accounts.get(to), 1 + die.nextInt(80));
                    });
                }
                floor.assertBooks();
            });
        }
    }

    @Nested
    @Order(3)
    @DisplayName("transfers between unrelated accounts")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class UnrelatedAccounts {

        @Test
        @Order(1)
        @Tag("rule-7")
        @DisplayName("run at the same time: pairs of accounts, each busy both ways, are all inside their audits at once")
        void runAtTheSameTime(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                int pairs = round.between("pairs of accounts", 2, 4);
                long[] balances = new long[2 * pairs];
                for (int i = 0; i < balances.length; i++) {
                    balances[i] = round.between("balance " + i, 20, 500);
                }
                BankFloor floor = new BankFloor().stagingACollision().failingTellersStuckOutsideTheAccounts();
                List<Account> accounts = floor.openAccounts(round, round.chance("one name for all", 0.3), balances);
                AtomicReference<String> shutOut = floor.auditsMustMeet(pairs, Duration.ofSeconds(2));
                Bank bank = floor.bank();
                floor.runTellers(2 * pairs, 1, (teller, call) -> {
                    Account one = accounts.get(2 * (teller / 2));
                    Account other = accounts.get(2 * (teller / 2) + 1);
                    assertThat(teller % 2 == 0 ? floor.transfer(bank, one, other, 1 + teller)
                            : floor.transfer(bank, other, one, 1 + teller))
                            .as("a transfer within a pair (rule 7)").isEqualTo(WENT_THROUGH);
                });
                if (shutOut.get() != null) {
                    fail(shutOut.get());
                }
                floor.assertBooks();
            });
        }

        @Test
        @Order(2)
        @Tag("rule-7")
        @DisplayName("go on while a transfer they share no account with is stuck in the audit log, and another waits for it")
        void goOnWhileOthersAreStuck(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                long[] balances = new long[5];
                for (int i = 0; i < 5; i++) {
                    balances[i] = round.between("balance " + i, 20, 500);
                }
                BankFloor floor = new BankFloor().stagingACollision().failingTellersStuckOutsideTheAccounts();
                List<Account> accounts = floor.openAccounts(round, round.chance("one name for all", 0.3), balances);
                Account s1 = accounts.get(0);
                Account s2 = accounts.get(1);
                Account s3 = accounts.get(2);
                Account x = accounts.get(3);
                Account y = accounts.get(4);
                CountDownLatch inAudit = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                floor.onAudit((from, to, amount) -> {
                    if (from == s1 && to == s2) {
                        inAudit.countDown();
                        release.await(5, TimeUnit.SECONDS);
                    }
                });
                Bank bank = floor.bank();
                BankFloor.Background stuck = floor.startTransfer("Gus in the back office", bank, s1, s2, 10);
                try {
                    assertThat(inAudit.await(2, TimeUnit.SECONDS))
                            .as("a transfer alone on its accounts reached its audit within 2 s").isTrue();
                    boolean intoTheStuckOne = round.chance("the waiting transfer pays into the stuck account", 0.5);
                    BankFloor.Background waiting = floor.startTransfer("Hal in the back office", bank,
                            intoTheStuckOne ? s3 : s2, intoTheStuckOne ? s2 : s3, 5);
                    waiting.awaitWaiting(Duration.ofMillis(200));
                    floor.runTellers(2, 1, (teller, call) -> assertThat(teller == 0 ? floor.transfer(bank, x, y, 3)
                            : floor.transfer(bank, y, x, 4))
                            .as("a transfer between two accounts nobody else uses, while another transfer is stuck "
                                    + "in the audit log (rule 7)").isEqualTo(WENT_THROUGH));
                    release.countDown();
                    assertThat(stuck.join(Duration.ofSeconds(2))).as("the transfer that was stuck in the audit log")
                            .isEqualTo(WENT_THROUGH);
                    assertThat(waiting.join(Duration.ofSeconds(2))).as("the transfer that waited for it")
                            .isEqualTo(WENT_THROUGH);
                } finally {
                    release.countDown();
                }
                floor.assertBooks();
            });
        }
    }

    @Nested
    @Order(4)
    @DisplayName("failures while transfers collide")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class FailuresInCollisions {

        @Test
        @Order(1)
        @Tag("rule-3")
        @DisplayName("a refused transfer lets go of its locks, and the one it collided with goes through")
        void aRefusalInACollision(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                BankFloor floor = new BankFloor().stagingACollision();
                List<Account> ab = floor.openAccounts(round, round.chance("one name for both", 0.5),
                        round.between("balance of A", 1, 500), round.between("balance of B", 1, 500));
                Bank bank = floor.bank();
                String refused = round.oneOf("refused", "the first", "the second", "both");
                long[] amounts = new long[2];
                for (int t = 0; t < 2; t++) {
                    boolean refuse = refused.equals("both") || refused.equals(t == 0 ? "the first" : "the second");
                    long own = floor.booked(ab.get(t));
                    long incoming = floor.booked(ab.get(1 - t));
                    amounts[t] = refuse ? own + incoming + round.between("shortfall " + t, 1, 1_000)
                            : own == 0 ? 0 : round.between("amount " + t, 1, own);
                }
                floor.runTellers(2, 1, (teller, call) -> {
                    boolean refuse = refused.equals("both") || refused.equals(teller == 0 ? "the first" : "the second");
                    if (amounts[teller] == 0) {
                        return;
                    }
                    assertThat(floor.transfer(bank, ab.get(teller), ab.get(1 - teller), amounts[teller]))
                            .as("a transfer %s its source, crossing another (rule 3)",
                                    refuse ? "of more than all the money in reach of" : "covered by")
                            .isEqualTo(refuse ? REFUSED : WENT_THROUGH);
                });
                floor.assertBooks();
                // The same bank and accounts, after the refusal: a collision that goes through.
                long there = floor.booked(ab.get(0));
                long back = floor.booked(ab.get(1));
                floor.runTellers(2, 1, (teller, call) -> {
                    if ((teller == 0 ? there : back) > 0) {
                        assertThat(teller == 0 ? floor.transfer(bank, ab.get(0), ab.get(1), there)
                                : floor.transfer(bank, ab.get(1), ab.get(0), back))
                                .as("a covered transfer after a refusal (rule 3)").isEqualTo(WENT_THROUGH);
                    } else {
                        assertThat(floor.transfer(bank, ab.get(teller), ab.get(1 - teller), 1))
                                .as("a transfer of 1 out of an empty account, crossing another (rule 3)")
                                .isIn(REFUSED, WENT_THROUGH);
                    }
                });
                floor.assertBooks();
            });
        }

        @Test
        @Order(2)
        @Tag("rule-8")
        @DisplayName("an audit failure of any kind comes out of the transfer that met it, and the other transfer goes through")
        void anAuditFailureInACollision(Shapes shapes) throws Exception {
            BankFloor floor = new BankFloor().stagingACollision();
            List<Account> ab = floor.openAccounts(shapes, shapes.chance("one name for both", 0.5),
                    shapes.between("balance of A", 100, 5_000), shapes.between("balance of B", 100, 5_000));
            Map<Thread, Throwable> pending = new ConcurrentHashMap<>();
            floor.failingAudits(transfer -> pending.remove(Thread.currentThread()));
            Bank bank = floor.bank();
            Random random = shapes.random();
            for (Throwable failure : everyKindOfFailure(shapes)) {
                int failing = random.nextInt(2);
                long[] amounts = {1 + random.nextInt(30), 1 + random.nextInt(30)};
                floor.runTellers(2, 1, (teller, call) -> {
                    if (teller == failing) {
                        pending.put(Thread.currentThread(), failure);
                    }
                    try {
                        assertThat(floor.transfer(bank, ab.get(teller), ab.get(1 - teller), amounts[teller]))
                                .as(teller == failing ? "a transfer whose audit threw " + failure + " (rule 8)"
                                        : "a transfer crossing one whose audit failed (rule 8)")
                                .isEqualTo(teller == failing ? AUDIT_FAILED : WENT_THROUGH);
                    } finally {
                        pending.remove(Thread.currentThread());
                    }
                });
            }
            floor.assertBooks();
        }

        @Test
        @Order(3)
        @Tag("rule-9")
        @DisplayName("an interrupted teller keeps its interrupt, and no transfer of the collision is lost")
        void anInterruptInACollision(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                BankFloor floor = new BankFloor().stagingACollision();
                List<Account> ab = floor.openAccounts(round, round.chance("one name for both", 0.5),
                        round.between("balance of A", 10, 500), round.between("balance of B", 10, 500));
                Bank bank = floor.bank();
                int interrupted = round.between("interrupted teller", 0, 1);
                floor.runTellers(2, 1, (teller, call) -> {
                    Outcome outcome = floor.transfer(bank, ab.get(teller), ab.get(1 - teller), 1 + teller,
                            teller == interrupted);
                    assertThat(outcome).as(teller == interrupted ? "a transfer interrupted at its first lock (rule 9)"
                            : "a transfer crossing an interrupted one (rule 9)")
                            .isIn(teller == interrupted ? List.of(WENT_THROUGH, GAVE_UP_WHEN_INTERRUPTED)
                                    : List.of(WENT_THROUGH));
                });
                floor.runTellers(2, 1, (teller, call) -> assertThat(
                        floor.transfer(bank, ab.get(teller), ab.get(1 - teller), 2 + teller))
                        .as("a collision after an interrupt (rule 9)").isEqualTo(WENT_THROUGH));
                floor.assertBooks();
            });
        }
    }

    /** At least one failure of each kind (RuntimeException, Error, checked exception), in the order drawn. */
    static List<Throwable> everyKindOfFailure(Shapes shapes) {
        List<Throwable> failures = new ArrayList<>();
        boolean runtime = false;
        boolean error = false;
        boolean checked = false;
        for (int i = 1; i <= 60 && !(runtime && error && checked); i++) {
            Throwable failure = shapes.failure("audit failure " + i, "the regulator's service is down (" + i + ")");
            runtime |= failure instanceof RuntimeException;
            error |= failure instanceof Error;
            checked |= !(failure instanceof RuntimeException) && !(failure instanceof Error);
            failures.add(failure);
        }
        return failures;
    }

    static Random[] dice(Shapes round, int tellers) {
        Random seeds = round.random();
        Random[] dice = new Random[tellers];
        for (int t = 0; t < tellers; t++) {
            dice[t] = new Random(seeds.nextLong());
        }
        return dice;
    }
}

package katas.fixtherace;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.ThreadDiagnosis;
import katas.testkit.ThreadEnd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Hidden: rule 8, balances read while deposits and withdrawals run, and stale copies of the balance. */
@DisplayName("BankAccount read by many threads")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BankAccountReadsTest {

    @BeforeAll
    static void compileTheReadingLoops() {
        StaleReads.warmUp();
    }

    @Test
    @Order(1)
    @Tag("rule-8")
    @DisplayName("shows a deposit and a withdrawal at once to a thread that keeps reading the balance")
    void showsEveryChangeAtOnce(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            long opening = round.between("opening balance", 0, 1L << 40);
            long deposit = round.between("deposit", 2, 1L << 30);
            long withdrawal = round.between("withdrawal", 1, (opening + deposit) / 2); // paid in each round
            BankAccount account = new BankAccount(opening, amount -> { });
            assertThat(StaleReads.probe(account, 2, () -> account.deposit(deposit), "deposit(" + deposit + ")"))
                    .as("rule 8, a balance shows at once").isNull();
            assertThat(StaleReads.probe(account, 2, () -> account.withdraw(withdrawal), "withdraw(" + withdrawal
                    + ")")).as("rule 8, a balance shows at once").isNull();
        });
    }

    @Test
    @Order(4)
    @Tag("rule-4")
    @Tag("rule-8")
    @DisplayName("pays a withdrawal retried in a loop as soon as another thread's deposit covers it")
    void paysARetriedWithdrawalOnceADepositCoversIt(Shapes shapes) throws Exception {
        long amount = shapes.between("withdrawal", 2, 1L << 40);
        long opening = shapes.between("opening balance, below the withdrawal", 0, amount - 1);
        BankAccount account = new BankAccount(opening, paid -> { });
        assertThat(StaleReads.probeRetriedWithdrawal(account, amount, 2)).as("rule 4: a withdrawal is refused only "
                + "if the balance really was too low, opening balance %,d", opening).isNull();
    }

    @Test
    @Order(2)
    @Tag("rule-8")
    @Tag("rule-5")
    @DisplayName("shows only balances that were, while deposits and withdrawals race")
    void showsOnlyBalancesThatWere(Shapes shapes) throws Exception {
        shapes.check(3, round -> BankAccountTest.tradeTogether(round, 2, 16));
        long opening = shapes.between("opening balance", 0, 1L << 40);
        long deposit = shapes.between("deposit", 1, 1L << 30);
        BankAccount account = new BankAccount(opening, amount -> { });
        assertThat(StaleReads.probe(account, 2, () -> account.deposit(deposit), "deposit(" + deposit + ")"))
                .as("rule 8, a balance shows at once").isNull();
    }

    @Test
    @Order(3)
    @Tag("rule-8")
    @Tag("rule-4")
    @DisplayName("never shows less than the opening balance while every customer deposits an amount and takes it back")
    void showsNoBalanceBelowWhatWasSurelyThere(Shapes shapes) throws Exception {
        // Each customer deposits x, then withdraws the same x: the account always holds at least its opening
        // balance, and at most the opening balance plus every customer's x. A balance() that reads two totals one
        // after the other without the lock (paid in, then paid out) sees withdrawals whose deposits it missed.
        shapes.check(2, round -> {
            int traders = round.between("customers who deposit and take it back", 2, 5);
            int readers = round.between("threads reading the balance", 2, 3);
            long opening = round.between("opening balance", 0, 1L << 40);
            long runMillis = round.between("milliseconds they trade", 400, 600);
            Random random = round.random();
            long[] amounts = new long[traders];
            long ceiling = opening;
            for (int t = 0; t < traders; t++) {
                amounts[t] = 1 + random.nextInt(1 << 30);
                ceiling += amounts[t];
            }
            long highest = ceiling;
            BankAccount account = new BankAccount(opening, amount -> { });
            AtomicReference<String> wrong = new AtomicReference<>();
            AtomicBoolean stop = new AtomicBoolean();
            CountDownLatch start = new CountDownLatch(1);
            LongAdder reads = new LongAdder();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < traders; t++) {
                long amount = amounts[t];
                threads.add(Thread.ofPlatform().daemon(true).name("customer-" + (t + 1)).unstarted(() -> {
                    awaitQuietly(start);
                    while (!stop.get()) {
                        account.deposit(amount);
                        if (!account.withdraw(amount)) {
                            wrong.compareAndSet(null, String.format("rule 4: withdraw(%,d) right after the same "
                                    + "thread's deposit(%,d) was refused: the account held at least %,d", amount,
                                    amount, opening + amount));
                            stop.set(true);
                        }
                    }
                }));
            }
            for (int r = 0; r < readers; r++) {
                threads.add(Thread.ofPlatform().daemon(true).name("reader-" + (r + 1)).unstarted(() -> {
                    awaitQuietly(start);
                    long count = 0;
                    while (!stop.get()) {
                        long balance = account.balance();
                        count++;
                        if (balance < opening || balance > highest) {
                            wrong.compareAndSet(null, String.format("rule 8: balance() returned %,d while %d customers "
                                    + "each deposited an amount and then withdrew the same amount from an account "
                                    + "opened with %,d: it always held between %,d and %,d, so that balance never "
                                    + "was. A balance read from two totals (or two fields) without the lock mixes "
                                    + "moments: read it under the lock, or keep it in one field", balance, traders,
                                    opening, opening, highest));
                            stop.set(true);
                        }
                    }
                    reads.add(count);
                }));
            }
            threads.forEach(Thread::start);
            start.countDown();
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(runMillis);
            while (wrong.get() == null && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            stop.set(true);
            for (Thread thread : threads) {
                thread.join(Duration.ofSeconds(10));
                if (ThreadEnd.stillRuns(thread)) {
                    throw new AssertionError("rule 9: " + thread.getName() + " did not finish its call within 10 s "
                            + "after trading stopped. " + ThreadDiagnosis.explain(threads));
                }
            }
            assertThat(wrong.get()).as("rule 8, only balances that were (%,d reads)", reads.sum()).isNull();
            assertThat(account.balance()).as("rule 5: every customer took back what it deposited").isEqualTo(opening);
        });
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

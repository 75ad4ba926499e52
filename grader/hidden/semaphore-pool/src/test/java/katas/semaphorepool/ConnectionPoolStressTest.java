package katas.semaphorepool;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import katas.testkit.Contention;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Sneaky;
import katas.testkit.Watch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: many borrowers at once, from a start gate, with a fence after each call ({@link Contention}), so
 * that two borrowers reach the pool's hand-out together thousands of times. The {@link Ledger} sees a
 * connection lent twice, or one too many in use, the moment it happens.
 */
@DisplayName("ConnectionPool under contention")
@KataTest
class ConnectionPoolStressTest {

    @Test
    @Tag("rule-1")
    @Tag("rule-2")
    @Tag("rule-5")
    @DisplayName("never lends a connection to two borrowers, nor more than it has, while thousands of calls contend")
    void neverLendsTwiceUnderContention(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int size = round.between("connections", 1, 6);
            int threads = round.between("threads", size + 1, 12);
            int calls = round.between("calls each", 500, 2_500);
            double failing = round.oneOf("share of works that throw", 0.0, 0.1, 0.5);
            Ledger ledger = new Ledger(size, round.random());
            ConnectionPool pool = new ConnectionPool(size, ledger);
            long seed = round.random().nextLong();
            AtomicInteger done = new AtomicInteger();
            try (Watch watch = Watch.of("at most " + size + " connections in use, each by one borrower",
                    ledger::broken)) {
                Contention.threads(threads).callsEach(calls).named("borrower").run((thread, call) -> {
                    Random random = new Random(seed + thread * 1_000_003L + call);
                    Throwable failure = random.nextDouble() < failing ? failureOfKind(random.nextInt(3), call) : null;
                    if (random.nextBoolean()) {
                        borrowWithConnection(pool, ledger, failure);
                    } else {
                        borrowLowLevel(pool, ledger);
                    }
                    done.incrementAndGet();
                });
            }
            assertThat(ledger.made()).as("connections a pool of %d made for %d calls (rule 2)", size, done.get())
                    .isLessThanOrEqualTo(size);
            assertThat(ledger.inUse()).as("connections still in use once every call has returned").isZero();
            ConnectionPoolTest.assertHoldsExactly(pool, size, round, "after " + done.get() + " calls from "
                    + threads + " threads, some of whose works threw (rules 1 and 5)");
        });
    }

    @Test
    @Tag("rule-1")
    @DisplayName("never lends a connection to two borrowers when borrowers hand connections in and out as fast as they can")
    void neverLendsTwiceWhenNobodyWaits(Shapes shapes) throws Exception {
        // Few threads, so that the two cores run two of them side by side rather than switch between many.
        // Measured: an unguarded ArrayDeque showed its race in 1 to 3 rounds alone, but a grade beside another JVM
        // on a busy machine missed it in 8 rounds of 2-3 threads: so 12 rounds, and up to 4 threads, whose
        // preemptions inside the hand-out catch it when the cores are not both free (about 1.5 s for a right pool).
        shapes.check(12, round -> {
            int threads = round.between("threads", 2, 4);
            int size = round.between("connections", threads, threads + 2);
            int calls = round.between("calls each", 20_000, 40_000);
            Ledger ledger = new Ledger(size, round.random());
            ConnectionPool pool = new ConnectionPool(size, ledger);
            HandOuts.run(pool, threads, calls);
            assertThat(ledger.made()).as("connections a pool of %d made (rule 2)", size).isLessThanOrEqualTo(size);
            ConnectionPoolTest.assertHoldsExactly(pool, size, round, "after " + threads + " threads borrowed "
                    + calls + " times each, with hardly any wait (rule 1)");
        });
    }

    private static Throwable failureOfKind(int kind, int call) {
        String message = "query " + call + " failed";
        return switch (kind) {
            case 0 -> new IllegalStateException(message);
            case 1 -> new Shapes.KataError(message);
            default -> new java.io.IOException(message);
        };
    }

    private static void borrowWithConnection(ConnectionPool pool, Ledger ledger, Throwable failure) throws Exception {
        try {
            String answer = pool.withConnection(Conductor.LONG, c -> {
                ledger.took(c);
                try {
                    if (failure != null) {
                        throw Sneaky.raise(failure);
                    }
                    return c.execute("select 1");
                } finally {
                    ledger.givingBack(c);
                }
            });
            if (failure != null || answer == null || !answer.endsWith(": select 1")) {
                throw new AssertionError("withConnection returned " + answer + " where the work "
                        + (failure != null ? "threw " + failure : "returned its connection's answer") + " (rule 5)");
            }
        } catch (Throwable thrown) {
            if (failure == null || thrown != failure) {
                throw thrown instanceof AssertionError a ? a : new AssertionError("withConnection threw " + thrown
                        + " where the work " + (failure != null ? "threw " + failure : "returned") + " (rule 5)", thrown);
            }
        }
    }

    private static void borrowLowLevel(ConnectionPool pool, Ledger ledger) throws Exception {
        Connection connection = pool.acquire(Conductor.LONG);
        ledger.took(connection);
        ledger.givingBack(connection);
        pool.release(connection);
    }

    @Test
    @Tag("rule-3")
    @Tag("rule-1")
    @DisplayName("stays the same size while borrowers that time out contend with borrowers that get a connection")
    void staysTheSameSizeWhileBorrowersTimeOut(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            int size = round.between("connections", 1, 4);
            int holders = round.between("threads that hold a connection and time out others", 1, size);
            int others = round.between("threads with a zero or tiny timeout", 2, 8);
            int calls = round.between("calls each", 200, 1_000);
            Ledger ledger = new Ledger(size, round.random());
            ConnectionPool pool = new ConnectionPool(size, ledger);
            AtomicInteger timedOut = new AtomicInteger();
            try (Watch watch = Watch.of("at most " + size + " connections in use, each by one borrower",
                    ledger::broken)) {
                Contention.threads(holders + others).callsEach(calls).named("borrower").run((thread, call) -> {
                    Duration timeout = thread < holders ? Conductor.LONG : Duration.ofNanos((call % 3) * 20_000L);
                    try {
                        Connection connection = pool.acquire(timeout);
                        ledger.took(connection);
                        Thread.yield(); // holds it a moment, so that the others find the pool empty
                        ledger.givingBack(connection);
                        pool.release(connection);
                    } catch (TimeoutException expected) {
                        timedOut.incrementAndGet();
                    }
                });
            }
            assertThat(ledger.inUse()).as("connections still in use once every call has returned").isZero();
            ConnectionPoolTest.assertHoldsExactly(pool, size, round, "after " + timedOut.get() + " acquires timed out"
                    + " among others that got a connection (a timed-out acquire takes nothing and gives nothing back:"
                    + " rule 3)");
        });
    }
}

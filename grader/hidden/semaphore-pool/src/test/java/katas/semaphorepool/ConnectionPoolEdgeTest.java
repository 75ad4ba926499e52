package katas.semaphorepool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import katas.testkit.Contention;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Sneaky;
import katas.testkit.Watch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: the corners of each rule. Large pools and pools of one, timeouts of zero, below zero and of
 * centuries, several waiters and an interrupt among them, a connection given back twice by two threads at
 * once, waiters caught by close(), close() racing with busy borrowers, an interrupted close().
 */
@DisplayName("ConnectionPool, edge cases")
@KataTest
class ConnectionPoolEdgeTest {

    @Nested
    @DisplayName("its connections")
    class ItsConnections {

        @Test
        @Tag("rule-2")
        @DisplayName("makes each connection once and lends all of them, for pools of one to a hundred")
        void makesEachConnectionOnce(Shapes shapes) throws Exception {
            for (int size : List.of(1, shapes.between("connections", 2, 100))) {
                Ledger ledger = new Ledger(size, shapes.random());
                ConnectionPool pool = new ConnectionPool(size, ledger);
                for (int pass = 1; pass <= 2; pass++) {
                    List<Connection> all = ConnectionPoolTest.borrowAll(pool, size);
                    assertThat(ledger.connections()).as("the connections a pool of %d made, pass %d (rule 2)", size, pass)
                            .hasSize(size);
                    for (Connection connection : all) {
                        assertThat(ledger.connections()).as("who made %s (rule 2)", connection)
                                .anyMatch(made -> made == connection);
                    }
                    all.forEach(pool::release);
                }
            }
            int wrong = shapes.oneOf("size of a pool that cannot be", 0, -1, Integer.MIN_VALUE);
            assertThat(catchThrowable(() -> new ConnectionPool(wrong, new Ledger(1, shapes.random()))))
                    .as("a pool of %d connections (rule 2)", wrong).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    @DisplayName("timeouts")
    class Timeouts {

        @Test
        @Tag("rule-3")
        @DisplayName("takes a timeout of zero, below zero or of (minus) centuries: no wait when none is free, none when one is")
        void takesAnyTimeout(Shapes shapes) throws Exception {
            int size = shapes.between("connections", 1, 4);
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            Duration minusCenturies = Duration.ofDays(-shapes.between("days below zero", 107_000, 10_000_000));
            for (Duration timeout : List.of(Duration.ZERO, Duration.ofMillis(-shapes.between("negative ms", 1, 1000)),
                    Duration.ofSeconds(Long.MAX_VALUE), Duration.ofDays(shapes.between("days", 107_000, 10_000_000)),
                    minusCenturies)) {
                Attempt free = Attempt.start("acquire(" + timeout + ") with a connection free", () -> pool.acquire(timeout))
                        .awaitEnded("a connection is free: it must get it (rule 3)");
                assertThat(free.returned()).as("%s %s (rule 3)", free, free.outcome()).isInstanceOf(Connection.class);
                pool.release((Connection) free.returned());
            }
            List<Connection> all = ConnectionPoolTest.borrowAll(pool, size);
            for (Duration timeout : List.of(Duration.ZERO, Duration.ofMillis(-shapes.between("negative ms", 1, 1000)),
                    minusCenturies, Duration.ofSeconds(Long.MIN_VALUE))) {
                Attempt none = Attempt.start("acquire(" + timeout + ") with all " + size + " borrowed",
                        () -> pool.acquire(timeout)).awaitEnded("a timeout of zero or less means: do not wait (rule 3)");
                assertThat(none.thrown()).as("%s %s (rule 3)", none, none.outcome()).isInstanceOf(TimeoutException.class);
            }
            Duration centuries = Duration.ofDays(shapes.between("days of the waiter", 107_000, 10_000_000));
            Attempt waiter = Attempt.start("acquire(" + centuries + ") with all " + size + " borrowed",
                    () -> pool.acquire(centuries)).awaitWaiting("a timeout of centuries means: wait (rule 3)");
            Connection back = all.remove(shapes.between("connection given back to it", 0, size - 1));
            pool.release(back);
            waiter.awaitEnded("a connection came back (rule 3)");
            assertThat(waiter.returned()).as("%s %s (rule 3)", waiter, waiter.outcome()).isSameAs(back);
            all.add(back);
            all.forEach(pool::release);
            ConnectionPoolTest.assertHoldsExactly(pool, size, shapes, "after acquires with timeouts of zero, below zero "
                    + "and centuries");
        }

        @Test
        @Tag("rule-3")
        @Tag("rule-4")
        @DisplayName("lets several waiters time out or be interrupted, and the one still waiting gets the connection")
        void severalWaitersEachEndTheirOwnWay(Shapes shapes) throws Exception {
            int size = shapes.between("connections", 1, 3);
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            List<Connection> borrowed = ConnectionPoolTest.borrowAll(pool, size);
            int interrupted = shapes.between("waiters interrupted", 1, 3);
            List<Attempt> stopped = new ArrayList<>();
            for (int w = 0; w < interrupted; w++) {
                stopped.add(Attempt.start("waiter " + w + " (acquire(60 s), interrupted)", () -> pool.acquire(Conductor.LONG))
                        .awaitWaiting("all are borrowed"));
            }
            Duration timeout = ConnectionPoolTest.shortTimeout(shapes);
            Attempt patient = Attempt.start("the patient waiter (acquire(60 s))", () -> pool.acquire(Conductor.LONG))
                    .awaitWaiting("all are borrowed");
            Attempt impatient = Attempt.start("the impatient waiter (acquire(" + timeout.toMillis() + " ms))",
                    () -> pool.acquire(timeout)).awaitEnded("its timeout must bound the wait (rule 3)");
            assertThat(impatient.thrown()).as("%s %s (rule 3)", impatient, impatient.outcome())
                    .isInstanceOf(TimeoutException.class);
            for (Attempt waiter : stopped) {
                waiter.interrupt();
                waiter.awaitEnded("it was interrupted while it waited (rule 4)");
                assertThat(waiter.thrown()).as("%s %s (rule 4)", waiter, waiter.outcome())
                        .isInstanceOf(InterruptedException.class);
            }
            patient.awaitWaiting("the others gave up, but no connection came back yet (rule 3)");
            Connection back = borrowed.remove(0);
            pool.release(back);
            patient.awaitEnded("a connection came back, and it is the only one still waiting (rules 3 and 4)");
            assertThat(patient.returned()).as("%s %s", patient, patient.outcome()).isSameAs(back);
            pool.release(back);
            borrowed.forEach(pool::release);
            ConnectionPoolTest.assertHoldsExactly(pool, size, shapes, "after " + interrupted + " interrupted waits and a "
                    + "timeout among them (neither takes anything: rules 3 and 4)");
        }
    }

    @Nested
    @DisplayName("giving back")
    class GivingBack {

        @Test
        @Tag("rule-6")
        @DisplayName("lets only one of two threads that give back the same connection at once succeed")
        void onlyOneOfTwoThreadsGivingBackTheSameConnectionSucceeds(Shapes shapes) throws Exception {
            int size = shapes.between("connections", 1, 4);
            int rounds = shapes.between("rounds", 300, 1_200);
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            for (int r = 0; r < rounds; r++) {
                Connection connection = pool.acquire(Conductor.LONG);
                AtomicInteger refused = new AtomicInteger();
                AtomicReference<Throwable> other = new AtomicReference<>();
                Contention.threads(2).named("giving back").run((thread, call) -> {
                    try {
                        pool.release(connection);
                    } catch (IllegalStateException givenBackAlready) {
                        refused.incrementAndGet();
                    } catch (RuntimeException wrong) {
                        other.set(wrong);
                    }
                });
                assertThat(other.get()).as("what release threw, two threads giving back %s at once (rule 6)", connection)
                        .isNull();
                if (refused.get() != 1) {
                    throw new AssertionError("two threads gave back " + connection + " at once and " + (2 - refused.get())
                            + " of the releases were accepted, in round " + (r + 1) + ": exactly one may be, the other "
                            + "throws IllegalStateException (rule 6)");
                }
            }
            ConnectionPoolTest.assertHoldsExactly(pool, size, shapes, "after " + rounds + " connections were given "
                    + "back by two threads at once (rule 6)");
        }

        @Test
        @Tag("rule-6")
        @Tag("rule-5")
        @DisplayName("refuses a connection the work gave back itself, when withConnection gives it back again")
        void refusesAConnectionTheWorkGaveBackItself(Shapes shapes) throws Exception {
            int size = shapes.between("connections", 1, 4);
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            Throwable thrown = catchThrowable(() -> pool.withConnection(Conductor.LONG, c -> {
                pool.release(c);
                return "given back by the work";
            }));
            assertThat(thrown).as("withConnection, whose work gave its connection back itself (rule 6)")
                    .isInstanceOf(IllegalStateException.class);
            ConnectionPoolTest.assertHoldsExactly(pool, size, shapes, "after a work gave its connection back itself "
                    + "and withConnection gave it back again (rule 6)");
        }
    }

    @Nested
    @DisplayName("closing")
    class Closing {

        @Test
        @Tag("rule-7")
        @DisplayName("ends the waits of borrowers caught by close() with IllegalStateException, never with a connection")
        void endsTheWaitsCaughtByClose(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                int size = round.between("connections", 1, 4);
                int waiters = round.between("waiters", 1, 4);
                ConnectionPool pool = new ConnectionPool(size, new Ledger(size, round.random()));
                List<Connection> borrowed = round.shuffled("order given back", ConnectionPoolTest.borrowAll(pool, size));
                List<Attempt> waiting = new ArrayList<>();
                for (int w = 0; w < waiters; w++) {
                    waiting.add(Attempt.start("waiter " + w + " (acquire(60 s) from before close())",
                            () -> pool.acquire(Conductor.LONG)).awaitWaiting("all are borrowed"));
                }
                Attempt closer = Attempt.start("close() while all " + size + " are borrowed and " + waiters + " wait", () -> {
                    pool.close();
                    return "closed";
                }).awaitWaiting("all connections are borrowed, so close() must wait (rule 7)");
                for (int back = 0; back < size; back++) {
                    pool.release(borrowed.get(back));
                }
                closer.awaitEnded("every borrowed connection is back (rule 7)");
                assertThat(closer.thrown()).as("%s %s (rule 7)", closer, closer.outcome()).isNull();
                for (Attempt waiter : waiting) {
                    waiter.awaitEnded("close() has returned: a waiter from before it must end (rule 7)");
                    assertThat(waiter.thrown()).as("%s %s: a pool that is closing lends nothing (rule 7)", waiter,
                            waiter.outcome()).isInstanceOf(IllegalStateException.class);
                }
            });
        }

        @Test
        @Tag("rule-7")
        @DisplayName("lends nothing once close() has returned, while busy borrowers race with it")
        void lendsNothingOnceClosedWhileBorrowersRace(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                int size = round.between("connections", 1, 4);
                int threads = round.between("borrowers", size + 1, 8);
                int before = round.between("borrows before close()", 1, 400);
                Ledger ledger = new Ledger(size, round.random());
                ConnectionPool pool = new ConnectionPool(size, ledger);
                AtomicBoolean closed = new AtomicBoolean();
                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger borrows = new AtomicInteger();
                AtomicReference<String> lateLoan = new AtomicReference<>();
                CountDownLatch enough = new CountDownLatch(1);
                List<Attempt> borrowers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    borrowers.add(Attempt.start("borrower " + t, () -> {
                        while (!stop.get()) { // stop: only when the test failed before the pool refused them
                            pool.withConnection(Conductor.LONG, c -> {
                                ledger.took(c);
                                if (closed.get()) {
                                    lateLoan.compareAndSet(null, c + " was lent after close() had returned");
                                }
                                if (borrows.incrementAndGet() == before) {
                                    enough.countDown();
                                }
                                Thread.yield();
                                ledger.givingBack(c);
                                return c;
                            });
                        }
                        return "stopped by the test";
                    }));
                }
                try (Watch watch = Watch.of().and("no connection lent after close() returned (rule 7)", lateLoan::get)
                        .and("at most " + size + " in use, each by one borrower", ledger::broken).start()) {
                    assertThat(enough.await(Attempt.PATIENCE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS))
                            .as("%d borrowers made %d borrows of the %d expected before close()", threads, borrows.get(),
                                    before).isTrue();
                    Attempt closer = Attempt.start("close() while " + threads + " borrowers are busy", () -> {
                        pool.close();
                        closed.set(true);
                        return "closed";
                    }).awaitEnded("the borrowers give their connections back at once (rule 7)");
                    assertThat(closer.thrown()).as("%s %s (rule 7)", closer, closer.outcome()).isNull();
                    assertThat(ledger.inUse()).as("connections in use when close() returned (rule 7)").isZero();
                    for (Attempt borrower : borrowers) {
                        borrower.awaitEnded("the pool is closed: every further withConnection must be refused (rule 7)");
                        assertThat(borrower.thrown()).as("%s, which borrowed until the pool refused, %s (rule 7)",
                                borrower, borrower.outcome()).isInstanceOf(IllegalStateException.class);
                    }
                } finally {
                    stop.set(true);
                }
            });
        }

        @Test
        @Tag("rule-7")
        @DisplayName("stays closed when close() is interrupted, and a second close() waits for what is still borrowed")
        void staysClosedWhenCloseIsInterrupted(Shapes shapes) throws Exception {
            int size = shapes.between("connections", 1, 4);
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            List<Connection> borrowed = ConnectionPoolTest.borrowAll(pool, size);
            Attempt first = Attempt.start("close() while all " + size + " are borrowed", () -> {
                pool.close();
                return "closed";
            }).awaitWaiting("all are borrowed (rule 7)");
            first.interrupt();
            first.awaitEnded("close() was interrupted while it waited");
            assertThat(first.thrown()).as("%s, interrupted, %s (rule 7)", first, first.outcome())
                    .isInstanceOf(InterruptedException.class);
            assertThat(catchThrowable(() -> pool.acquire(Conductor.LONG)))
                    .as("acquire after an interrupted close() (rule 7)").isInstanceOf(IllegalStateException.class);
            Attempt second = Attempt.start("close() a second time, all still borrowed", () -> {
                pool.close();
                return "closed";
            }).awaitWaiting("all are still borrowed (rule 7)");
            Set<Connection> back = new HashSet<>();
            for (Connection connection : borrowed) {
                second.awaitWaiting(back.size() + " of " + size + " are back (rule 7)");
                pool.release(connection);
                back.add(connection);
            }
            second.awaitEnded("every connection is back (rule 7)");
            assertThat(second.thrown()).as("%s %s (rule 7)", second, second.outcome()).isNull();
            Throwable thrown = catchThrowable(() -> pool.withConnection(Conductor.LONG, c -> {
                throw Sneaky.raise(new AssertionError("the work ran on a closed pool"));
            }));
            assertThat(thrown).as("withConnection on a closed pool (rule 7)").isInstanceOf(IllegalStateException.class);
        }
    }
}

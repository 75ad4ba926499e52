package katas.semaphorepool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Sneaky;
import katas.testkit.Watch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The visible tests of semaphore-pool, one or more per rule of the README. Borrowers run on threads of their
 * own ({@link Attempt}, {@link Conductor}); the test sees them wait by their parked threads, never by a clock,
 * and a {@link Ledger} counts what they hold while they hold it.
 */
@DisplayName("ConnectionPool")
@KataTest
class ConnectionPoolTest {

    /** A timeout for calls that must give up: short, since a right pool waits it out in full. */
    static Duration shortTimeout(Shapes shapes) {
        return Duration.ofMillis(shapes.between("short timeout (ms)", 5, 40));
    }

    @Nested
    @DisplayName("lending")
    class Lending {

        @Test
        @Tag("rule-1")
        @Tag("rule-2")
        @DisplayName("lets at most 3 of 10 threads hold a connection at once, and each of them gets one")
        void letsAtMostThreeOfTenThreadsInAtOnce(Shapes shapes) throws Exception {
            Ledger ledger = new Ledger(3, shapes.random());
            ConnectionPool pool = new ConnectionPool(3, ledger);
            try (Watch watch = Watch.of("at most 3 connections in use, each by one borrower", ledger::broken)) {
                List<Object> results = new Conductor(pool, ledger, false).run(10);
                for (int b = 0; b < 10; b++) {
                    assertThat(String.valueOf(results.get(b))).as("what borrower %d's work returned", b)
                            .endsWith(": select " + b);
                }
            }
            assertThat(ledger.made()).as("connections the factory made for a pool of 3 (rule 2)").isLessThanOrEqualTo(3);
            assertThat(ledger.most()).as("borrowers that held a connection at once").isEqualTo(3);
        }

        @Test
        @Tag("rule-1")
        @Tag("rule-2")
        @DisplayName("lends every connection of a pool of any size, to one borrower at a time, with acquire and release")
        void lendsEveryConnectionOneBorrowerAtATime(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                int size = round.between("connections", 1, 6);
                int borrowers = round.between("borrowers", size + 1, size * 3 + 1);
                Ledger ledger = new Ledger(size, round.random());
                ConnectionPool pool = new ConnectionPool(size, ledger);
                try (Watch watch = Watch.of("at most " + size + " connections in use, each by one borrower",
                        ledger::broken)) {
                    new Conductor(pool, ledger, round.chance("acquire and release, not withConnection", 0.5))
                            .run(borrowers);
                }
                assertThat(ledger.made()).as("connections the factory made for a pool of %d (rule 2)", size)
                        .isLessThanOrEqualTo(size);
                assertThat(ledger.most()).as("borrowers that held a connection at once, pool of %d", size)
                        .isEqualTo(size);
            });
        }
    }

    @Nested
    @DisplayName("under contention")
    class UnderContention {

        @Test
        @Tag("rule-1")
        @DisplayName("never lends a connection to two threads that borrow and give back as fast as they can")
        void neverLendsOneConnectionToTwoThreads(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                int threads = round.between("threads", 2, 3);
                int size = round.between("connections", threads, threads + 1);
                int calls = round.between("calls each", 20_000, 30_000);
                Ledger ledger = new Ledger(size, round.random());
                ConnectionPool pool = new ConnectionPool(size, ledger);
                HandOuts.run(pool, threads, calls);
                assertThat(ledger.made()).as("connections a pool of %d made (rule 2)", size).isLessThanOrEqualTo(size);
                assertHoldsExactly(pool, size, round, "after " + threads + " threads borrowed " + calls
                        + " times each (rule 1)");
            });
        }
    }

    @Nested
    @DisplayName("timeouts")
    class Timeouts {

        @Test
        @Tag("rule-3")
        @DisplayName("gives up after the timeout when every connection is borrowed, and takes nothing")
        void givesUpAfterTheTimeoutAndTakesNothing(Shapes shapes) throws Exception {
            int size = shapes.between("connections", 1, 5);
            Ledger ledger = new Ledger(size, shapes.random());
            ConnectionPool pool = new ConnectionPool(size, ledger);
            List<Connection> borrowed = borrowAll(pool, size);
            Duration timeout = shortTimeout(shapes);
            Attempt late = Attempt.start("acquire(" + timeout.toMillis() + " ms) while all " + size + " are borrowed",
                    () -> pool.acquire(timeout)).awaitEnded("its timeout must bound the wait (rule 3)");
            assertThat(late.thrown()).as("%s %s (rule 3)", late, late.outcome()).isInstanceOf(TimeoutException.class);
            AtomicBoolean ran = new AtomicBoolean();
            Throwable thrown = catchThrowable(() -> pool.withConnection(timeout, c -> ran.getAndSet(true)));
            assertThat(thrown).as("withConnection(%d ms) while all %d are borrowed (rule 3)", timeout.toMillis(), size)
                    .isInstanceOf(TimeoutException.class);
            assertThat(ran).as("the work of a withConnection that got no connection ran").isFalse();
            borrowed.forEach(pool::release);
            assertHoldsExactly(pool, size, shapes, "after " + size + " connections came back from borrowers and "
                    + "two calls timed out (a timed-out call takes nothing and gives nothing back: rule 3)");
            // Borrowers that wait, unlike this thread, queue up behind anything a timed-out call left waiting.
            new Conductor(pool, ledger, false).run(size + 1);
            assertThat(ledger.most()).as("borrowers that held a connection at once after two calls timed out, pool of "
                    + "%d (a timed-out call must not go on waiting and take a connection later: rule 3)", size)
                    .isEqualTo(size);
        }

        @Test
        @Tag("rule-3")
        @DisplayName("waits for a connection that comes back before the timeout, and gets that one")
        void waitsForAConnectionThatComesBack(Shapes shapes) throws Exception {
            int size = shapes.between("connections", 1, 5);
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            List<Connection> borrowed = borrowAll(pool, size);
            Attempt waiter = Attempt.start("acquire(60 s) while all " + size + " are borrowed",
                    () -> pool.acquire(Conductor.LONG)).awaitWaiting("all are borrowed, so it must wait (rule 3)");
            Connection back = borrowed.remove(shapes.between("connection given back", 0, size - 1));
            pool.release(back);
            waiter.awaitEnded("a connection came back long before its timeout (rule 3)");
            assertThat(waiter.returned()).as("what %s got, once %s came back (it %s)", waiter, back, waiter.outcome())
                    .isSameAs(back);
        }
    }

    @Nested
    @DisplayName("interrupts")
    class Interrupts {

        @Test
        @Tag("rule-4")
        @DisplayName("ends a wait that is interrupted with InterruptedException, and takes nothing")
        void endsAnInterruptedWait(Shapes shapes) throws Exception {
            int size = shapes.between("connections", 1, 5);
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            List<Connection> borrowed = borrowAll(pool, size);
            Attempt waiter = Attempt.start("acquire(60 s) while all " + size + " are borrowed",
                    () -> pool.acquire(Conductor.LONG)).awaitWaiting("all are borrowed, so it must wait");
            waiter.interrupt();
            waiter.awaitEnded("it was interrupted while it waited: it must stop waiting (rule 4)");
            assertThat(waiter.thrown()).as("%s was interrupted and %s (rule 4)", waiter, waiter.outcome())
                    .isInstanceOf(InterruptedException.class);
            borrowed.forEach(pool::release);
            assertHoldsExactly(pool, size, shapes, "after an interrupted acquire (it takes nothing: rule 4)");
        }
    }

    @Nested
    @DisplayName("withConnection")
    class WithConnection {

        @Test
        @Tag("rule-5")
        @DisplayName("gives the connection back and rethrows as it is whatever the work throws, many times over")
        void givesTheConnectionBackWhateverTheWorkThrows(Shapes shapes) throws Exception {
            int size = shapes.between("connections", 1, 4);
            Ledger ledger = new Ledger(size, shapes.random());
            ConnectionPool pool = new ConnectionPool(size, ledger);
            int calls = shapes.between("failing calls of each kind", size + 1, size * 2 + 2);
            for (int kind = 0; kind < Shapes.FAILURE_KINDS; kind++) {
                for (int call = 0; call < calls; call++) {
                    Throwable failure = shapes.failure("failure " + kind, "the query failed, call " + call, kind);
                    Throwable thrown = catchThrowable(() -> pool.withConnection(Conductor.LONG, c -> {
                        throw Sneaky.raise(failure);
                    }));
                    assertThat(thrown).as("what withConnection threw when the work threw %s (rule 5)", failure)
                            .isSameAs(failure);
                }
            }
            String answer = pool.withConnection(Conductor.LONG, c -> c.execute("select 1"));
            assertThat(answer).as("what withConnection returned: what the work returned (rule 5)").endsWith(": select 1");
            assertHoldsExactly(pool, size, shapes, "after " + calls * Shapes.FAILURE_KINDS + " calls whose work threw"
                    + " (each must give its connection back: rule 5)");
        }
    }

    @Nested
    @DisplayName("giving back")
    class GivingBack {

        @Test
        @Tag("rule-6")
        @DisplayName("refuses a connection given back twice, null or from elsewhere, and does not grow")
        void refusesConnectionsThatAreNotBorrowed(Shapes shapes) throws Exception {
            int size = shapes.between("connections", 1, 5);
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            ConnectionPool other = new ConnectionPool(1, new Ledger(1, shapes.random()));
            Connection foreign = other.acquire(Conductor.LONG);
            assertThat(catchThrowable(() -> pool.release(foreign)))
                    .as("release of another pool's connection (rule 6)").isInstanceOf(IllegalArgumentException.class);
            assertThat(catchThrowable(() -> pool.release(new Probe("made by hand"))))
                    .as("release of a connection no pool made (rule 6)").isInstanceOf(IllegalArgumentException.class);
            assertThat(catchThrowable(() -> pool.release(null)))
                    .as("release(null) (rule 6)").isInstanceOf(IllegalArgumentException.class);
            int twice = shapes.between("connections given back twice", 1, size);
            List<Connection> borrowed = borrowAll(pool, size);
            for (Connection connection : borrowed.subList(0, twice)) {
                pool.release(connection);
                assertThat(catchThrowable(() -> pool.release(connection)))
                        .as("release of %s a second time (rule 6)", connection).isInstanceOf(IllegalStateException.class);
            }
            borrowed.subList(twice, size).forEach(pool::release);
            assertHoldsExactly(pool, size, shapes, "after " + twice + " connections were given back twice, one from "
                    + "another pool, one made by hand, and null (none of them may grow the pool: rule 6)");
        }
    }

    @Nested
    @DisplayName("closing")
    class Closing {

        @Test
        @Tag("rule-7")
        @DisplayName("closes at once when nothing is borrowed, then refuses to lend, and closes again")
        void closesAtOnceWhenNothingIsBorrowed(Shapes shapes) throws Exception {
            int size = shapes.between("connections", 1, 5);
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            pool.release(pool.acquire(Conductor.LONG));
            Attempt.start("close() with nothing borrowed", () -> {
                pool.close();
                return "closed";
            }).awaitEnded("nothing is borrowed, so there is nothing to wait for (rule 7)");
            assertThat(catchThrowable(() -> pool.acquire(Conductor.LONG)))
                    .as("acquire on a closed pool (rule 7)").isInstanceOf(IllegalStateException.class);
            Attempt again = Attempt.start("close() a second time", () -> {
                pool.close();
                return "closed";
            }).awaitEnded("the pool is closed already and nothing is borrowed (rule 7)");
            assertThat(again.thrown()).as("close() a second time (rule 7)").isNull();
        }

        @Test
        @Tag("rule-7")
        @DisplayName("waits until every borrowed connection is back, and refuses new borrowers meanwhile")
        void waitsForEveryBorrowedConnection(Shapes shapes) throws Exception {
            // The first round keeps two or more borrowed: a close() that waits for only one connection returns early
            // only then (with one kept, waiting for one is waiting for all), so no grade may draw only ones.
            java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
            shapes.check(2, round -> {
                boolean several = first.getAndSet(false);
                int size = round.between("connections", several ? 2 : 1, 5);
                int kept = round.between("borrowed when close() begins", several ? 2 : 1, size);
                ConnectionPool pool = new ConnectionPool(size, new Ledger(size, round.random()));
                List<Connection> order = round.shuffled("order of the connections", borrowAll(pool, size));
                order.subList(kept, size).forEach(pool::release);
                List<Connection> borrowed = order.subList(0, kept);
                Attempt closer = Attempt.start("close() while " + kept + " of " + size + " connections are borrowed",
                        () -> {
                            pool.close();
                            return "closed";
                        }).awaitWaiting("a borrowed connection is not back yet, so close() must wait for it (rule 7)");
                Attempt newcomer = Attempt.start("acquire(60 s) while close() waits", () -> pool.acquire(Conductor.LONG))
                        .awaitEnded("a closing pool refuses new borrowers at once (rule 7)");
                assertThat(newcomer.thrown()).as("%s %s (rule 7)", newcomer, newcomer.outcome())
                        .isInstanceOf(IllegalStateException.class);
                for (int back = 1; back < kept; back++) {
                    pool.release(borrowed.get(back - 1));
                    closer.awaitWaiting(back + " of the " + kept + " borrowed connections are back, not all: close() "
                            + "must go on waiting (rule 7)");
                }
                closer.awaitStillWaiting("one borrowed connection is not back yet: close() must not return (rule 7)");
                pool.release(borrowed.get(kept - 1));
                closer.awaitEnded("every borrowed connection is back, so close() has nothing left to wait for (rule 7)");
                assertThat(closer.thrown()).as("%s %s (rule 7)", closer, closer.outcome()).isNull();
                assertThat(catchThrowable(() -> pool.acquire(Conductor.LONG)))
                        .as("acquire on a closed pool (rule 7)").isInstanceOf(IllegalStateException.class);
            });
        }
    }

    /** Borrows every connection of the pool on this thread, checking that each borrower gets its own. */
    static List<Connection> borrowAll(ConnectionPool pool, int size) throws Exception {
        return borrowAll(pool, size, Conductor.LONG);
    }

    /** Borrows every connection of the pool on this thread, each acquire waiting at most {@code timeout}. */
    static List<Connection> borrowAll(ConnectionPool pool, int size, Duration timeout) throws Exception {
        List<Connection> borrowed = new ArrayList<>();
        Set<Connection> distinct = new HashSet<>();
        for (int i = 0; i < size; i++) {
            Connection connection = pool.acquire(timeout);
            assertThat(connection).as("acquire number %d of a pool of %d, none given back (rules 1 and 2)", i + 1, size)
                    .isNotNull();
            assertThat(distinct.add(connection)).as("acquire number %d of a pool of %d gave %s, which a borrower still "
                    + "holds (rule 1)", i + 1, size, connection).isTrue();
            borrowed.add(connection);
        }
        return borrowed;
    }

    /**
     * The pool still lends exactly {@code size} connections at once, no fewer (none lost) and no more (none
     * counted twice): all of them borrowed, the next acquire times out.
     */
    static void assertHoldsExactly(ConnectionPool pool, int size, Shapes shapes, String after) throws Exception {
        List<Connection> borrowed;
        try {
            // A right pool lends them at once; the bound only keeps a pool that lost one from hanging the test.
            borrowed = borrowAll(pool, size, Attempt.PATIENCE);
        } catch (TimeoutException lost) {
            throw new AssertionError("a pool of " + size + " could not lend all " + size + " connections " + after
                    + ": a connection was lost to the pool", lost);
        }
        Duration timeout = shortTimeout(shapes);
        Attempt extra = Attempt.start("acquire number " + (size + 1) + " of a pool of " + size,
                () -> pool.acquire(timeout)).awaitEnded("its timeout must bound the wait (rule 3)");
        if (!(extra.thrown() instanceof TimeoutException)) {
            throw new AssertionError(extra + " " + extra.outcome() + " " + after + ": with all " + size
                    + " borrowed it must time out; the pool grew", extra.thrown());
        }
        borrowed.forEach(pool::release);
    }
}

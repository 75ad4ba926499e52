package katas.semaphorepool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import katas.testkit.Contention;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Sneaky;
import katas.testkit.ThreadWaits;
import katas.testkit.Watch;
import org.awaitility.core.ConditionTimeoutException;
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

        @Test
        @Tag("rule-1")
        @Tag("rule-2")
        @Tag("rule-3")
        @DisplayName("keeps its size when the factory fails: the failure reaches whoever asked, and all connections are "
                + "lent at once afterwards")
        void keepsItsSizeWhenTheFactoryFails(Shapes shapes) throws Exception {
            // Red team P: a pool that made its connections lazily kept the borrower's permit when the factory threw,
            // so each failed make shrank the pool for good (a pool of 2 after two failures lent nothing at all). The
            // factory here fails on drawn calls, the first of them among the first `size` (whether the pool makes
            // its connections in the constructor or when first needed, that call happens), with drawn kinds.
            int size = shapes.between("connections", 1, 4);
            int failures = shapes.between("failures of the factory", 1, 3);
            java.util.Map<Integer, Throwable> failing = new java.util.TreeMap<>();
            int first = shapes.between("the factory's first failing call", 1, size);
            failing.put(first, null);
            while (failing.size() < failures) {
                failing.put(shapes.between("another failing call of the factory", first + 1, size + failures), null);
            }
            // Red team Q: a lazy pool gave the permit back for a RuntimeException or an Error only. One failure is a
            // Throwable that is neither (only a catch of Throwable sees it), the others of any kind, checked ones too.
            // It is one of the first `size` calls, which every pool makes, eager or lazy: a later one may never come
            // (a lazy pool that has made its `size` connections asks no more), and a bare Throwable drawn there was
            // never thrown, so the pool only met kinds it caught (CI, seed 159559550187530).
            List<Integer> failingCalls = List.copyOf(failing.keySet());
            List<Integer> surelyMade = failingCalls.stream().filter(call -> call <= size).toList();
            int bare = surelyMade.get(shapes.between("which of the first calls' failures is a bare Throwable", 0,
                    surelyMade.size() - 1));
            for (Integer call : failingCalls) {
                failing.put(call, shapes.failure("what call " + call + " of the factory throws", "the database is "
                        + "restarting (call " + call + ")", call == bare ? 3 : shapes.between("kind of call " + call
                        + "'s failure (0: a RuntimeException, 1: an Error, 2: a checked exception, 3: a Throwable "
                        + "that is neither)", 0, 3)));
            }
            AtomicInteger calls = new AtomicInteger();
            List<Connection> made = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.function.Supplier<Connection> factory = () -> {
                int call = calls.incrementAndGet();
                Throwable failure = failing.get(call);
                if (failure != null) {
                    throw Sneaky.raise(failure);
                }
                Connection connection = new Probe("db-" + call);
                made.add(connection);
                return connection;
            };
            List<String> seen = new ArrayList<>();
            ConnectionPool pool = null;
            while (pool == null) {
                try {
                    pool = new ConnectionPool(size, factory);
                } catch (Throwable thrown) {
                    assertThat(fromTheFactory(thrown, failing)).as("a pool of %d whose factory threw %s: the "
                            + "constructor threw %s; a factory's failure reaches whoever asked for the connection, "
                            + "as it is, not wrapped (rule 2)", size, failing.values(), thrown).isTrue();
                    seen.add("the constructor threw " + thrown);
                    assertThat(seen).as("constructors of a pool of %d that threw, with %d failures of the factory",
                            size, failures).hasSizeLessThanOrEqualTo(failures);
                }
            }
            Duration timeout = Duration.ofMillis(shapes.between("timeout of each acquire (ms)", 0, 200));
            int tries = shapes.between("withConnection calls first", 0, 2);
            for (int t = 1; t <= tries; t++) {
                try {
                    pool.withConnection(timeout, c -> c);
                } catch (TimeoutException lost) {
                    throw new AssertionError("withConnection(" + timeout + ") on a pool of " + size + " with nothing "
                            + "borrowed timed out after " + seen + ": a make that failed keeps no permit; the pool "
                            + "keeps its size (rules 1 and 3)", lost);
                } catch (Throwable thrown) {
                    assertThat(fromTheFactory(thrown, failing)).as("withConnection on a pool of %d with nothing "
                            + "borrowed threw %s; the factory threw %s, which reaches the borrower as it is (rule 2)",
                            size, thrown, failing.values()).isTrue();
                    seen.add("withConnection threw " + thrown);
                }
            }
            List<Connection> borrowed = new ArrayList<>();
            for (int asks = 1; borrowed.size() < size; asks++) {
                assertThat(asks).as("acquires needed to borrow all %d connections of a pool whose factory failed %d "
                        + "times: %s", size, failures, seen).isLessThanOrEqualTo(size + failures);
                try {
                    Connection connection = pool.acquire(timeout);
                    assertThat(borrowed).as("acquire gave %s, which a borrower still holds (rule 1)", connection)
                            .noneMatch(held -> held == connection);
                    assertThat(made).as("who made %s (rule 2)", connection).anyMatch(m -> m == connection);
                    borrowed.add(connection);
                } catch (TimeoutException lost) {
                    throw new AssertionError("acquire(" + timeout + ") timed out with " + borrowed.size() + " of "
                            + size + " connections borrowed, after " + seen + ": a connection the factory failed to "
                            + "make must not keep its place (its permit): the failure reaches the borrower who asked, "
                            + "and the pool keeps its size; while fewer than " + size + " are borrowed, a borrower "
                            + "does not wait (rules 1 and 3)", lost);
                } catch (Throwable thrown) {
                    assertThat(fromTheFactory(thrown, failing)).as("acquire number %d of a pool of %d, %d borrowed, "
                            + "threw %s; the factory threw %s, which reaches the borrower as it is (rule 2)", asks, size,
                            borrowed.size(), thrown, failing.values()).isTrue();
                    seen.add("acquire threw " + thrown);
                }
            }
            borrowed.forEach(pool::release);
            ConnectionPoolTest.assertHoldsExactly(pool, size, shapes, "after the factory failed (" + seen + ")");
            pool.close();
        }

        /**
         * Whether {@code thrown} is one of the factory's failures, as it is (rule 2): red team Q's constructor wrapped
         * it in an IllegalStateException, so a caller that catches its driver's exception, or an Error, missed it.
         */
        private static boolean fromTheFactory(Throwable thrown, java.util.Map<Integer, Throwable> failing) {
            return failing.values().stream().anyMatch(f -> f == thrown);
        }
    }

    @Nested
    @DisplayName("timeouts")
    class Timeouts {

        /**
         * A borrow with a timeout, by {@code acquire} (the connection stays borrowed) or by {@code withConnection}
         * (the work returns its connection, already back when the call returns). Every timeout shape is tried both
         * ways: red team J's withConnection waited {@code timeout.toMillis()} ms, where only acquire saw timeouts
         * under a millisecond and of centuries.
         */
        enum Borrow {
            ACQUIRE, WITH_CONNECTION;

            Object call(ConnectionPool pool, Duration timeout, AtomicReference<String> workRan) throws Exception {
                return switch (this) {
                    case ACQUIRE -> pool.acquire(timeout);
                    case WITH_CONNECTION -> pool.withConnection(timeout, c -> {
                        workRan.set("the work ran with " + c);
                        return c;
                    });
                };
            }

            boolean keeps() {
                return this == ACQUIRE;
            }

            String name(Duration timeout) {
                return (this == ACQUIRE ? "acquire(" : "withConnection(") + timeout + (this == ACQUIRE ? ")" : ", work)");
            }
        }

        @Test
        @Tag("rule-3")
        @Tag("rule-5")
        @DisplayName("takes a timeout of zero, below zero, under a millisecond or of (minus) centuries, in acquire and in "
                + "withConnection: no wait when none is free, none when one is")
        void takesAnyTimeout(Shapes shapes) throws Exception {
            int size = shapes.between("connections", 1, 4);
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            Duration minusCenturies = Duration.ofDays(-shapes.between("days below zero", 107_000, 10_000_000));
            Duration underAMilli = Duration.ofNanos(shapes.between("timeout under a millisecond (ns)", 100_000, 999_999));
            for (Borrow borrow : shapes.shuffled("order of acquire and withConnection", List.of(Borrow.values()))) {
                for (Duration timeout : List.of(Duration.ZERO, Duration.ofMillis(-shapes.between("negative ms", 1, 1000)),
                        underAMilli, Duration.ofSeconds(Long.MAX_VALUE),
                        Duration.ofDays(shapes.between("days", 107_000, 10_000_000)), minusCenturies)) {
                    AtomicReference<String> workRan = new AtomicReference<>();
                    Attempt free = Attempt.start(borrow.name(timeout) + " with a connection free",
                            () -> borrow.call(pool, timeout, workRan))
                            .awaitEnded("a connection is free: it must get it (rule 3)");
                    assertThat(free.returned()).as("%s %s (rule 3)", free, free.outcome()).isInstanceOf(Connection.class);
                    if (borrow.keeps()) {
                        pool.release((Connection) free.returned());
                    }
                }
                List<Connection> all = ConnectionPoolTest.borrowAll(pool, size);
                for (Duration timeout : List.of(Duration.ZERO, Duration.ofMillis(-shapes.between("negative ms", 1, 1000)),
                        underAMilli, underAMilli, underAMilli, minusCenturies, Duration.ofSeconds(Long.MIN_VALUE))) {
                    // under a millisecond three times: a call that gives up at once but is preempted for longer than
                    // the timeout would look as if it had waited
                    AtomicReference<String> workRan = new AtomicReference<>();
                    AtomicLong took = new AtomicLong();
                    Attempt none = Attempt.start(borrow.name(timeout) + " with all " + size + " borrowed", () -> {
                        long start = System.nanoTime();
                        try {
                            return borrow.call(pool, timeout, workRan);
                        } finally {
                            took.set(System.nanoTime() - start);
                        }
                    }).awaitEnded("a timeout of zero or less means: do not wait; one under a millisecond is a short "
                            + "wait (rule 3)");
                    assertThat(none.thrown()).as("%s %s (rule 3)", none, none.outcome()).isInstanceOf(TimeoutException.class);
                    assertThat(workRan.get()).as("%s, timed out: its work must not run (rule 3)", none).isNull();
                    if (timeout == underAMilli && took.get() < underAMilli.toNanos()) {
                        throw new AssertionError(none + " gave up after " + took.get() / 1_000 + " microseconds, before "
                                + "its timeout of " + underAMilli.toNanos() / 1_000 + " microseconds: a timeout under a "
                                + "millisecond is a wait too, not \"do not wait\" (rule 3; Duration.toMillis() rounds it "
                                + "down to 0: wait in nanoseconds)", none.thrown());
                    }
                }
                Duration centuries = Duration.ofDays(shapes.between("days of the waiter", 107_000, 10_000_000));
                Attempt waiter = Attempt.start(borrow.name(centuries) + " with all " + size + " borrowed",
                        () -> borrow.call(pool, centuries, new AtomicReference<>()))
                        .awaitWaiting("a timeout of centuries means: wait (rule 3)");
                Connection back = all.remove(shapes.between("connection given back to it", 0, size - 1));
                pool.release(back);
                waiter.awaitEnded("a connection came back (rule 3)");
                assertThat(waiter.returned()).as("%s %s (rule 3)", waiter, waiter.outcome()).isSameAs(back);
                if (borrow.keeps()) {
                    all.add(back);
                }
                all.forEach(pool::release);
            }
            ConnectionPoolTest.assertHoldsExactly(pool, size, shapes, "after acquires and withConnection calls with "
                    + "timeouts of zero, below zero, under a millisecond and of centuries");
        }

        @Test
        @Tag("rule-1")
        @Tag("rule-3")
        @DisplayName("gives a connection that comes back as one waiter's timeout ends to it or to the next waiter, never "
                + "to nobody")
        void aConnectionThatComesBackAsATimeoutEndsIsNotLost(Shapes shapes) throws Exception {
            // Red team J: a lock and a Condition whose acquire looks at awaitNanos' result before the idle list. A
            // waiter signalled before its deadline that gets the lock back after it throws TimeoutException, and the
            // signal dies with it: the connection sits idle while the next waiter, with 60 s left, goes on waiting.
            // Each try gives a connection back before the first waiter's deadline from inside the pool's call (while
            // it tells why it refuses a stranger, when it holds a reentrant lock of the test's thread meanwhile), and
            // keeps the pool's lock until that deadline has passed; otherwise from the test's thread, close to the
            // deadline. Then one of the two waiters must get the connection: a right pool hands it to one of them at
            // once, however late either runs.
            int size = shapes.between("connections", 1, 3);
            // A try shows the lost wakeup when the connection came back from inside the pool's call before the first
            // waiter's deadline: two such tries, of at most ten (a try the busy machine made late is tried again).
            int tries = 10;
            int enough = 2;
            Duration timeout = Duration.ofMillis(shapes.between("timeout of the first waiter (ms)", 60, 120));
            java.util.Random random = shapes.random();
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            List<Connection> all = ConnectionPoolTest.borrowAll(pool, size);
            // The first try's waiter once timed out while the classes it needed were loaded: load them first.
            assertThat(catchThrowable(() -> pool.acquire(Duration.ofNanos(1)))).as("acquire(1 ns) with all %d borrowed "
                    + "(rule 3)", size).isInstanceOf(TimeoutException.class);
            assertThat(mayCallBackInto(pool)).as("a call into the pool from a helper thread, while nobody calls it")
                    .isTrue();
            int shown = 0;
            for (int t = 1; t <= tries && shown < enough; t++) {
                AtomicLong started = new AtomicLong();
                Attempt first = Attempt.start("the first waiter (acquire(" + timeout.toMillis() + " ms)), try " + t, () -> {
                    started.set(System.nanoTime());
                    return pool.acquire(timeout);
                });
                org.awaitility.Awaitility.await().atMost(Attempt.PATIENCE).pollInterval(Duration.ofNanos(200_000))
                        .until(() -> first.ended() || first.isWaiting());
                if (first.ended()) { // it timed out before the test saw it wait (a busy machine): nothing to see
                    assertThat(first.thrown()).as("%s %s with all %d borrowed (rule 3)", first, first.outcome(), size)
                            .isInstanceOf(TimeoutException.class);
                    continue;
                }
                Attempt next = Attempt.start("the next waiter (acquire(60 s)), try " + t, () -> pool.acquire(Conductor.LONG))
                        .awaitWaiting("all are borrowed");
                long deadline = started.get() + timeout.toNanos();
                Connection back = all.remove(all.size() - 1);
                AtomicBoolean armed = new AtomicBoolean(true);
                AtomicBoolean inTime = new AtomicBoolean();
                Connection stranger = new Connection() {
                    @Override
                    public String execute(String statement) {
                        return "a stranger: " + statement;
                    }

                    @Override
                    public String toString() {
                        if (armed.get() && mayCallBackInto(pool) && armed.getAndSet(false)) {
                            inTime.set(System.nanoTime() < deadline);
                            pool.release(back);
                            long past; // the pool's lock is held here until the first waiter's deadline has passed
                            while ((past = deadline + 3_000_000L - System.nanoTime()) > 0) {
                                java.util.concurrent.locks.LockSupport.parkNanos(past);
                            }
                        }
                        return "a connection of another pool";
                    }
                };
                assertThat(catchThrowable(() -> pool.release(stranger)))
                        .as("release of a connection of another pool (rule 6)")
                        .isInstanceOf(IllegalArgumentException.class);
                if (armed.getAndSet(false)) { // the pool did not call back in: give it back from here
                    long giveBackAt = deadline + (random.nextInt(401) - 200) * 1_000L;
                    long sleep = (giveBackAt - System.nanoTime()) / 1_000_000 - 1;
                    if (sleep > 0) {
                        Thread.sleep(sleep);
                    }
                    while (System.nanoTime() < giveBackAt) {
                        Thread.onSpinWait();
                    }
                    pool.release(back);
                }
                first.awaitEnded("its timeout bounds the wait (rule 3)");
                if (first.returned() instanceof Connection got) {
                    assertThat(got).as("what %s got (rule 1)", first).isSameAs(back);
                    pool.release(got);
                } else {
                    assertThat(first.thrown()).as("%s %s (rule 3)", first, first.outcome())
                            .isInstanceOf(TimeoutException.class);
                }
                if (!next.ended()) {
                    try {
                        org.awaitility.Awaitility.await().atMost(Attempt.PATIENCE).pollInterval(Duration.ofMillis(1))
                                .until(next::ended);
                    } catch (ConditionTimeoutException stillWaiting) {
                        next.interrupt();
                        throw new AssertionError(next + " was still waiting " + Attempt.PATIENCE.toSeconds() + " s after "
                                + back + " came back, though " + first + " " + first.outcome() + " and nobody else "
                                + "borrowed it: the connection sat idle while a borrower waited (rule 1). A waiter woken "
                                + "for a connection at the end of its timeout takes it, or passes the wakeup on: look at "
                                + "the idle connections before the time that is left (rules 1 and 3)");
                    }
                }
                assertThat(next.returned()).as("%s %s (rules 1 and 3)", next, next.outcome()).isSameAs(back);
                all.add(back);
                if (inTime.get()) {
                    shown++;
                }
            }
            all.forEach(pool::release);
            ConnectionPoolTest.assertHoldsExactly(pool, size, shapes, "after connections came back as a "
                    + "waiter's timeout ended");
        }

        @Test
        @Tag("rule-3")
        @Tag("rule-4")
        @DisplayName("lets several waiters time out or be interrupted, whatever their timeouts, and the one still "
                + "waiting gets the connection")
        void severalWaitersEachEndTheirOwnWay(Shapes shapes) throws Exception {
            // Red team K: a timeout of centuries waited with acquireUninterruptibly(), and every interrupted waiter
            // here waited 60 s. Now one waiter of each size of timeout is interrupted, from seconds to the longest a
            // Duration holds, each in acquire or withConnection (drawn), in a drawn order.
            int size = shapes.between("connections", 1, 3);
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            List<Connection> borrowed = ConnectionPoolTest.borrowAll(pool, size);
            List<Duration> timeouts = timeoutsOfEverySize(shapes);
            int interrupted = timeouts.size();
            List<Attempt> stopped = new ArrayList<>();
            for (int w = 0; w < interrupted; w++) {
                Duration timeout = timeouts.get(w);
                Borrow borrow = shapes.oneOf("interrupted waiter " + w + " borrows with", Borrow.values());
                stopped.add(Attempt.start("waiter " + w + " (" + borrow.name(timeout) + ", interrupted)",
                        () -> borrow.call(pool, timeout, new AtomicReference<>()))
                        .awaitWaiting("all are borrowed, and its timeout is far longer than the test (rule 3)"));
            }
            stopped = shapes.shuffled("order of the interrupts", stopped);
            Duration timeout = ConnectionPoolTest.shortTimeout(shapes);
            Attempt patient = Attempt.start("the patient waiter (acquire(60 s))", () -> pool.acquire(Conductor.LONG))
                    .awaitWaiting("all are borrowed");
            Attempt impatient = Attempt.start("the impatient waiter (acquire(" + timeout.toMillis() + " ms))",
                    () -> pool.acquire(timeout)).awaitEnded("its timeout must bound the wait (rule 3)");
            assertThat(impatient.thrown()).as("%s %s (rule 3)", impatient, impatient.outcome())
                    .isInstanceOf(TimeoutException.class);
            for (Attempt waiter : stopped) {
                waiter.interrupt();
                waiter.awaitEnded("it was interrupted while it waited, and an interrupt ends a wait of any length, "
                        + "one of centuries or the longest a Duration holds too: wait with an interruptible call "
                        + "(tryAcquire(timeout) with the timeout clamped, or acquire()), never acquireUninterruptibly() "
                        + "(rule 4)");
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

        @Test
        @Tag("rule-4")
        @DisplayName("ends a wait with a timeout under a second at once when interrupted, from a few milliseconds up")
        void endsAShortWaitWhenInterrupted(Shapes shapes) throws Exception {
            // Red team N: a wait under a second caught the InterruptedException, waited out the rest of its timeout and
            // only set the interrupt again; every interrupted waiter here had a timeout of a second or more. Now one
            // waiter per range of short timeouts is interrupted once it is parked. Whether the interrupt came before
            // the timeout ran out is told by the test's own clock (after the interrupt was sent, so it can only say
            // "too late" wrongly, never "in time"): when it was too late, either outcome is right and the same range
            // is tried again with twice the timeout (at most 999 ms), so a slow machine only costs more tries.
            int size = shapes.between("connections", 1, 3);
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            List<Connection> borrowed = ConnectionPoolTest.borrowAll(pool, size);
            long[][] ranges = {{1, 20}, {20, 200}, {200, 999}};
            for (long[] range : shapes.shuffled("order of the ranges of timeouts (ms)", List.of(ranges))) {
                long millis = shapes.between("timeout in ms, " + range[0] + " to " + range[1], (int) range[0],
                        (int) range[1]);
                Duration timeout = Duration.ofMillis(millis).plusNanos(shapes.between("and ns", 0, 999_999));
                Borrow borrow = shapes.oneOf("the waiter with about " + millis + " ms borrows with", Borrow.values());
                for (int attempt = 1; ; attempt++) {
                    AtomicReference<String> workRan = new AtomicReference<>();
                    long start = System.nanoTime();
                    Duration asked = timeout;
                    Attempt waiter = Attempt.start("a waiter (" + borrow.name(asked) + ", interrupted once parked) while "
                            + "all " + size + " are borrowed", () -> borrow.call(pool, asked, workRan));
                    long patience = start + Attempt.PATIENCE.toNanos();
                    while (!waiter.ended() && !waiter.isWaiting() && System.nanoTime() - patience < 0) {
                        Thread.onSpinWait();
                    }
                    if (!waiter.ended() && !waiter.isWaiting()) {
                        waiter.interrupt();
                        throw new AssertionError(waiter + " was neither waiting nor done " + Attempt.PATIENCE.toSeconds()
                                + " s after it began: all are borrowed, it must wait (rule 3)");
                    }
                    waiter.interrupt();
                    boolean inTime = !waiter.ended() && System.nanoTime() - start < asked.toNanos();
                    waiter.awaitEnded("it was interrupted while it waited, " + (inTime ? "before" : "maybe after")
                            + " its timeout of " + asked + " ran out: an interrupt ends a wait of any length, under a "
                            + "second too, at once (rule 4)");
                    assertThat(workRan.get()).as("%s, interrupted while all were borrowed (rule 4: it takes nothing)",
                            waiter).isNull();
                    if (inTime) {
                        assertThat(waiter.thrown()).as("%s %s: it was interrupted while parked, before its timeout of "
                                + "%s ran out; an interrupted wait ends at once with InterruptedException, whatever its "
                                + "timeout, one under a second too (rule 4)", waiter, waiter.outcome(), asked)
                                .isInstanceOf(InterruptedException.class);
                        break;
                    }
                    assertThat(waiter.thrown()).as("%s %s: interrupted about when its timeout ran out, it ends with "
                            + "InterruptedException or TimeoutException (rules 3 and 4)", waiter, waiter.outcome())
                            .isInstanceOfAny(InterruptedException.class, TimeoutException.class);
                    if (attempt >= 12) {
                        break; // the machine is too slow to interrupt even a 999 ms wait in time: nothing to judge
                    }
                    timeout = Duration.ofNanos(Math.min(timeout.toNanos() * 2, Duration.ofMillis(999).toNanos()));
                }
            }
            borrowed.forEach(pool::release);
            ConnectionPoolTest.assertHoldsExactly(pool, size, shapes, "after waiters with timeouts under a second were "
                    + "interrupted (an interrupted wait takes nothing: rule 4)");
        }

        /**
         * One timeout far longer than any test runs of each size: seconds, hours to days, years (under the 292 that
         * nanoseconds can count), centuries beyond them, and one of the longest a Duration holds (Long.MAX_VALUE of
         * each unit it can hold that many of, the most minutes, hours and days it holds, ChronoUnit.FOREVER).
         */
        static List<Duration> timeoutsOfEverySize(Shapes shapes) {
            return List.of(Duration.ofSeconds(shapes.between("timeout in s", 1, 3_600)),
                    Duration.ofMinutes(shapes.between("timeout in min", 61, 60 * 24 * 365)),
                    Duration.ofDays(shapes.between("timeout in days, under 292 years", 366, 106_000)),
                    Duration.ofDays(shapes.between("timeout in days, beyond 292 years", 106_752, 1_000_000_000)),
                    shapes.oneOf("the longest timeout", Duration.ofNanos(Long.MAX_VALUE),
                            Duration.of(Long.MAX_VALUE, java.time.temporal.ChronoUnit.MICROS),
                            Duration.ofMillis(Long.MAX_VALUE), Duration.ofSeconds(Long.MAX_VALUE),
                            Duration.ofMinutes(Long.MAX_VALUE / 60), Duration.ofHours(Long.MAX_VALUE / 3_600),
                            Duration.ofDays(Long.MAX_VALUE / 86_400), java.time.temporal.ChronoUnit.FOREVER.getDuration()));
        }

        @Test
        @Tag("rule-3")
        @Tag("rule-5")
        @DisplayName("waits out a timeout under a second, in acquire or withConnection, and gives the connection that "
                + "comes back meanwhile to the waiter")
        void waitsOutATimeoutUnderASecond(Shapes shapes) throws Exception {
            int size = shapes.between("connections", 1, 3);
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            List<Connection> all = ConnectionPoolTest.borrowAll(pool, size);
            Duration timeout = Duration.ofMillis(shapes.between("timeout under a second (ms)", 300, 900));
            Borrow borrow = shapes.oneOf("borrowed by", Borrow.values());
            for (int attempt = 1; ; attempt++) {
                AtomicLong took = new AtomicLong();
                Attempt waiter = Attempt.start(borrow.name(timeout) + " with all " + size + " borrowed", () -> {
                    long start = System.nanoTime();
                    try {
                        return borrow.call(pool, timeout, new AtomicReference<>());
                    } finally {
                        took.set(System.nanoTime() - start);
                    }
                });
                try {
                    org.awaitility.Awaitility.await().atMost(Attempt.PATIENCE).pollInterval(Duration.ofMillis(1))
                            .until(() -> waiter.ended() || waiter.isWaiting());
                } catch (ConditionTimeoutException neither) {
                    // judged below, once it has ended
                }
                Connection back = null;
                if (!waiter.ended()) {
                    back = all.remove(shapes.between("connection given back to the waiter", 0, size - 1));
                    pool.release(back);
                }
                waiter.awaitEnded("its timeout of " + timeout.toMillis() + " ms bounds the wait (rule 3)");
                if (waiter.thrown() instanceof TimeoutException && took.get() < timeout.toNanos()) {
                    throw new AssertionError(waiter + " gave up after " + took.get() / 1_000_000 + " ms, before its "
                            + "timeout of " + timeout.toMillis() + " ms: a timeout under a second is a wait too, "
                            + "not \"do not wait\" (rule 3; Duration.getSeconds() and toSeconds() round it down to 0)",
                            waiter.thrown());
                }
                if (back != null && waiter.returned() == back) {
                    if (borrow.keeps()) {
                        all.add(back);
                    }
                    break;
                }
                boolean timedOutInFull = waiter.thrown() instanceof TimeoutException;
                if (!timedOutInFull || attempt == 3) {
                    throw new AssertionError(waiter + " " + waiter.outcome() + (back == null ? ""
                            : ", though " + back + " came back while it waited") + ": a connection that comes back "
                            + "while a borrower waits is its (rule 3)", waiter.thrown());
                }
                if (back != null) { // the machine was too slow to give it back in time: take it again and retry
                    all.add(pool.acquire(Conductor.LONG));
                }
            }
            all.forEach(pool::release);
            ConnectionPoolTest.assertHoldsExactly(pool, size, shapes, "after a wait under a second");
        }

        @Test
        @Tag("rule-3")
        @DisplayName("ends a wait at its timeout, also when another borrower takes each connection that comes back first")
        void endsAtItsTimeoutWhileAnotherKeepsTakingTheConnection(Shapes shapes) throws Exception {
            // A timeout far longer than the pauses between hand-backs: a pool that restarts its timeout on every
            // wakeup escapes only when no hand-back comes for a whole timeout, and on a busy machine a test thread
            // starved for 200 ms once let it through (soak, load 10); for most of a second, it is not starved.
            Duration timeout = Duration.ofMillis(shapes.between("timeout of the waiter (ms)", 700, 1_000));
            Duration slack = Duration.ofMillis(2_500);
            int pauseMin = shapes.between("ms between two hand-backs, at least", 5, 15);
            int pauseMax = pauseMin + shapes.between("ms between two hand-backs, up to more", 5, 15);
            java.util.Random random = shapes.random();
            for (int round = 1; ; round++) {
                ConnectionPool pool = new ConnectionPool(1, new Ledger(1, shapes.random()));
                AtomicReference<Connection> held = new AtomicReference<>(pool.acquire(Conductor.LONG));
                AtomicBoolean armed = new AtomicBoolean();
                AtomicBoolean waiterWon = new AtomicBoolean();
                AtomicInteger handBacks = new AtomicInteger();
                // While the pool tells why it refuses this stranger, the other borrower gives its connection back and
                // takes it again at once, inside the pool's call: the waiter is woken but another borrower always
                // comes first (given back from outside the pool, a woken waiter often runs first on a busy machine).
                // Only when the pool holds a reentrant lock of this thread's meanwhile (or none): no rule asks a pool
                // to let a connection's toString() call back into it, and a right pool whose lock is a binary
                // Semaphore waited on itself (red team J). Then the test hands back after the call.
                Connection stranger = new Connection() {
                    @Override
                    public String execute(String statement) {
                        return "a stranger: " + statement;
                    }

                    @Override
                    public String toString() {
                        if (armed.get() && mayCallBackInto(pool) && armed.getAndSet(false)) {
                            giveBackAndTakeAgain(pool, held, handBacks, waiterWon);
                        }
                        return "a connection of another pool";
                    }
                };
                Attempt waiter = Attempt.start("acquire(" + timeout.toMillis() + " ms) on a pool of 1 whose connection "
                        + "another borrower keeps giving back and taking again", () -> pool.acquire(timeout))
                        .awaitWaiting("its connection is borrowed");
                long deadline = System.nanoTime() + timeout.plus(slack).toNanos();
                while (!waiter.ended() && !waiterWon.get() && System.nanoTime() < deadline) {
                    Thread.sleep(pauseMin + random.nextInt(pauseMax - pauseMin + 1));
                    armed.set(true);
                    assertThat(catchThrowable(() -> pool.release(stranger)))
                            .as("release of a connection of another pool (rule 6)")
                            .isInstanceOf(IllegalArgumentException.class);
                    if (armed.getAndSet(false)) { // the pool did not call back in: hand back and take again from here
                        giveBackAndTakeAgain(pool, held, handBacks, waiterWon);
                    }
                }
                while (!waiter.ended() && System.nanoTime() < deadline) {
                    Thread.sleep(2);
                }
                if (!waiter.ended()) {
                    waiter.interrupt();
                    throw new AssertionError(waiter + " was still waiting " + timeout.plus(slack).toMillis() + " ms "
                            + "after it began, though its timeout was " + timeout.toMillis() + " ms; the connection came "
                            + "back " + handBacks.get() + " times meanwhile and another borrower took it first each "
                            + "time: a timeout bounds the whole wait, it does not start over each time the waiter is "
                            + "woken (rule 3; wait for the time that is left, as Condition.awaitNanos returns it)");
                }
                if (waiter.thrown() instanceof TimeoutException) {
                    return;
                }
                assertThat(waiter.returned()).as("%s %s (rule 3)", waiter, waiter.outcome()).isInstanceOf(Connection.class);
                if (round == 10) {
                    // It got the connection each time: a right pool may let it. Ten rounds, not three: on a loaded
                    // machine the waiter wins a hand-back often, and three wins in a row once let a pool that
                    // restarts its timeout on every wakeup through (self-check, 2 busy cores).
                    return;
                }
            }
        }

        /**
         * Whether this thread, called back from inside {@code pool}, may call into it again without waiting on
         * itself: a helper thread calls into the pool meanwhile; when it gets through, the pool holds no lock now;
         * when it is blocked on a lock this thread owns (a monitor, a ReentrantLock), that lock is reentrant. A lock
         * nobody owns (a Semaphore) or one of another thread: no.
         */
        private static boolean mayCallBackInto(ConnectionPool pool) {
            Connection plain = new Connection() {
                @Override
                public String execute(String statement) {
                    return statement;
                }

                @Override
                public String toString() {
                    return "a plain connection of another pool";
                }
            };
            Thread helper = Thread.ofPlatform().daemon(true).name("looks whether the pool holds a lock").start(() -> {
                try {
                    pool.release(plain);
                } catch (RuntimeException refused) {
                    // expected: not one of the pool's connections
                }
            });
            long me = Thread.currentThread().threadId();
            long until = System.nanoTime() + Attempt.PATIENCE.toNanos();
            while (System.nanoTime() < until) {
                Thread.State state = helper.getState();
                if (state == Thread.State.TERMINATED) {
                    return true;
                }
                if (state == Thread.State.BLOCKED || state == Thread.State.WAITING
                        || state == Thread.State.TIMED_WAITING) {
                    java.lang.management.ThreadInfo info = java.lang.management.ManagementFactory.getThreadMXBean()
                            .getThreadInfo(helper.threadId());
                    if (info != null && info.getLockOwnerId() != -1) {
                        return info.getLockOwnerId() == me;
                    }
                    if (info != null && info.getThreadState() != Thread.State.RUNNABLE && info.getLockName() != null) {
                        return false; // blocked on something nobody owns
                    }
                }
                Thread.yield();
            }
            return false;
        }

        /** Gives back the connection {@code held} and takes it again without waiting; notes when the waiter got it. */
        private static void giveBackAndTakeAgain(ConnectionPool pool, AtomicReference<Connection> held,
                AtomicInteger handBacks, AtomicBoolean waiterWon) {
            Connection connection = held.getAndSet(null);
            if (connection == null) {
                return;
            }
            pool.release(connection);
            handBacks.incrementAndGet();
            try {
                held.set(pool.acquire(Duration.ZERO));
            } catch (TimeoutException waiterWasFirst) {
                waiterWon.set(true);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Nested
    @DisplayName("giving back")
    class GivingBack {

        /** A connection equal to every other one of the same name: only {@code ==} tells them apart. */
        record LookAlike(String name) implements Connection {
            @Override
            public String execute(String statement) {
                return name + ": " + statement;
            }
        }

        @Test
        @Tag("rule-6")
        @Tag("rule-2")
        @DisplayName("tells its connections by identity: an equal look-alike it did not lend is refused")
        void tellsItsConnectionsByIdentity(Shapes shapes) throws Exception {
            int size = shapes.between("connections", 2, 6);
            String name = "db" + shapes.between("database number", 1, 99);
            List<Connection> made = new ArrayList<>();
            ConnectionPool pool = new ConnectionPool(size, () -> {
                LookAlike connection = new LookAlike(name);
                made.add(connection);
                return connection;
            });
            for (int pass = 1; pass <= 2; pass++) {
                Set<Connection> lent = Collections.newSetFromMap(new IdentityHashMap<>());
                List<Connection> all = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    Connection connection = pool.acquire(Attempt.PATIENCE);
                    assertThat(made).as("who made connection %d lent in pass %d (rule 2)", i + 1, pass)
                            .anyMatch(m -> m == connection);
                    if (!lent.add(connection)) {
                        throw new AssertionError("acquire number " + (i + 1) + " of a pool of " + size + " lent the very "
                                + "object a borrower still holds; its connections are equal to each other (equals), but "
                                + "each is a connection of its own: compare them with == (rule 1)");
                    }
                    all.add(connection);
                }
                LookAlike lookAlike = new LookAlike(name);
                assertThat(catchThrowable(() -> pool.release(lookAlike)))
                        .as("release of a look-alike that equals the pool's %d connections but is none of them, "
                                + "pass %d: only a connection this pool lent comes back; compare with ==, not equals "
                                + "(rule 6)", size, pass)
                        .isInstanceOf(IllegalArgumentException.class);
                for (Connection connection : shapes.shuffled("order given back", all)) {
                    Throwable thrown = catchThrowable(() -> pool.release(connection));
                    assertThat(thrown).as("release of a borrowed connection, equal to the others but an object of its "
                            + "own, pass %d (rule 6; compare with ==)", pass).isNull();
                }
            }
            assertThat(made).as("the connections a pool of %d made (rule 2)", size).hasSize(size);
        }

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

        @Test
        @Tag("rule-6")
        @Tag("rule-5")
        @Tag("rule-1")
        @DisplayName("does not take back the next borrower's connection when the work gave it back itself and another "
                + "borrower took it before withConnection ended")
        void doesNotTakeBackTheNextBorrowersConnection(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                int size = round.between("connections", 1, 4);
                boolean nextOnAnotherThread = round.chance("the next borrower is another thread (else the work's own)", 0.5);
                boolean workThrows = round.chance("the work throws after the next borrower took the connection", 0.5);
                ConnectionPool pool = new ConnectionPool(size, new Ledger(size, round.random()));
                // The test holds all the others, so the connection the work gives back is the only one to lend.
                List<Connection> others = ConnectionPoolTest.borrowAll(pool, size - 1);
                AtomicReference<Connection> worked = new AtomicReference<>();
                AtomicReference<Object> next = new AtomicReference<>();
                Throwable thrown = catchThrowable(() -> pool.withConnection(Conductor.LONG, c -> {
                    worked.set(c);
                    pool.release(c);
                    try {
                        if (nextOnAnotherThread) {
                            Attempt other = Attempt.start("the next borrower (acquire(60 s)) while the work runs",
                                    () -> pool.acquire(Conductor.LONG)).awaitEnded("a connection is free (rule 1)");
                            if (other.thrown() != null) {
                                throw new AssertionError(other + " " + other.outcome() + " after the work gave back " + c
                                        + ", the only free connection (rule 1)", other.thrown());
                            }
                            next.set(other.returned());
                        } else {
                            next.set(pool.acquire(Conductor.LONG));
                        }
                    } catch (Exception unexpected) {
                        throw new AssertionError("the next borrower, after the work gave back " + c, unexpected);
                    }
                    if (workThrows) {
                        throw new IllegalArgumentException("the work failed after giving back its connection");
                    }
                    return "given back by the work";
                }));
                Connection given = worked.get();
                assertThat(next.get()).as("what the next borrower got, while the only free connection of the pool was %s, "
                        + "given back by the work of withConnection (rule 1)", given).isSameAs(given);
                assertThat(thrown).as("withConnection, whose work gave %s back itself while the next borrower took it "
                        + "before withConnection ended: withConnection's giving back is a second one, of a loan that is "
                        + "no longer its own (rules 5 and 6)", given).isInstanceOf(IllegalStateException.class);
                Duration timeout = ConnectionPoolTest.shortTimeout(round);
                Attempt third = Attempt.start("acquire(" + timeout.toMillis() + " ms) by a third borrower, while the next "
                        + "borrower holds " + given + " and the test holds the " + (size - 1) + " others",
                        () -> pool.acquire(timeout)).awaitEnded("its timeout must bound the wait (rule 3)");
                if (!(third.thrown() instanceof TimeoutException)) {
                    throw new AssertionError(third + " " + third.outcome() + ": all " + size + " are borrowed, it must time "
                            + "out. withConnection gave back " + given + " when its work had already given it back and "
                            + "the next borrower held it: a connection lent to two borrowers at once (rules 1 and 6)",
                            third.thrown());
                }
                pool.release(given);
                others.forEach(pool::release);
                ConnectionPoolTest.assertHoldsExactly(pool, size, round, "after a work gave its connection back itself, "
                        + "the next borrower took it and gave it back, and withConnection's own giving back was refused "
                        + "(rule 6)");
            });
        }
    }

    @Nested
    @DisplayName("waiting")
    class Waiting {

        @Test
        @Tag("rule-8")
        @DisplayName("blocks a waiting borrower until a connection comes back, without waking up again and again")
        void blocksWithoutWakingUpAgainAndAgain(Shapes shapes) throws Exception {
            // Red team N: a borrower waited in slices of 5 ms (tryAcquire(5 ms) in a loop, looking at the pool between
            // two), which no sleep, yield or onSpinWait shows. The JVM counts each time a thread begins to wait
            // (ThreadMXBean's waited count): a borrower that blocks until it is woken begins once while nothing comes
            // back, one that polls begins again after every slice, tens of times in the watched span.
            int size = shapes.between("connections", 1, 3);
            Timeouts.Borrow borrow = shapes.oneOf("the waiter borrows with", Timeouts.Borrow.values());
            long watchedMillis = shapes.between("watched for (ms)", 150, 300);
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            List<Connection> borrowed = ConnectionPoolTest.borrowAll(pool, size);
            AtomicReference<Thread> waiterThread = new AtomicReference<>();
            Attempt waiter = Attempt.start("a waiter (" + borrow.name(Conductor.LONG) + ") while all " + size
                    + " are borrowed", () -> {
                        waiterThread.set(Thread.currentThread());
                        return borrow.call(pool, Conductor.LONG, new AtomicReference<>());
                    }).awaitWaiting("all are borrowed (rule 1)");
            long wakeUps = ThreadWaits.over(waiterThread.get(), watchedMillis, WAKE_UPS_BOUND);
            waiter.awaitStillWaiting("all are still borrowed (rule 1)");
            if (wakeUps > WAKE_UPS_BOUND) {
                throw new AssertionError(waiter + " began to wait " + wakeUps + " more times in " + watchedMillis
                        + " ms while no connection came back: it polls (waits a little, looks again) instead of "
                        + "blocking until it is woken; wait once, for the whole timeout, with tryAcquire(timeout), "
                        + "poll(timeout) or awaitNanos (rule 8)");
            }
            Connection back = borrowed.remove(0);
            pool.release(back);
            waiter.awaitEnded("a connection came back (rule 1)");
            assertThat(waiter.thrown()).as("%s %s, once a connection came back (rule 1)", waiter, waiter.outcome())
                    .isNull();
            if (borrow.keeps()) {
                pool.release(back);
            }
            borrowed.forEach(pool::release);
            ConnectionPoolTest.assertHoldsExactly(pool, size, shapes, "after a waiter was watched and got a connection");
        }

        @Test
        @Tag("rule-8")
        @DisplayName("blocks a close() that waits for borrowed connections, without waking up again and again")
        void blocksAWaitingCloseWithoutWakingUpAgainAndAgain(Shapes shapes) throws Exception {
            // Red team P: close() waited in slices (wait(10) in a loop, looking at the borrowed connections between
            // two), and only borrowers were watched. close() is watched here the same way: the JVM counts each time
            // its thread begins to wait; one that blocks until a connection comes back begins once in the watched
            // span, one that polls tens of times (a few even on a busy machine).
            int size = shapes.between("connections", 1, 4);
            int held = shapes.between("connections kept borrowed", 1, size);
            long watchedMillis = shapes.between("watched for (ms)", 200, 300);
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            List<Connection> borrowed = ConnectionPoolTest.borrowAll(pool, held);
            AtomicReference<Thread> closerThread = new AtomicReference<>();
            Attempt closer = Attempt.start("close() while " + held + " of " + size + " are borrowed", () -> {
                closerThread.set(Thread.currentThread());
                pool.close();
                return "closed";
            }).awaitWaiting(held + " are borrowed, so close() must wait (rule 7)");
            long start = System.nanoTime();
            long wakeUps = ThreadWaits.over(closerThread.get(), watchedMillis, WAKE_UPS_BOUND);
            long watched = (System.nanoTime() - start) / 1_000_000L;
            if (closer.ended()) {
                throw new AssertionError(closer + " " + closer.outcome() + " while " + held + " connections were still "
                        + "borrowed: it returns once every borrowed connection is back (rule 7)");
            }
            if (wakeUps > WAKE_UPS_BOUND) {
                throw new AssertionError(closer + " began to wait " + wakeUps + " more times in " + watched + " ms "
                        + "while no connection came back: it polls (waits a little, looks again) instead of blocking "
                        + "until it is woken; wait once until a connection comes back, with acquire(size), await or "
                        + "wait() without a timeout, woken by release (rule 8)");
            }
            shapes.shuffled("order given back", borrowed).forEach(pool::release);
            closer.awaitEnded("every borrowed connection is back (rule 7)");
            assertThat(closer.thrown()).as("%s %s (rule 7)", closer, closer.outcome()).isNull();
        }

        /**
         * More times than a waiter that blocks (a borrower, or close()) begins to wait while nothing comes back: it
         * begins once, before the watch.
         */
        private static final long WAKE_UPS_BOUND = 3;
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
                // Waiters of both kinds in each round (red team J's withConnection had its own acquire, without the
                // second look at closed, and only acquire waiters were ever caught by close()).
                int waiters = round.between("waiters", 2, 5);
                int firstKind = round.between("kind of the first waiter (0: acquire, 1: withConnection)", 0, 1);
                ConnectionPool pool = new ConnectionPool(size, new Ledger(size, round.random()));
                List<Connection> borrowed = round.shuffled("order given back", ConnectionPoolTest.borrowAll(pool, size));
                List<Attempt> waiting = new ArrayList<>();
                AtomicReference<String> workRan = new AtomicReference<>();
                for (int w = 0; w < waiters; w++) {
                    int waiter = w;
                    waiting.add((w + firstKind) % 2 == 0
                            ? Attempt.start("waiter " + w + " (acquire(60 s) from before close())",
                                    () -> pool.acquire(Conductor.LONG)).awaitWaiting("all are borrowed")
                            : Attempt.start("waiter " + w + " (withConnection(60 s, work) from before close())",
                                    () -> pool.withConnection(Conductor.LONG, c -> {
                                        workRan.compareAndSet(null, "the work of waiter " + waiter + " ran with " + c);
                                        return c;
                                    })).awaitWaiting("all are borrowed"));
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
                assertThat(workRan.get()).as("the works of withConnection calls that waited when close() began: a "
                        + "pool that is closing lends nothing, to withConnection neither (rule 7)").isNull();
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
        @Test
        @Tag("rule-7")
        @DisplayName("lets two close() calls at once both wait for the borrowed connections, and both return")
        void twoClosesAtOnceBothReturn(Shapes shapes) throws Exception {
            int size = shapes.between("connections", 1, 4);
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            List<Connection> borrowed = shapes.shuffled("order given back", ConnectionPoolTest.borrowAll(pool, size));
            List<Attempt> closers = new ArrayList<>();
            for (int c = 1; c <= 2; c++) {
                closers.add(Attempt.start("close() number " + c + " of two at once, while all " + size + " are borrowed",
                        () -> {
                            pool.close();
                            return "closed";
                        }));
            }
            for (Attempt closer : closers) {
                closer.awaitWaiting("all connections are borrowed, so close() must wait (rule 7)");
            }
            borrowed.forEach(pool::release);
            for (Attempt closer : closers) {
                closer.awaitEnded("every borrowed connection is back, and a second close() waits the same way and "
                        + "returns, also when both wait at once (rule 7)");
                assertThat(closer.thrown()).as("%s %s (rule 7)", closer, closer.outcome()).isNull();
            }
            assertThat(catchThrowable(() -> pool.acquire(Conductor.LONG)))
                    .as("acquire after two close() calls returned (rule 7)").isInstanceOf(IllegalStateException.class);
        }

        @Test
        @Tag("rule-7")
        @DisplayName("takes nothing with an interrupted close(): once the rest is back, a later close() returns")
        void anInterruptedCloseTakesNothing(Shapes shapes) throws Exception {
            int size = shapes.between("connections", 2, 6);
            int held = shapes.between("connections borrowed", 1, size - 1);
            ConnectionPool pool = new ConnectionPool(size, new Ledger(size, shapes.random()));
            List<Connection> borrowed = ConnectionPoolTest.borrowAll(pool, held);
            Attempt first = Attempt.start("close() while " + held + " of " + size + " are borrowed", () -> {
                pool.close();
                return "closed";
            }).awaitWaiting(held + " are borrowed, so close() must wait (rule 7)");
            first.interrupt();
            first.awaitEnded("close() was interrupted while it waited (rule 7)");
            assertThat(first.thrown()).as("%s, interrupted, %s (rule 7)", first, first.outcome())
                    .isInstanceOf(InterruptedException.class);
            shapes.shuffled("order given back", borrowed).forEach(pool::release);
            Attempt second = Attempt.start("close() again, after the interrupted one, with all " + size + " back", () -> {
                pool.close();
                return "closed";
            }).awaitEnded("nothing is borrowed, so close() returns at once; an interrupted close() must not keep "
                    + "what it took while it waited (rule 7: wait for all of them at once, acquire(size))");
            assertThat(second.thrown()).as("%s %s (rule 7)", second, second.outcome()).isNull();
        }
    }
}


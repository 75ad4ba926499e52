package katas.reentrantlock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import katas.testkit.Contention;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: the edges. Unlocks that must be refused (rule 3), hold counts as each thread sees them (rule 2),
 * timeouts at the type's limits (rule 5), interrupts before and during a wait (rules 5 and 6), and a lock that
 * works as new after all of that.
 */
@DisplayName("Mutex at its edges")
@KataTest
class MutexEdgeTest {

    @Test
    @Tag("rule-3")
    @DisplayName("never counts below zero, however many unlocks are refused, from the owner or a crowd of strangers")
    void neverCountsBelowZero(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            int extra = round.between("unlocks of a free lock", 1, 5);
            int holds = round.between("holds of the owner", 1, 4);
            int strangers = round.between("strangers", 2, 8);
            for (int i = 0; i < extra; i++) {
                MutexTest.assertThatThrowsIllegalMonitorState(mutex::unlock, "unlock() of a lock nobody holds, "
                        + "by the thread that will take it next");
            }
            assertThat(mutex.getHoldCount()).as("rule 3: holds after %d refused unlocks", extra).isZero();
            MutexTest.lockTimes(mutex, holds);
            assertThat(mutex.getHoldCount()).as("rule 3: holds after %d refused unlocks and %d locks (a count "
                    + "that went below zero shows here)", extra, holds).isEqualTo(holds);
            AtomicInteger refused = new AtomicInteger();
            Contention.threads(strangers).callsEach(round.between("unlocks each", 1, 50)).named("stranger")
                    .within(Duration.ofSeconds(10)).run((thread, call) -> {
                        MutexTest.assertThatThrowsIllegalMonitorState(mutex::unlock, "unlock() by a thread that "
                                + "does not own the lock");
                        refused.incrementAndGet();
                        if (mutex.getHoldCount() != 0 || mutex.isHeldByCurrentThread()) {
                            throw new AssertionError("rule 2: a thread that never locked saw getHoldCount() "
                                    + mutex.getHoldCount() + ", isHeldByCurrentThread() "
                                    + mutex.isHeldByCurrentThread());
                        }
                    });
            assertThat(mutex.getHoldCount()).as("rule 3: the owner's holds after %d refused unlocks by strangers",
                    refused.get()).isEqualTo(holds);
            for (int i = 0; i < holds; i++) {
                mutex.unlock();
            }
            Actor.alone("stranger-after", "lock() by another thread once the owner let go", "the lock was not "
                    + "freed at the owner's last unlock (rules 2 and 3)", () -> {
                        mutex.lock();
                        assertThat(mutex.getHoldCount()).as("rule 3: first hold of a new owner").isEqualTo(1);
                        mutex.unlock();
                    });
        });
    }

    @Test
    @Tag("rule-2")
    @DisplayName("tells each thread its own holds: the owner its count, every other thread none")
    void tellsEachThreadItsOwnHolds(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            int holds = round.between("holds of the owner", 1, 9);
            MutexTest.lockTimes(mutex, holds);
            Actor other = Actor.start("onlooker", () -> {
                assertThat(mutex.getHoldCount()).as("rule 2: getHoldCount() of a thread that does not own the lock "
                        + "(the owner holds it %d times)", holds).isZero();
                assertThat(mutex.isHeldByCurrentThread()).as("rule 2: isHeldByCurrentThread() of a thread that "
                        + "does not own the lock").isFalse();
            });
            other.mustFinish("rule 2: getHoldCount() and isHeldByCurrentThread() must never wait");
            other.rethrowFailure();
            assertThat(mutex.getHoldCount()).as("rule 2: the owner's getHoldCount()").isEqualTo(holds);
            assertThat(mutex.isHeldByCurrentThread()).as("rule 2: the owner's isHeldByCurrentThread()").isTrue();
            for (int i = 0; i < holds; i++) {
                mutex.unlock();
            }
        });
    }

    @Test
    @Tag("rule-5")
    @DisplayName("takes timeouts at the type's limits: none or below zero give up at once, the longest wait")
    void takesTimeoutsAtTheLimits(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            TimeUnit unit = round.oneOf("unit", TimeUnit.NANOSECONDS, TimeUnit.MILLISECONDS, TimeUnit.DAYS);
            long none = round.oneOf("no time", 0L, -1L, Long.MIN_VALUE);
            long longest = round.oneOf("longest", Long.MAX_VALUE, Long.MAX_VALUE - 1);
            // The owner asks again with a timeout of every size, each in a unit of its own: it gets one more hold
            // every time, whatever the timeout (rules 2 and 5).
            List<Timeout> again = new ArrayList<>();
            for (String size : round.shuffled("timeouts of the owner asking again", EVERY_SIZE)) {
                again.add(timeoutOf(round, size, "owner's " + size));
            }
            Actor.alone("free-tryer", "tryLock() of a free lock, then by its owner", "tryLock() waited on a free lock "
                    + "or on a lock its own thread held (rules 2 and 5)", () -> {
                assertThat(mutex.tryLock(none, unit)).as("rule 5: tryLock(%d %s) of a free lock", none, unit)
                        .isTrue();
                int holds = 1;
                for (Timeout timeout : again) {
                    assertThat(timeout.tryLock(mutex)).as("rule 2: tryLock(%s) by the owner, who holds the lock %d "
                            + "times: the owner asking again gets one more hold, whatever the timeout (also 0 or "
                            + "below, which never waits)", timeout, holds).isTrue();
                    holds++;
                    assertThat(mutex.getHoldCount()).as("rule 2: the owner's holds after tryLock(%s) took it again",
                            timeout).isEqualTo(holds);
                }
                assertThat(mutex.tryLock(longest, unit)).as("rule 5: tryLock(%d %s) by the owner", longest, unit)
                        .isTrue();
                for (int i = 0; i <= holds; i++) {
                    mutex.unlock();
                }
                assertThat(mutex.getHoldCount()).as("rule 2: the owner's holds after as many unlocks as holds")
                        .isZero();
            });
            mutex.lock();
            Actor quick = Actor.start("quick-tryer", () -> assertThat(mutex.tryLock(none, unit))
                    .as("rule 5: tryLock(%d %s) of a lock another thread holds", none, unit).isFalse());
            quick.mustFinish("rule 5: tryLock(" + none + " " + unit + ") must give up at once on a held lock");
            quick.rethrowFailure();
            boolean[] took = {false};
            Actor patient = Actor.start("patient-tryer", () -> {
                took[0] = mutex.tryLock(longest, unit);
                if (took[0]) {
                    mutex.unlock();
                }
            });
            patient.awaitWaiting("rule 5: tryLock(" + longest + " " + unit + ") while another thread holds it");
            patient.awaitDone(Duration.ofMillis(20));
            boolean early = patient.isDone();
            mutex.unlock();
            assertThat(early).as("rule 5: tryLock(%d %s) gave up at once on a held lock (a deadline that "
                    + "overflowed: compare nanoTime differences, never nanoTime with a deadline)", longest, unit)
                    .isFalse();
            patient.mustFinish("rule 4: tryLock(" + longest + " " + unit + ") never got the lock once it was freed");
            patient.rethrowFailure();
            assertThat(took[0]).as("rule 5: tryLock(%d %s) of a lock freed while it waited", longest, unit).isTrue();
        });
    }

    @Test
    @Tag("rule-5")
    @Tag("rule-6")
    @DisplayName("stops tryLock of every timeout that outlasts the test, the longest included, and lockInterruptibly, "
            + "when interrupted while or before they wait, taking nothing")
    void stopsInterruptibleWaits(Shapes shapes) throws Exception {
        // Every wait of the round is interrupted while it waits; one of them also before the call. A tryLock whose
        // timeout is too long to count (Long.MAX_VALUE of any unit, or more days than 292 years of nanoseconds) is
        // still a tryLock: an interrupt stops it, as it stops one of an hour.
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            List<String> waits = round.shuffled("the interruptible waits", List.of("lockInterruptibly()",
                    "some minutes or more", "beyond 292 years", "the longest"));
            String alsoBefore = round.oneOf("the wait also interrupted before the call", waits);
            mutex.lock();
            for (String wait : waits) {
                for (boolean before : wait.equals(alsoBefore) ? List.of(false, true) : List.of(false)) {
                    Timeout timeout = wait.equals("lockInterruptibly()") ? null
                            : timeoutOf(round, wait, wait + (before ? " (interrupted before)" : ""));
                    String way = timeout == null ? wait : "tryLock(" + timeout + ")";
                    Actor waiter = Actor.start("recalled-" + round.between("picker of " + way, 1, 99), () -> {
                        if (before) {
                            Thread.currentThread().interrupt();
                        }
                        boolean took = true;
                        try {
                            if (timeout == null) {
                                mutex.lockInterruptibly();
                            } else {
                                took = timeout.tryLock(mutex);
                            }
                        } catch (InterruptedException expected) {
                            assertThat(mutex.isHeldByCurrentThread()).as("rule 6: %s threw InterruptedException "
                                    + "but took the lock", way).isFalse();
                            return;
                        }
                        if (mutex.isHeldByCurrentThread()) {
                            mutex.unlock();
                        }
                        throw new AssertionError("rule 6: " + way + " returned " + (timeout == null ? "" : took
                                + " ") + "although its thread was interrupted " + (before ? "before the call"
                                : "while it waited") + " and another thread held the lock all along: it must throw "
                                + "InterruptedException and take nothing" + (timeout == null ? "" : ", whatever the "
                                + "timeout (one too long to count is no lock(): an interrupt stops it too)"));
                    });
                    if (!before) {
                        waiter.awaitWaiting("rule 6: " + way + " while another thread holds the lock");
                        waiter.thread().interrupt();
                    }
                    waiter.mustFinish("rule 6: " + way + " kept waiting although its thread was interrupted "
                            + (before ? "before the call" : "while it waited") + " (the interrupt was swallowed)");
                    waiter.rethrowFailure();
                    assertThat(mutex.getHoldCount()).as("rule 6: the owner's hold after an interrupted %s gave up",
                            way).isEqualTo(1);
                }
            }
            mutex.unlock();
            Actor.alone("next-picker", "lock() once the owner let go, after interrupted waiters", "the lock "
                    + "stayed taken after an interrupted waiter gave up (rule 6)", () -> {
                        mutex.lock();
                        mutex.unlock();
                    });
        });
    }

    @Test
    @Tag("rule-6")
    @Tag("rule-5")
    @DisplayName("stops tryLock of every timeout, none, below zero, below a millisecond or the longest, when its thread "
            + "was interrupted before the call and another thread holds the lock")
    void stopsTryLockOfEveryTimeoutInterruptedBeforeTheCall(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            List<String> sizes = round.shuffled("timeouts, one of each size", EVERY_SIZE);
            List<String> calls = new ArrayList<>();
            for (String size : sizes) {
                Timeout drawn = timeoutOf(round, size, size);
                calls.add("tryLock(" + drawn + ")");
                long t = drawn.amount();
                TimeUnit u = drawn.unit();
                mutex.lock();
                Actor tryer = Actor.start("recalled-" + round.between("picker of " + size, 1, 99), () -> {
                    Thread.currentThread().interrupt();
                    boolean took;
                    try {
                        took = mutex.tryLock(t, u);
                    } catch (InterruptedException expected) {
                        assertThat(mutex.isHeldByCurrentThread()).as("rule 6: tryLock(%d, %s) threw "
                                + "InterruptedException but took the lock", t, u).isFalse();
                        return;
                    }
                    throw new AssertionError("rule 6: tryLock(" + t + ", " + u + ") returned " + took + " although "
                            + "its thread was interrupted before the call and another thread held the lock all "
                            + "along: it must throw InterruptedException, whatever the timeout (also one of 0 or "
                            + "below, which never waits: look at the interrupt before giving up)");
                });
                tryer.mustFinish("rule 6: tryLock(" + t + ", " + u + ") kept waiting although its thread was "
                        + "interrupted before the call (the interrupt was swallowed)");
                assertThat(mutex.getHoldCount()).as("rule 6: the owner's hold after an interrupted tryLock(%d, %s) "
                        + "gave up", t, u).isEqualTo(1);
                mutex.unlock();
                tryer.rethrowFailure();
            }
            Actor.alone("next-picker", "lock() once the owner let go, after interrupted tryLocks " + calls,
                    "the lock stayed taken after interrupted tryLocks gave up (rule 6)", () -> {
                        mutex.lock();
                        mutex.unlock();
                    });
        });
    }

    @Test
    @Tag("rule-6")
    @Tag("rule-5")
    @DisplayName("stops a short tryLock too, of a few milliseconds up to a second, when interrupted while it waits")
    void stopsAShortTryLockInterruptedWhileItWaits(Shapes shapes) throws Exception {
        // Red team N: a tryLock of a second or less waited out its timeout when interrupted (and returned false, with
        // the interrupt set again), and every interrupt while a tryLock waited was tried with timeouts of minutes or
        // more. Here the timeout is drawn from milliseconds, tens, hundreds of them, or one second, in a drawn unit,
        // and the waiter is interrupted once it is seen waiting. Judged by the outcome, not by how long it took: the
        // interrupt is sent before the timeout counted from the moment the waiter called has passed, so a right
        // tryLock is still waiting then (it never gives up before its timeout: rule 5) and must throw. When a busy
        // machine let the timeout pass before the test could send the interrupt, the attempt proves nothing and is
        // tried again with a timeout twice as long.
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            int size = round.between("size of the timeout (ms, tens of ms, hundreds of ms, one second)", 0, 3);
            long micros = switch (size) {
                case 0 -> round.between("timeout in µs", 1_000L, 9_999L);
                case 1 -> round.between("timeout in µs", 10_000L, 99_999L);
                case 2 -> round.between("timeout in µs", 100_000L, 999_999L);
                default -> 1_000_000L;
            };
            TimeUnit unit = round.oneOf("unit of the timeout", TimeUnit.NANOSECONDS, TimeUnit.MICROSECONDS,
                    TimeUnit.MILLISECONDS);
            int picker = round.between("picker", 1, 99);
            mutex.lock();
            try {
                for (int attempt = 1; attempt <= 12; attempt++, micros *= 2) {
                    long amount = unit.convert(micros, TimeUnit.MICROSECONDS);
                    long timeoutNanos = unit.toNanos(amount);
                    String way = "tryLock(" + amount + ", " + unit + ")";
                    long[] calledAt = {0L};
                    boolean[] took = {false};
                    boolean[] threw = {false};
                    Actor tryer = Actor.start("recalled-picker-" + picker + "-" + attempt, () -> {
                        calledAt[0] = System.nanoTime();
                        try {
                            took[0] = mutex.tryLock(amount, unit);
                        } catch (InterruptedException expected) {
                            threw[0] = true;
                            assertThat(mutex.isHeldByCurrentThread()).as("rule 6: %s threw InterruptedException but "
                                    + "took the lock", way).isFalse();
                            return;
                        }
                        if (took[0]) {
                            mutex.unlock();
                        }
                    });
                    tryer.awaitWaiting("rule 5: " + way + " while another thread holds the lock");
                    long sentAt = 0L;
                    if (!tryer.isDone()) {
                        tryer.thread().interrupt();
                        sentAt = System.nanoTime(); // the interrupt status is set by now
                    }
                    tryer.mustFinish("rule 6: " + way + " kept waiting although its thread was interrupted while it "
                            + "waited (the interrupt was swallowed)");
                    tryer.rethrowFailure();
                    assertThat(took[0]).as("rule 1: %s returned true while another thread held the lock all along",
                            way).isFalse();
                    assertThat(mutex.getHoldCount()).as("rule 6: the owner's hold after an interrupted %s", way)
                            .isEqualTo(1);
                    if (threw[0]) {
                        return;
                    }
                    if (sentAt != 0L && sentAt - calledAt[0] < timeoutNanos) {
                        throw new AssertionError("rule 6: " + way + " was interrupted while it waited, "
                                + String.format(java.util.Locale.ROOT, "%.2f ms after the call, of %.2f ms", (sentAt
                                - calledAt[0]) / 1e6, timeoutNanos / 1e6) + ": before its "
                                + "time was up; it returned false instead of throwing InterruptedException: an "
                                + "interrupt stops a tryLock of any timeout, a short one too (do not wait out the "
                                + "rest of the timeout and set the interrupt again)");
                    }
                    // It timed out before the interrupt came (or before the test saw it wait): a longer timeout next.
                }
            } finally {
                mutex.unlock();
            }
        });
    }

    /** Every size of timeout the tests draw, from none to the longest. */
    static final List<String> EVERY_SIZE = List.of("none", "below zero", "below a millisecond", "some milliseconds",
            "some minutes or more", "beyond 292 years", "the longest");

    /** A timeout of {@code tryLock}: an amount in a unit. */
    record Timeout(long amount, TimeUnit unit) {

        boolean tryLock(Mutex mutex) throws InterruptedException {
            return mutex.tryLock(amount, unit);
        }

        @Override
        public String toString() {
            return amount + ", " + unit;
        }
    }

    /**
     * A timeout of the given size (one of {@link #EVERY_SIZE}) in a unit drawn with it, remembered under
     * {@code name}: "beyond 292 years" is more than {@code Long.MAX_VALUE} nanoseconds in a unit above them (what
     * {@code unit.toNanos} makes {@code Long.MAX_VALUE}), "the longest" {@code Long.MAX_VALUE} (or one less) of any
     * unit.
     */
    static Timeout timeoutOf(Shapes round, String size, String name) {
        TimeUnit unit = round.oneOf("unit of " + name, TimeUnit.values());
        return switch (size) {
            case "none" -> new Timeout(0L, unit);
            case "below zero" -> new Timeout(round.oneOf("timeout below zero, " + name, -1L, Long.MIN_VALUE,
                    -round.between("some time below zero, " + name, 2L, 1_000_000L)), unit);
            case "below a millisecond" -> {
                TimeUnit small = round.oneOf("unit below a millisecond, " + name, TimeUnit.NANOSECONDS,
                        TimeUnit.MICROSECONDS);
                yield new Timeout(small == TimeUnit.NANOSECONDS ? round.between("nanoseconds, " + name, 1L, 999_999L)
                        : round.between("microseconds, " + name, 1L, 999L), small);
            }
            case "some milliseconds" -> new Timeout(round.between("milliseconds, " + name, 1L, 350L),
                    TimeUnit.MILLISECONDS);
            case "some minutes or more" -> {
                long least = Math.max(1L, unit.convert(1, TimeUnit.MINUTES));
                long most = Math.max(least, unit.convert(3_650, TimeUnit.DAYS));
                yield new Timeout(round.between("amount, " + name, least, most), unit);
            }
            case "beyond 292 years" -> {
                TimeUnit coarse = round.oneOf("unit beyond 292 years, " + name, TimeUnit.MICROSECONDS,
                        TimeUnit.MILLISECONDS, TimeUnit.SECONDS, TimeUnit.MINUTES, TimeUnit.HOURS, TimeUnit.DAYS);
                long least = Long.MAX_VALUE / coarse.toNanos(1) + 1;
                yield new Timeout(round.between("amount, " + name, least, Long.MAX_VALUE - 1), coarse);
            }
            case "the longest" -> new Timeout(round.oneOf("the longest timeout, " + name, Long.MAX_VALUE,
                    Long.MAX_VALUE - 1), unit);
            default -> throw new IllegalArgumentException(size);
        };
    }
}

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
            Actor.alone("free-tryer", "tryLock() of a free lock", "tryLock() waited on a free lock (rule 5)", () -> {
                assertThat(mutex.tryLock(none, unit)).as("rule 5: tryLock(%d %s) of a free lock", none, unit)
                        .isTrue();
                assertThat(mutex.tryLock(longest, unit)).as("rule 5: tryLock(%d %s) by the owner", longest, unit)
                        .isTrue();
                mutex.unlock();
                mutex.unlock();
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
    @DisplayName("stops tryLock and lockInterruptibly when interrupted before or while they wait, taking nothing")
    void stopsInterruptibleWaits(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            String way = round.oneOf("way", "lockInterruptibly()", "tryLock(1 hour)");
            boolean before = round.chance("interrupted before the call", 0.5);
            mutex.lock();
            Actor waiter = Actor.start("recalled-" + round.between("picker", 1, 99), () -> {
                if (before) {
                    Thread.currentThread().interrupt();
                }
                try {
                    if (way.equals("lockInterruptibly()")) {
                        mutex.lockInterruptibly();
                    } else {
                        mutex.tryLock(1, TimeUnit.HOURS);
                    }
                } catch (InterruptedException expected) {
                    assertThat(mutex.isHeldByCurrentThread()).as("rule 6: %s threw InterruptedException but "
                            + "took the lock", way).isFalse();
                    return;
                }
                throw new AssertionError("rule 6: " + way + " returned although its thread was interrupted "
                        + (before ? "before the call" : "while it waited") + " and the lock was held all along");
            });
            if (!before) {
                waiter.awaitWaiting("rule 6: " + way + " while another thread holds the lock");
                waiter.thread().interrupt();
            }
            waiter.mustFinish("rule 6: " + way + " kept waiting although its thread was interrupted "
                    + (before ? "before the call" : "while it waited") + " (the interrupt was swallowed)");
            waiter.rethrowFailure();
            assertThat(mutex.getHoldCount()).as("rule 6: the owner's hold after an interrupted waiter gave up")
                    .isEqualTo(1);
            mutex.unlock();
            Actor.alone("next-picker", "lock() once the owner let go, after an interrupted waiter", "the lock "
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
            List<String> sizes = round.shuffled("timeouts, one of each size", List.of("none", "below zero",
                    "below a millisecond", "some milliseconds", "the longest"));
            List<String> calls = new ArrayList<>();
            for (String size : sizes) {
                TimeUnit unit = round.oneOf("unit of " + size, TimeUnit.values());
                long timeout = switch (size) {
                    case "none" -> 0L;
                    case "below zero" -> round.oneOf("timeout below zero", -1L, Long.MIN_VALUE,
                            -round.between("some time below zero", 2L, 1_000_000L));
                    case "below a millisecond" -> {
                        unit = round.oneOf("unit below a millisecond", TimeUnit.NANOSECONDS, TimeUnit.MICROSECONDS);
                        yield unit == TimeUnit.NANOSECONDS ? round.between("nanoseconds", 1L, 999_999L)
                                : round.between("microseconds", 1L, 999L);
                    }
                    case "some milliseconds" -> {
                        unit = TimeUnit.MILLISECONDS;
                        yield round.between("milliseconds", 1L, 350L);
                    }
                    default -> round.oneOf("the longest timeout", Long.MAX_VALUE, Long.MAX_VALUE - 1);
                };
                calls.add("tryLock(" + timeout + ", " + unit + ")");
                long t = timeout;
                TimeUnit u = unit;
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
}

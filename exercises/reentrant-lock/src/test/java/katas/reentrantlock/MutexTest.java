package katas.reentrantlock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import katas.testkit.Contention;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Watch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The visible tests of the mutex, one or more per rule of the README. The test's own thread often holds the lock
 * while an {@link Actor} asks for it: the actor must then wait (its thread is seen WAITING), and go on once the
 * test lets go. Shapes (how deep, how many threads, how long a timeout) are drawn from the seed.
 */
@DisplayName("Mutex")
@KataTest
class MutexTest {

    static final String NOT_REENTRANT = "its owner asked for it again and waited for itself (self-deadlock: the lock "
            + "is not reentrant; rule 2)";

    @Nested
    @DisplayName("on one thread")
    class OnOneThread {

        @Test
        @Tag("rule-2")
        @DisplayName("lets its owner take it again and again, counting the holds, and frees it at the last unlock")
        void countsTheHoldsOfItsOwner(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                Mutex mutex = new Mutex();
                int depth = round.between("nested locks", 2, 40);
                Actor.alone("picker-" + round.between("picker", 1, 99), "lock() by the thread that holds it",
                        NOT_REENTRANT, () -> {
                            for (int i = 1; i <= depth; i++) {
                                mutex.lock();
                                assertThat(mutex.getHoldCount()).as("rule 2: getHoldCount() after %d lock() calls", i)
                                        .isEqualTo(i);
                                assertThat(mutex.isHeldByCurrentThread()).as("rule 2: isHeldByCurrentThread() after "
                                        + "lock()").isTrue();
                            }
                            for (int i = depth - 1; i >= 0; i--) {
                                mutex.unlock();
                                assertThat(mutex.getHoldCount()).as("rule 2: getHoldCount() after %d lock() and %d "
                                        + "unlock() calls", depth, depth - i).isEqualTo(i);
                                assertThat(mutex.isHeldByCurrentThread()).as("rule 2: isHeldByCurrentThread() with "
                                        + "%d holds left (the lock is free only at the last unlock)", i).isEqualTo(i > 0);
                            }
                        });
                Actor.alone("next-picker", "lock() by another thread once the owner has unlocked as often as it "
                        + "locked", "the lock was not freed at the last unlock (rule 2)", () -> {
                            mutex.lock();
                            assertThat(mutex.getHoldCount()).as("rule 2: a new owner's first hold").isEqualTo(1);
                            mutex.unlock();
                        });
            });
        }

        @Test
        @Tag("rule-3")
        @DisplayName("refuses an unlock by a thread that does not own it, and changes nothing")
        void refusesAnUnlockByAnotherThread(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                Mutex mutex = new Mutex();
                int holds = round.between("holds of the owner", 1, 5);
                assertUnlockRefused(mutex, "a thread that never locked it, while nobody holds it");
                lockTimes(mutex, holds);
                assertUnlockRefused(mutex, "a thread that does not own it, while the test's thread holds it "
                        + holds + " times");
                assertThat(mutex.getHoldCount()).as("rule 3: the owner's holds after another thread's refused "
                        + "unlock()").isEqualTo(holds);
                String ownerName = Thread.currentThread().getName();
                Actor namesake = Actor.start(ownerName, () -> {
                    assertThatThrowsIllegalMonitorState(mutex::unlock, "unlock() by another thread that has the "
                            + "same name as the owner, '" + ownerName + "' (the owner is a thread, not a name)");
                    assertThat(mutex.getHoldCount()).as("rule 2: getHoldCount() of another thread named like the "
                            + "owner, '%s' (the owner is a thread, not a name)", ownerName).isZero();
                    assertThat(mutex.isHeldByCurrentThread()).as("rule 2: isHeldByCurrentThread() of another thread "
                            + "named like the owner, '%s'", ownerName).isFalse();
                    assertThat(mutex.tryLock(0, TimeUnit.SECONDS)).as("rule 1: tryLock(0) by another thread named "
                            + "like the owner, '%s': the lock belongs to the owner's thread, not its name", ownerName)
                            .isFalse();
                });
                namesake.mustFinish("rule 3: unlock() and tryLock(0) by a thread named like the owner must return "
                        + "at once");
                namesake.rethrowFailure();
                assertThat(mutex.getHoldCount()).as("rule 3: the owner's holds after a thread with its name tried "
                        + "to unlock").isEqualTo(holds);
                Actor intruder = Actor.start("intruder", () -> assertThat(mutex.tryLock(0, TimeUnit.SECONDS))
                        .as("rule 3: tryLock(0) by another thread after its refused unlock(): the lock is still "
                                + "the owner's").isFalse());
                intruder.mustFinish("rule 5: tryLock(0) on a lock held by another thread must return false at once");
                intruder.rethrowFailure();
                for (int i = 0; i < holds; i++) {
                    mutex.unlock();
                }
                assertThat(mutex.isHeldByCurrentThread()).isFalse();
                assertThatThrowsIllegalMonitorState(mutex::unlock, "unlock() once more by the thread that has "
                        + "unlocked as often as it locked");
                mutex.lock();
                assertThat(mutex.getHoldCount()).as("rule 3: a refused unlock() must not count a hold below zero: "
                        + "the first hold after it").isEqualTo(1);
                mutex.unlock();
            });
        }
    }

    /**
     * Takes {@code holds} holds on the calling thread. First a thread of its own takes and gives back as many, so
     * that a lock that is not reentrant fails here, saying so, instead of hanging the test's own thread.
     */
    static void lockTimes(Mutex mutex, int holds) throws InterruptedException {
        if (holds > 1 && !mutex.isHeldByCurrentThread()) {
            Actor.alone("reentrancy-probe", "lock() by the thread that holds it", NOT_REENTRANT, () -> {
                for (int i = 0; i < holds; i++) {
                    mutex.lock();
                }
                for (int i = 0; i < holds; i++) {
                    mutex.unlock();
                }
            });
        }
        for (int i = 0; i < holds; i++) {
            mutex.lock();
        }
    }

    /** Fails unless an unlock() on another thread throws IllegalMonitorStateException. */
    static void assertUnlockRefused(Mutex mutex, String who) throws InterruptedException {
        Actor other = Actor.start("stranger", () -> assertThatThrowsIllegalMonitorState(mutex::unlock,
                "unlock() by " + who));
        other.mustFinish("rule 3: unlock() by a thread that does not own the lock must throw at once");
        other.rethrowFailure();
    }

    static void assertThatThrowsIllegalMonitorState(Runnable unlock, String what) {
        try {
            unlock.run();
        } catch (IllegalMonitorStateException expected) {
            return;
        }
        throw new AssertionError("rule 3: " + what + " returned normally; it must throw IllegalMonitorStateException "
                + "and change nothing");
    }

    @Nested
    @DisplayName("between threads")
    class BetweenThreads {

        @Test
        @Tag("rule-1")
        @Tag("rule-4")
        @DisplayName("makes every other thread wait while it is held, then lets them in one at a time")
        void makesOthersWaitThenLetsThemInOneAtATime(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                Mutex mutex = new Mutex();
                int waiters = round.between("waiting threads", 1, 6);
                AtomicBoolean testHolds = new AtomicBoolean(true);
                AtomicInteger inside = new AtomicInteger();
                AtomicInteger most = new AtomicInteger();
                mutex.lock();
                List<Actor> actors = new ArrayList<>();
                for (int i = 0; i < waiters; i++) {
                    actors.add(Actor.start("packer-" + i, () -> {
                        mutex.lock();
                        try {
                            assertThat(testHolds.get()).as("rule 1: lock() returned while another thread held "
                                    + "the lock").isFalse();
                            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                            Thread.yield();
                            inside.decrementAndGet();
                        } finally {
                            mutex.unlock();
                        }
                    }));
                }
                for (Actor actor : actors) {
                    actor.awaitWaiting("rule 1: lock() while another thread holds it");
                    assertThat(actor.isDone()).as("rule 1: lock() by '%s' returned while the test's thread held "
                            + "the lock", actor.thread().getName()).isFalse();
                }
                testHolds.set(false);
                mutex.unlock();
                for (Actor actor : actors) {
                    actor.mustFinish("rule 4: '" + actor.thread().getName() + "' waited for the lock and never got "
                            + "it after it was freed (a lost wakeup: nobody woke it, or it was woken before the lock "
                            + "was free and went back to sleep)");
                    actor.rethrowFailure();
                }
                assertThat(most.get()).as("rule 1: threads inside the lock at once, of %d released together",
                        waiters).isEqualTo(1);
            });
        }

        @Test
        @Tag("rule-1")
        @Tag("rule-2")
        @DisplayName("keeps one thread at a time inside, under contention, whichever way each one locks")
        void keepsOneThreadInsideUnderContention(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                Mutex mutex = new Mutex();
                int threads = round.between("threads", 2, 8);
                int calls = round.between("calls each", 200, 1_500);
                int deepest = round.between("deepest nesting", 1, 4);
                AtomicInteger inside = new AtomicInteger();
                int[] plainCount = {0};
                try (Watch watch = Watch.of("rule 1: at most one thread holds the lock", () -> inside.get() > 1
                        ? inside.get() + " threads between lock() and unlock() at once" : null)) {
                    Contention.threads(threads).callsEach(calls).named("clerk").within(Duration.ofSeconds(10))
                            .run((thread, call) -> {
                                int depth = 1 + (thread + call) % deepest;
                                takeOnce(mutex, (thread * 31 + call) % 3);
                                inside.incrementAndGet();
                                for (int i = 1; i < depth; i++) {
                                    mutex.lock();
                                }
                                plainCount[0]++;
                                if (mutex.getHoldCount() != depth) {
                                    throw new AssertionError("rule 2: getHoldCount() was " + mutex.getHoldCount()
                                            + " after " + depth + " holds");
                                }
                                inside.decrementAndGet();
                                for (int i = 0; i < depth; i++) {
                                    mutex.unlock();
                                }
                            });
                }
                assertThat(plainCount[0]).as("rule 1: a plain counter incremented only while holding the lock, "
                        + "%d threads x %d calls (a lower count: two threads were inside at once)", threads, calls)
                        .isEqualTo(threads * calls);
            });
        }
    }

    @Nested
    @DisplayName("with a timeout")
    class WithATimeout {

        @Test
        @Tag("rule-5")
        @DisplayName("tryLock takes a free lock, its own again, and gives up on another's after the timeout")
        void tryLockTakesWhatItCanAndGivesUpInTime(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                Mutex mutex = new Mutex();
                long millis = round.between("timeout (ms)", 1, 40);
                Actor.alone("stocker", "tryLock() of a free lock and again by its owner", NOT_REENTRANT, () -> {
                    assertThat(mutex.tryLock(millis, TimeUnit.MILLISECONDS)).as("rule 5: tryLock(%d ms) of a free "
                            + "lock", millis).isTrue();
                    assertThat(mutex.tryLock(0, TimeUnit.MILLISECONDS)).as("rule 5: tryLock(0) by the owner").isTrue();
                    assertThat(mutex.getHoldCount()).as("rule 5: holds after two tryLock() calls").isEqualTo(2);
                    mutex.unlock();
                    mutex.unlock();
                });
                mutex.lock();
                long[] waited = {0};
                Actor late = Actor.start("late-stocker", () -> {
                    long start = System.nanoTime();
                    boolean took = mutex.tryLock(millis, TimeUnit.MILLISECONDS);
                    waited[0] = System.nanoTime() - start;
                    assertThat(took).as("rule 5: tryLock(%d ms) while another thread holds the lock", millis).isFalse();
                    assertThat(mutex.isHeldByCurrentThread()).as("rule 5: a tryLock() that returned false took the "
                            + "lock").isFalse();
                    assertThat(mutex.getHoldCount()).as("rule 5: holds after a tryLock() that returned false")
                            .isZero();
                });
                late.mustFinish("rule 5: tryLock(" + millis + " ms) on a lock held by another thread must give up "
                        + "once its time is up");
                late.rethrowFailure();
                assertThat(Duration.ofNanos(waited[0])).as("rule 5: tryLock(%d ms) gave up before its time was up",
                        millis).isGreaterThanOrEqualTo(Duration.ofMillis(millis));
                assertThat(mutex.getHoldCount()).as("rule 5: the owner's holds after another thread's tryLock() "
                        + "gave up").isEqualTo(1);
                long[] tiny = {round.oneOf("a tiny timeout (ns)", 1L, 500_000L, 999_999L),
                    round.between("a timeout below a millisecond (ns)", 1L, 999_999L)};
                for (long nanos : tiny) {
                    Actor hasty = Actor.start("hasty-stocker", () -> assertThat(mutex.tryLock(nanos,
                            TimeUnit.NANOSECONDS)).as("rule 5: tryLock(%d ns) while another thread holds the lock",
                            nanos).isFalse());
                    hasty.mustFinish("rule 5: tryLock(" + nanos + " ns) on a lock held by another thread must give "
                            + "up once its time is up (a wait of less than a millisecond rounded down to wait(0), "
                            + "which waits forever?)");
                    hasty.rethrowFailure();
                }
                mutex.unlock();
            });
        }

        @Test
        @Tag("rule-5")
        @Tag("rule-4")
        @DisplayName("tryLock takes a lock that is freed while it waits")
        void tryLockTakesALockFreedWhileItWaits(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                Mutex mutex = new Mutex();
                long minutes = round.between("timeout (minutes)", 1, 60 * 24);
                mutex.lock();
                boolean[] took = {false};
                Actor waiter = Actor.start("shift-" + round.between("shift", 1, 9), () -> {
                    took[0] = mutex.tryLock(minutes, TimeUnit.MINUTES);
                    if (took[0]) {
                        mutex.unlock();
                    }
                });
                waiter.awaitWaiting("rule 5: tryLock() while another thread holds the lock");
                assertThat(waiter.isDone()).as("rule 5: tryLock(%d min) returned while another thread held the "
                        + "lock", minutes).isFalse();
                mutex.unlock();
                waiter.mustFinish("rule 4: tryLock(" + minutes + " min) waited for the lock and never got it after "
                        + "it was freed (a lost wakeup)");
                waiter.rethrowFailure();
                assertThat(took[0]).as("rule 5: tryLock(%d min) of a lock freed while it waited", minutes).isTrue();
            });
        }
    }

    @Nested
    @DisplayName("when interrupted")
    class WhenInterrupted {

        @Test
        @Tag("rule-6")
        @DisplayName("lockInterruptibly stops waiting when its thread is interrupted, and takes nothing")
        void lockInterruptiblyStopsWaiting(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                Mutex mutex = new Mutex();
                int holds = round.between("holds of the owner", 1, 3);
                lockTimes(mutex, holds);
                Actor waiter = Actor.start("cancelled-order-" + round.between("order", 1, 999), () -> {
                    try {
                        mutex.lockInterruptibly();
                    } catch (InterruptedException expected) {
                        assertThat(mutex.isHeldByCurrentThread()).as("rule 6: lockInterruptibly() threw "
                                + "InterruptedException but took the lock").isFalse();
                        return;
                    }
                    throw new AssertionError("rule 6: lockInterruptibly() returned although its thread was "
                            + "interrupted while it waited for another thread's lock"
                            + (mutex.isHeldByCurrentThread() ? ", and it took the lock" : ""));
                });
                waiter.awaitWaiting("rule 6: lockInterruptibly() while another thread holds the lock");
                waiter.thread().interrupt();
                waiter.mustFinish("rule 6: lockInterruptibly() kept waiting after its thread was interrupted (the "
                        + "InterruptedException was swallowed)");
                waiter.rethrowFailure();
                assertThat(mutex.getHoldCount()).as("rule 6: the owner's holds after an interrupted waiter gave up")
                        .isEqualTo(holds);
                for (int i = 0; i < holds; i++) {
                    mutex.unlock();
                }
                Actor.alone("next-order", "lock() after an interrupted waiter gave up", "the lock was left taken "
                        + "by the interrupted waiter (rule 6)", () -> {
                            mutex.lock();
                            mutex.unlock();
                        });
            });
        }

        @Test
        @Tag("rule-6")
        @DisplayName("lock() keeps waiting when its thread is interrupted, takes the lock once freed, and keeps "
                + "the interrupt")
        void lockKeepsWaitingAndTheInterrupt(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                Mutex mutex = new Mutex();
                AtomicBoolean testHolds = new AtomicBoolean(true);
                boolean[] seen = new boolean[3];
                mutex.lock();
                Actor waiter = Actor.start("night-shift-" + round.between("shift", 1, 99), () -> {
                    mutex.lock();
                    seen[0] = !testHolds.get();
                    seen[1] = mutex.isHeldByCurrentThread();
                    seen[2] = Thread.currentThread().isInterrupted();
                    mutex.unlock();
                });
                waiter.awaitWaiting("rule 6: lock() while another thread holds the lock");
                int interrupts = round.between("interrupts", 1, 3);
                for (int i = 0; i < interrupts; i++) {
                    waiter.thread().interrupt();
                    waiter.awaitDone(Duration.ofMillis(30));
                }
                assertThat(waiter.isDone()).as("rule 6: lock() returned (or threw) when its thread was interrupted "
                        + "while another thread held the lock: it must keep waiting").isFalse();
                testHolds.set(false);
                mutex.unlock();
                waiter.mustFinish("rule 4: an interrupted lock() never got the lock after it was freed");
                waiter.rethrowFailure();
                assertThat(seen[0]).as("rule 1: lock() returned while the test's thread still held the lock").isTrue();
                assertThat(seen[1]).as("rule 6: after lock() returned, isHeldByCurrentThread()").isTrue();
                assertThat(seen[2]).as("rule 6: the interrupt status after lock() returned: lock() must keep it "
                        + "(set it again after it caught InterruptedException)").isTrue();
                Actor.alone("early-shift", "lock() of a free lock by an interrupted thread", NOT_REENTRANT, () -> {
                    Thread.currentThread().interrupt();
                    mutex.lock();
                    boolean kept = Thread.currentThread().isInterrupted();
                    mutex.unlock();
                    assertThat(kept).as("rule 6: the interrupt status after lock() of a free lock by a thread "
                            + "interrupted before the call: lock() must keep it, never clear it").isTrue();
                });
                mutex.lock();
                boolean[] keptAfterWait = {false};
                Actor late = Actor.start("late-shift", () -> {
                    Thread.currentThread().interrupt();
                    mutex.lock();
                    keptAfterWait[0] = Thread.currentThread().isInterrupted();
                    mutex.unlock();
                });
                late.awaitWaiting("rule 6: lock() by an interrupted thread while another thread holds the lock");
                mutex.unlock();
                late.mustFinish("rule 4: lock() by a thread interrupted before the call never got the lock after it "
                        + "was freed");
                late.rethrowFailure();
                assertThat(keptAfterWait[0]).as("rule 6: the interrupt status after lock() by a thread interrupted "
                        + "before the call, once the lock was freed: lock() must keep it, never clear it").isTrue();
            });
        }
    }

    /** Takes the lock once, by lock(), lockInterruptibly() or tryLock(a day). */
    static void takeOnce(Mutex mutex, int how) throws InterruptedException {
        switch (how) {
            case 0 -> mutex.lock();
            case 1 -> mutex.lockInterruptibly();
            default -> {
                if (!mutex.tryLock(1, TimeUnit.DAYS)) {
                    throw new AssertionError("rule 5: tryLock(1 day) returned false");
                }
            }
        }
    }
}

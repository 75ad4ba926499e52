package katas.reentrantlock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: waiters woken early ({@link Wakeups}: notifyAll on the lock's monitors, unpark), as the JVM may wake
 * them at any time. A waiter must look again and go back to waiting while the lock is held (rule 4), and a
 * tryLock's timeout is for the whole call, however often it wakes (rule 5).
 */
@DisplayName("Mutex, with waiters woken early")
@KataTest
class MutexWakeupTest {

    @Test
    @Tag("rule-4")
    @Tag("rule-1")
    @DisplayName("sends a waiter woken while the lock is still held back to waiting, whichever way it locks")
    void sendsAWaiterWokenEarlyBackToWaiting(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            int count = round.between("waiting threads", 1, 4);
            int wakeups = round.between("early wakeups", 2, 6);
            AtomicBoolean testHolds = new AtomicBoolean(true);
            mutex.lock();
            List<Actor> waiters = new ArrayList<>();
            List<String> ways = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String way = round.oneOf("way " + i, "lock()", "lockInterruptibly()", "tryLock(1 day)");
                ways.add(way);
                waiters.add(Actor.start("picker-" + i, () -> {
                    switch (way) {
                        case "lock()" -> mutex.lock();
                        case "lockInterruptibly()" -> mutex.lockInterruptibly();
                        default -> assertThat(mutex.tryLock(1, TimeUnit.DAYS)).as("rule 5: tryLock(1 day) of a "
                                + "lock freed while it waited").isTrue();
                    }
                    boolean early = testHolds.get();
                    mutex.unlock();
                    assertThat(early).as("rule 4: %s returned when its thread was woken while another thread still "
                            + "held the lock: a waiter woken early must look again (while, not if)", way).isFalse();
                }));
            }
            List<Thread> threads = waiters.stream().map(Actor::thread).toList();
            for (Actor waiter : waiters) {
                waiter.awaitWaiting("rule 1: " + ways.get(waiters.indexOf(waiter)) + " while another thread holds it");
            }
            for (int w = 0; w < wakeups; w++) {
                Wakeups.wakeEarly(mutex, threads);
                // Time for a waiter that does not look again to run on and take the lock; one that looks again
                // goes back to waiting, and nothing here depends on how long that takes.
                for (Actor waiter : waiters) {
                    waiter.awaitDone(Duration.ofMillis(20));
                }
            }
            for (Actor waiter : waiters) {
                if (waiter.isDone()) {
                    waiter.rethrowFailure();
                    throw new AssertionError("rule 4: " + ways.get(waiters.indexOf(waiter)) + " returned when its "
                            + "thread was woken while another thread still held the lock");
                }
            }
            testHolds.set(false);
            mutex.unlock();
            for (Actor waiter : waiters) {
                waiter.mustFinish("rule 4: a waiter woken early, then sent back to waiting, never got the lock "
                        + "after it was freed");
                waiter.rethrowFailure();
            }
        });
    }

    @Test
    @Tag("rule-5")
    @DisplayName("ends tryLock's wait once its timeout is up, however often its thread is woken meanwhile")
    void endsTryLockInTimeDespiteWakeups(Shapes shapes) throws Exception {
        // Wakeups far more often than the timeout: a tryLock that starts its timeout again at each one can only give
        // up when a whole timeout passes between two of them, which even a busy machine rarely allows three times.
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            long millis = round.between("timeout (ms)", 200, 350);
            long wakeEveryMillis = round.between("woken every (ms)", 1, 4);
            mutex.lock();
            boolean[] took = {true};
            long[] waited = {0};
            Actor waiter = Actor.start("tryer", () -> {
                long start = System.nanoTime();
                took[0] = mutex.tryLock(millis, TimeUnit.MILLISECONDS);
                waited[0] = System.nanoTime() - start;
            });
            waiter.awaitWaiting("rule 5: tryLock(" + millis + " ms) while another thread holds the lock");
            long patience = System.nanoTime() + Actor.PATIENCE.toNanos();
            while (!waiter.isDone() && System.nanoTime() < patience) {
                Wakeups.wakeEarly(mutex, List.of(waiter.thread()));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(wakeEveryMillis));
            }
            boolean done = waiter.isDone();
            mutex.unlock();
            waiter.mustFinish("rule 5: tryLock() never returned");
            waiter.rethrowFailure();
            assertThat(done).as("rule 5: tryLock(%d ms) still waited after %d s while its thread was woken every %d "
                    + "ms: the timeout must count from the call, not start again at every wakeup", millis,
                    Actor.PATIENCE.toSeconds(), wakeEveryMillis).isTrue();
            assertThat(took[0]).as("rule 5: tryLock(%d ms) of a lock held by another thread all along", millis)
                    .isFalse();
            assertThat(Duration.ofNanos(waited[0])).as("rule 5: tryLock(%d ms), woken every %d ms, gave up before its "
                    + "time was up: a wakeup is no reason to stop waiting", millis, wakeEveryMillis)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(millis));
        });
    }
}

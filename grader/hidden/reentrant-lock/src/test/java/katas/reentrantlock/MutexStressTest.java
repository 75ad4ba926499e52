package katas.reentrantlock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import katas.testkit.Contention;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Watch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: many threads at once. Waves of waiters released together (every one must get its turn, one at a
 * time: rule 4, rule 1) and a crowd taking the lock in every way, nested, watched all along (rules 1 and 2).
 */
@DisplayName("Mutex under contention")
@KataTest
class MutexStressTest {

    @Test
    @Tag("rule-4")
    @Tag("rule-1")
    @DisplayName("lets every waiter of a wave in, one at a time, once the lock is freed")
    void letsEveryWaiterOfAWaveIn(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            int waves = round.between("waves", 2, 5);
            AtomicInteger inside = new AtomicInteger();
            try (Watch watch = Watch.of("rule 1: at most one thread holds the lock", () -> inside.get() > 1
                    ? inside.get() + " waiters inside the lock at once" : null)) {
                for (int w = 0; w < waves; w++) {
                    int count = round.between("waiters of wave " + w, 2, 9);
                    mutex.lock();
                    List<Actor> waiters = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        boolean nested = (i & 1) == 1;
                        waiters.add(Actor.start("wave" + w + "-picker-" + i, () -> {
                            MutexTest.takeOnce(mutex, 0);
                            inside.incrementAndGet();
                            if (nested) {
                                mutex.lock();
                            }
                            LockSupport.parkNanos(200_000); // long enough for a second thread let in to be seen
                            inside.decrementAndGet();
                            if (nested) {
                                mutex.unlock();
                            }
                            mutex.unlock();
                        }));
                    }
                    for (Actor waiter : waiters) {
                        waiter.awaitWaiting("rule 1: lock() while another thread holds it");
                    }
                    mutex.unlock();
                    for (Actor waiter : waiters) {
                        waiter.mustFinish("rule 4: '" + waiter.thread().getName() + "', one of " + count + " threads "
                                + "waiting when the lock was freed, never got it (a lost wakeup)");
                        waiter.rethrowFailure();
                    }
                }
            }
        });
    }

    @Test
    @Tag("rule-1")
    @Tag("rule-2")
    @DisplayName("keeps a crowd out while one thread is inside, whichever way and however deep each one locks")
    void keepsACrowdOut(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            Mutex mutex = new Mutex();
            int threads = round.between("threads", 3, 12);
            int calls = round.between("calls each", 500, 3_000);
            int deepest = round.between("deepest nesting", 1, 5);
            AtomicInteger inside = new AtomicInteger();
            AtomicLong holdsSeen = new AtomicLong();
            long[] plain = {0};
            try (Watch watch = Watch.of("rule 1: at most one thread holds the lock", () -> inside.get() > 1
                    ? inside.get() + " threads between lock() and unlock() at once" : null)) {
                Contention.threads(threads).callsEach(calls).named("crowd").within(Duration.ofSeconds(10))
                        .run((thread, call) -> {
                            int depth = 1 + (thread * 13 + call * 7) % deepest;
                            MutexTest.takeOnce(mutex, (thread + call) % 3);
                            inside.incrementAndGet();
                            for (int i = 1; i < depth; i++) {
                                MutexTest.takeOnce(mutex, (thread + call + i) % 3);
                            }
                            plain[0]++;
                            holdsSeen.addAndGet(mutex.getHoldCount());
                            inside.decrementAndGet();
                            for (int i = 0; i < depth; i++) {
                                mutex.unlock();
                            }
                            if (mutex.getHoldCount() != 0 || mutex.isHeldByCurrentThread()) {
                                throw new AssertionError("rule 2: after " + depth + " holds and as many unlocks, "
                                        + "getHoldCount() was " + mutex.getHoldCount());
                            }
                        });
            }
            long expectedHolds = 0;
            for (int t = 0; t < threads; t++) {
                for (int c = 0; c < calls; c++) {
                    expectedHolds += 1 + (t * 13 + c * 7) % deepest;
                }
            }
            assertThat(plain[0]).as("rule 1: a plain counter incremented only under the lock, %d threads x %d",
                    threads, calls).isEqualTo((long) threads * calls);
            assertThat(holdsSeen.get()).as("rule 2: the sum of getHoldCount() seen inside").isEqualTo(expectedHolds);
        });
    }
}

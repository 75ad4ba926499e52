package katas.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class WakeableLockTest {

    @Test
    @DisplayName("wakeEarly() wakes a waiter that waits with if, and a waiter that waits with while waits again")
    void wakesWaitersWithoutChangingAnything() throws Exception {
        WakeableLock lock = new WakeableLock();
        Condition ready = lock.newCondition();
        AtomicInteger wakeups = new AtomicInteger();
        CountDownLatch returned = new CountDownLatch(1);
        Thread ifWaiter = new Thread(() -> {
            lock.lock();
            try {
                ready.await(); // the mistake under test: no loop around the wait
                wakeups.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
                returned.countDown();
            }
        });
        ifWaiter.start();
        awaitWaiters(lock, 1);

        lock.wakeEarly();

        assertThat(returned.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(wakeups).hasValue(1);
        assertThat(lock.conditionsMade()).isEqualTo(1);
    }

    @Test
    @DisplayName("threadsWaitingOnConditions() names the waiting threads and no one else")
    void namesTheThreadsWaitingOnItsConditions() throws Exception {
        WakeableLock lock = new WakeableLock();
        Condition never = lock.newCondition();
        Thread waiter = new Thread(() -> {
            lock.lock();
            try {
                while (true) {
                    never.await();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        });
        assertThat(lock.threadsWaitingOnConditions()).isEmpty();
        waiter.start();
        awaitWaiters(lock, 1);
        assertThat(lock.threadsWaitingOnConditions()).containsExactly(waiter);

        lock.wakeEarly();
        awaitWaiters(lock, 1);
        assertThat(waiter.isAlive()).isTrue();

        waiter.interrupt();
        waiter.join(5_000);
        assertThat(lock.threadsWaitingOnConditions()).isEmpty();
    }

    @Test
    @DisplayName("conditionWaits() writes down each wait before it lets go, and whether its time was up after")
    void writesDownEveryWait() throws Exception {
        WakeableLock lock = new WakeableLock();
        Condition never = lock.newCondition();
        lock.lock();
        try {
            assertThat(never.awaitNanos(1_000)).isLessThanOrEqualTo(0);
            assertThat(never.await(1, TimeUnit.MICROSECONDS)).isFalse();
        } finally {
            lock.unlock();
        }
        Thread waiter = new Thread(() -> {
            lock.lock();
            try {
                never.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        });
        waiter.start();
        awaitWaiters(lock, 1);
        assertThat(lock.conditionWaits()).extracting(WakeableLock.ConditionWait::how)
                .containsExactly("awaitNanos(1000)", "await(1, MICROSECONDS)", "await()");
        assertThat(lock.conditionWaits()).extracting(WakeableLock.ConditionWait::timeWasUp)
                .containsExactly(true, true, false);
        assertThat(lock.conditionWaits().get(2).over()).as("a wait under way").isFalse();
        assertThat(lock.longestWaitAsked()).isEqualTo(Long.MAX_VALUE);
        lock.lock();
        try {
            assertThat(lock.hasWaiters(never)).as("hasWaiters() of a condition it handed out").isTrue();
        } finally {
            lock.unlock();
        }
        waiter.interrupt();
        waiter.join(5_000);
        assertThat(lock.conditionWaits().get(2).over()).as("a wait ended by an interrupt").isTrue();
        assertThat(lock.conditionWaits().get(2).timeWasUp()).isFalse();
    }

    @Test
    @DisplayName("afterNextReleaseBy() runs once, on the thread named, when it lets go of the lock completely")
    void runsAnActionOnceAfterTheNamedThreadLetsGo() {
        WakeableLock lock = new WakeableLock();
        java.util.List<String> seen = new java.util.ArrayList<>();
        lock.afterNextReleaseBy(Thread.currentThread(),
                () -> seen.add("held " + lock.isHeldByCurrentThread() + " on " + Thread.currentThread().getName()));
        lock.lock();
        lock.lock();
        lock.unlock();
        assertThat(seen).as("after an inner unlock, the lock still held").isEmpty();
        lock.unlock();
        assertThat(seen).containsExactly("held false on " + Thread.currentThread().getName());
        lock.lock();
        lock.unlock();
        assertThat(seen).as("after a second release").hasSize(1);
    }

    @Test
    @DisplayName("afterNextReleaseBy() ignores the releases of other threads")
    void ignoresOtherThreads() throws Exception {
        WakeableLock lock = new WakeableLock();
        AtomicInteger runs = new AtomicInteger();
        lock.afterNextReleaseBy(Thread.currentThread(), runs::incrementAndGet);
        Thread other = new Thread(() -> {
            lock.lock();
            lock.unlock();
        });
        other.start();
        other.join(5_000);
        assertThat(runs).hasValue(0);
        lock.lock();
        lock.unlock();
        assertThat(runs).hasValue(1);
    }

    @Test
    @DisplayName("a look at the waiters names the thread that ended holding the lock instead of hanging")
    void namesAThreadThatEndedHoldingTheLock() throws Exception {
        WakeableLock lock = new WakeableLock();
        Thread careless = new Thread(lock::lock, "careless-runner");
        careless.start();
        careless.join();

        org.assertj.core.api.Assertions.assertThatThrownBy(lock::threadsWaitingOnConditions)
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("careless-runner ended while holding it")
                .hasMessageContaining("unlock(), in a finally block");
    }

    private static void awaitWaiters(WakeableLock lock, int count) throws InterruptedException {
        while (lock.threadsWaitingOnConditions().size() < count) {
            Thread.sleep(1);
        }
    }
}

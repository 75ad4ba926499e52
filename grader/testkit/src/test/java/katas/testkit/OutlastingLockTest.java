package katas.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class OutlastingLockTest {

    @Test
    @DisplayName("a timed tryLock of another thread, however long, hears no while the test holds the lock for good")
    void refusesEveryTimedTryWhileHeldForGood() throws Exception {
        OutlastingLock lock = new OutlastingLock();
        lock.holdForGood();
        try {
            assertThat(onAnotherThread(() -> lock.tryLock(1, TimeUnit.DAYS))).isFalse();
            assertThat(onAnotherThread(() -> lock.tryLock(Long.MAX_VALUE, TimeUnit.NANOSECONDS))).isFalse();
            assertThat(onAnotherThread(() -> lock.tryLock(-1, TimeUnit.SECONDS))).isFalse();
            assertThat(lock.tryLock(1, TimeUnit.DAYS)).as("the holder's own timed try").isTrue();
            lock.unlock();
        } finally {
            lock.unlock();
        }
        assertThat(onAnotherThread(() -> {
            boolean taken = lock.tryLock(1, TimeUnit.DAYS);
            lock.unlock();
            return taken;
        })).as("a timed try once the test has let go").isTrue();
    }

    @Test
    @DisplayName("a lock() waiter waits its turn, and takes the lock once the test lets go")
    void letsAnUntimedWaiterWaitItsTurn() throws Exception {
        OutlastingLock lock = new OutlastingLock();
        lock.holdForGood();
        CompletableFuture<Boolean> waiter = CompletableFuture.supplyAsync(() -> {
            lock.lock();
            lock.unlock();
            return true;
        });
        while (!lock.hasQueuedThreads()) {
            Thread.sleep(1);
        }
        assertThat(waiter).isNotDone();
        lock.unlock();
        assertThat(waiter.get(20, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    @DisplayName("short tries in a loop are counted as polls; a wait in the queue and tries of a second are not")
    void countsTheShortTriesOfAPollingCaller() throws Exception {
        OutlastingLock lock = new OutlastingLock();
        lock.holdForGood();
        Thread poller;
        Thread patient;
        Thread secondByTheSecond;
        try {
            poller = Thread.ofPlatform().daemon(true).start(() -> {
                try {
                    while (!lock.tryLock(10, TimeUnit.MILLISECONDS)) {
                        // asks again
                    }
                    lock.unlock();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            patient = Thread.ofPlatform().daemon(true).start(() -> {
                if (!lock.tryLock()) {
                    lock.lock();
                }
                lock.unlock();
            });
            secondByTheSecond = Thread.ofPlatform().daemon(true).start(() -> {
                try {
                    while (!lock.tryLock(1, TimeUnit.SECONDS)) {
                        // asks again
                    }
                    lock.unlock();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            while (!lock.polled(poller) || !lock.hasQueuedThread(patient)) {
                Thread.sleep(1);
            }
            Thread.sleep(200);
        } finally {
            lock.unlock();
        }
        for (Thread thread : List.of(poller, patient, secondByTheSecond)) {
            thread.join(20_000);
        }
        assertThat(lock.polled(poller)).as("tryLock(10 ms) in a loop: %s", lock.triesOf(poller)).isTrue();
        assertThat(lock.triesOf(poller)).startsWith("tryLock(10 ms), tryLock(10 ms)");
        assertThat(lock.shortTries(patient)).as("tryLock() once, then lock()").isEqualTo(1);
        assertThat(lock.polled(patient)).isFalse();
        assertThat(lock.shortTries(secondByTheSecond)).as("tryLock(1 s) in a loop: %s",
                lock.triesOf(secondByTheSecond)).isZero();
        assertThat(lock.triesOf(secondByTheSecond)).startsWith("tryLock(1000 ms)");
    }

    private interface Try {
        boolean call() throws InterruptedException;
    }

    private static boolean onAnotherThread(Try call) throws Exception {
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable failure) {
                result.completeExceptionally(failure);
            }
        });
        return result.get(20, TimeUnit.SECONDS);
    }
}

package katas.testkit;

import static org.assertj.core.api.Assertions.assertThat;

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

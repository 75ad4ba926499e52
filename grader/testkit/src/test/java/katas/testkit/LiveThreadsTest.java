package katas.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class LiveThreadsTest {

    @Test
    void aVirtualThreadThatStillRunsIsListedWithItsName() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        Thread named = Thread.ofVirtual().name("health \"monitor\"/1").start(() -> awaitQuietly(release));
        Thread unnamed = Thread.ofVirtual().start(() -> awaitQuietly(release));
        try {
            assertThat(LiveThreads.virtualThreads()).extracting(LiveThreads.Seen::id, LiveThreads.Seen::name)
                    .contains(org.assertj.core.groups.Tuple.tuple(named.threadId(), "health \"monitor\"/1"),
                            org.assertj.core.groups.Tuple.tuple(unnamed.threadId(), ""));
        } finally {
            release.countDown();
            named.join();
            unnamed.join();
        }
        assertThat(LiveThreads.virtualIds()).doesNotContain(named.threadId(), unnamed.threadId());
    }

    @Test
    void platformThreadsAreNotListed() {
        assertThat(LiveThreads.virtualIds()).doesNotContain(Thread.currentThread().threadId());
    }

    @Test
    void aDumpsThreadsAreReadWithEscapedNames() {
        String dump = """
                {"threadDump": {"threadContainers": [{"container": "<root>", "threads": [
                  {"tid": "3", "time": "t", "name": "main", "state": "RUNNABLE", "stack": ["a.b(C.java:1)"]},
                  {"tid": "23", "time": "t", "virtual": true, "name": "pool\\/servant \\"1\\"", "state": "WAITING",
                   "stack": []}]}]}}
                """;
        assertThat(LiveThreads.threadsIn(dump)).containsExactly(new LiveThreads.Seen(3, "main", "RUNNABLE"),
                new LiveThreads.Seen(23, "pool/servant \"1\"", "WAITING"));
    }

    @Test
    void aDumpWithoutStatesListsItsThreadsAsAlive() {
        String dump = """
                {"threadDump": {"threadContainers": [{"container": "<root>", "threads": [
                  {"tid": "31", "name": "servant", "stack": []}]}]}}
                """;
        assertThat(LiveThreads.threadsIn(dump)).containsExactly(new LiveThreads.Seen(31, "servant", "ALIVE"));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException stop) {
            Thread.currentThread().interrupt();
        }
    }
}

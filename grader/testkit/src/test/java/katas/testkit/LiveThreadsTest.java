package katas.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
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
    void aSnapshotListsTheThreadsStartedSinceItPlatformAndVirtualButNotTheTestsOwn() throws InterruptedException {
        LiveThreads.Snapshot since = LiveThreads.snapshot();
        CountDownLatch release = new CountDownLatch(1);
        Thread daemon = Thread.ofPlatform().daemon(true).name("watchdog").start(() -> awaitQuietly(release));
        Thread ignored = TestThreads.own(Thread.ofPlatform().daemon(true).name("the test's own")
                .unstarted(() -> awaitQuietly(release)));
        ignored.start();
        Thread virtual = Thread.ofVirtual().name("servant").start(() -> awaitQuietly(release));
        try {
            assertThat(since.startedSince()).anyMatch(line -> line.startsWith("'watchdog' (daemon, "))
                    .anyMatch(line -> line.startsWith("virtual thread 'servant' (")).noneMatch(line -> line.contains("the test's own"));
        } finally {
            release.countDown();
            daemon.join();
            ignored.join();
            virtual.join();
        }
        assertThat(since.startedSince()).noneMatch(line -> line.contains("'watchdog'")
                || line.contains("'servant'") || line.contains("the test's own"));
    }

    @Test
    void threadsNamedLikeTheJdksOrTheTestsAreListedButTheTestsOwnAreNot() throws Exception {
        LiveThreads.Snapshot since = LiveThreads.snapshot();
        CountDownLatch release = new CountDownLatch(1);
        Thread reaper = Thread.ofPlatform().daemon(true).name("process reaper").start(() -> awaitQuietly(release));
        Thread scheduler = Thread.ofPlatform().daemon(true).name("CompletableFutureDelayScheduler")
                .start(() -> awaitQuietly(release));
        Thread watch = Thread.ofPlatform().daemon(true).name("watch").start(() -> awaitQuietly(release));
        Thread own = TestThreads.own(Thread.ofPlatform().daemon(true).name("sampler").unstarted(() -> awaitQuietly(release)));
        own.start();
        // The JDK's own, started after the snapshot: a process's reaper, a delayed task's scheduler
        new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-version").start().onExit()
                .get(30, java.util.concurrent.TimeUnit.SECONDS);
        java.util.concurrent.CompletableFuture.delayedExecutor(1, java.util.concurrent.TimeUnit.MILLISECONDS)
                .execute(() -> { });
        java.lang.ref.Cleaner cleaner = java.lang.ref.Cleaner.create(); // its thread is code's own, not the JDK's
        try {
            assertThat(since.startedSince()).hasSize(4).contains("'process reaper' (daemon, WAITING)",
                    "'CompletableFutureDelayScheduler' (daemon, WAITING)", "'watch' (daemon, WAITING)")
                    .anyMatch(line -> line.startsWith("'Cleaner-"));
            assertThat(cleaner).isNotNull();
        } finally {
            release.countDown();
            for (Thread t : new Thread[] {reaper, scheduler, watch, own}) {
                t.join();
            }
        }
    }

    @Test
    void aThreadOnItsWayOutIsGivenTimeToEnd() throws InterruptedException {
        LiveThreads.Snapshot since = LiveThreads.snapshot();
        CountDownLatch release = new CountDownLatch(1);
        Thread ending = Thread.ofPlatform().daemon(true).name("ending").start(() -> awaitQuietly(release));
        Thread.ofPlatform().daemon(true).start(() -> {
            LockSupport.parkNanos(100_000_000L);
            release.countDown();
        });
        assertThat(since.stillRunningAfter(Duration.ofSeconds(30))).isEmpty();
        assertThat(ending.isAlive()).isFalse();
    }

    @Test
    void theVirtualThreadsDelaySchedulerIsTheJdks() throws InterruptedException {
        // A virtual thread's timed wait starts the scheduler's delay thread (JDK 25: "ForkJoinPool-1-delayScheduler",
        // in the carriers' group); a pool's own delay scheduler of the same name is not the JDK's.
        LiveThreads.Snapshot since = LiveThreads.snapshot();
        Thread.ofVirtual().start(() -> LockSupport.parkNanos(Duration.ofMillis(5).toNanos())).join();
        assertThat(since.startedSince()).noneMatch(line -> line.contains("delayScheduler"));
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().endsWith("delayScheduler"))
                .allMatch(LiveThreads::isTheJdks);
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

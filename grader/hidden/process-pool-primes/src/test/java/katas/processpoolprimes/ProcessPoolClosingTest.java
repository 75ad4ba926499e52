package katas.processpoolprimes;

import static katas.processpoolprimes.Pools.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import katas.testkit.KataTest;
import katas.testkit.LiveThreads;
import katas.testkit.Shapes;
import katas.testkit.ThreadEnd;
import katas.testkit.ThreadsLeftBehind;
import katas.testkit.TestThreads;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/** Hidden: close() in every situation, from any thread, at any moment; and an interrupted count. */
@DisplayName("ProcessPool closing, hidden")
@KataTest
// Rule 12 on every path a test takes, not only in the tests about closing (red team I)
@ExtendWith(ThreadsLeftBehind.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcessPoolClosingTest {

    private static final ProbeHub.Options IGNORE_EOF = new ProbeHub.Options(0, true);

    @Test
    @Order(1)
    @Tag("rule-12")
    @Tag("rule-14")
    @DisplayName("asks every worker to stop, kills those that do not, and returns only once all have exited, leaving alone the interrupt status of a caller nobody interrupted")
    void asksThenKillsThenWaits(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 1, 4);
        try (ProbeHub hub = ProbeHub.start(IGNORE_EOF, ProbeHub::answer); ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            Pools.Cut cut = Pools.cut(shapes, shapes.between("ranges", 1, 10), 100_000);
            Pools.Cut again = Pools.cut(shapes, "second count", shapes.between("second count ranges", 1, 6), 100_000);
            // One thread makes every call, as a program that counts and then closes its pool would: a pool that sets
            // the interrupt status of a caller nobody interrupted (after a count, or a close) is seen by that caller.
            Within.call(Pools.COUNT_BOUND.plus(Pools.CLOSE_BOUND), "two counts, then close() twice, on one thread",
                    "a count of a few ranges takes well under a second; close() must not wait without a bound for these "
                            + "workers, which do not exit when their input ends: ask politely, wait a little (a few "
                            + "hundred milliseconds), then destroy the process", () -> {
                assertThat(pool.countPrimes(cut.from(), cut.to(), cut.rangeSize()))
                        .as("rule 5: the total for %s", cut.describe()).isEqualTo(cut.expectedTotal());
                assertCallerNotInterrupted("countPrimes(" + cut.from() + ", " + cut.to() + ", " + cut.rangeSize() + ")");
                assertThat(pool.countPrimes(again.from(), again.to(), again.rangeSize()))
                        .as("rule 5: the total of a second count on the same thread, %s", again.describe())
                        .isEqualTo(again.expectedTotal());
                assertCallerNotInterrupted("a second countPrimes on the same thread");
                List<ProcessHandle> workers = children.alive();
                pool.close();
                ChildProcesses.assertAllExited(workers, "rule 12", "when close() returned (these workers ignore the end "
                        + "of their input, so close() had to kill them)");
                assertCallerNotInterrupted("close()");
                pool.close();
                ChildProcesses.assertAllExited(workers, "rule 12", "when a second close() returned");
                assertCallerNotInterrupted("a second close() on the same thread");
                return null;
            });
            assertThat(hub.sawEof())
                    .as("rule 12: the workers that saw the end of their input before they were stopped: close() must "
                            + "ask first (close each worker's standard input), give them a moment to exit by "
                            + "themselves, and only then kill those still running; none of these %d was asked", size)
                    .isNotEmpty();
        }
    }

    /** Fails if the calling thread's interrupt status is set after {@code call}, which nobody interrupted; clears it. */
    private static void assertCallerNotInterrupted(String call) {
        assertThat(Thread.interrupted())
                .as("rules 12 and 14: the interrupt status of the thread that called %s was set when it returned, "
                        + "although nobody interrupted that thread: the status belongs to the caller; set it again "
                        + "only after catching an InterruptedException (a wait that really was interrupted), never "
                        + "otherwise (its next wait, or count, would fail at once)", call)
                .isFalse();
    }

    @Test
    @Order(2)
    @Tag("rule-12")
    @Tag("rule-14")
    @DisplayName("lets close() be called by several threads at once, some of them interrupted: each returns only once every worker has exited")
    void aSecondCloseWaitsToo(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 1, 3);
        // Some closers call with their interrupt status set (a shutdown path, a cancelled task): at least two, so that
        // one of them finds another close() under way, whoever comes first; at least one is not interrupted, and one
        // of those is drawn to be interrupted while it waits (red team P: a second close() that waits with the
        // catch-and-restore idiom returns at once, interrupted, with the workers still running).
        int closers = shapes.between("threads calling close() at once", 3, 5);
        int interruptedBefore = shapes.between("closers called with the interrupt status set", 2, closers - 1);
        int interruptedWhileWaiting = shapes.between("closer interrupted while it waits", interruptedBefore + 1, closers);
        try (ProbeHub hub = ProbeHub.start(IGNORE_EOF, ProbeHub::answer); ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            Pools.Cut cut = Pools.cut(shapes, shapes.between("ranges", 1, 6), 100_000);
            assertThat(count(pool, cut.from(), cut.to(), cut.rangeSize())).as("rule 5: the total for %s", cut.describe())
                    .isEqualTo(cut.expectedTotal());
            List<ProcessHandle> workers = children.alive();
            CountDownLatch gate = new CountDownLatch(1);
            List<String> early = new CopyOnWriteArrayList<>();
            List<String> flagged = new CopyOnWriteArrayList<>();
            List<String> lost = new CopyOnWriteArrayList<>();
            List<CompletableFuture<Object>> calls = new ArrayList<>();
            AtomicReference<Thread> waiter = new AtomicReference<>();
            // Whether the test interrupted the waiting closer before it returned: both decided under one lock, so a
            // closer that sees the interrupt sent also sees its status set, unless close() cleared it (red team S: a
            // second close() that waits for the first dropped an interrupt that came while it waited).
            Object turn = new Object();
            boolean[] sentBeforeReturn = new boolean[1];
            boolean[] returned = new boolean[1];
            for (int i = 1; i <= closers; i++) {
                int closer = i;
                boolean before = closer <= interruptedBefore;
                String who = "close() call " + closer + " of " + closers + (before ? " (called with the interrupt status "
                        + "set)" : closer == interruptedWhileWaiting ? " (interrupted while it waited)" : "");
                calls.add(Within.start("close() #" + i, () -> {
                    gate.await();
                    if (before) {
                        Thread.currentThread().interrupt();
                    }
                    if (closer == interruptedWhileWaiting) {
                        waiter.set(Thread.currentThread()); // from now on, a wait of this thread is one in close()
                    }
                    pool.close();
                    List<ProcessHandle> alive = workers.stream().filter(ProcessHandle::isAlive).toList();
                    if (!alive.isEmpty()) {
                        early.add(who + " returned while " + alive.size() + " worker(s) were still running: "
                                + ChildProcesses.describe(alive));
                    }
                    boolean status;
                    boolean sent;
                    synchronized (turn) {
                        status = Thread.interrupted();
                        if (closer == interruptedWhileWaiting) {
                            returned[0] = true;
                        }
                        sent = closer == interruptedWhileWaiting && sentBeforeReturn[0];
                    }
                    if ((before || sent) && !status) {
                        lost.add(who);
                    } else if (!before && closer != interruptedWhileWaiting && status) {
                        flagged.add(who);
                    }
                    return null;
                }));
            }
            gate.countDown();
            // The closer drawn to be interrupted while it waits is interrupted once it is seen waiting, whichever
            // close() it is: a first close() too must still stop every worker.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            CompletableFuture<Object> waiting = calls.get(interruptedWhileWaiting - 1);
            while (!waiting.isDone() && System.nanoTime() < deadline) {
                Thread thread = waiter.get();
                if (thread != null && (thread.getState() == Thread.State.WAITING
                        || thread.getState() == Thread.State.TIMED_WAITING)
                        && workers.stream().anyMatch(ProcessHandle::isAlive)) {
                    synchronized (turn) {
                        if (!returned[0]) {
                            thread.interrupt();
                            sentBeforeReturn[0] = true;
                        }
                    }
                    break;
                }
                LockSupport.parkNanos(200_000);
            }
            for (CompletableFuture<Object> call : calls) {
                try {
                    call.get(Pools.CLOSE_BOUND.toSeconds(), TimeUnit.SECONDS);
                } catch (TimeoutException hung) {
                    throw new AssertionError("rule 12: one of " + closers + " close() calls made at once did not return "
                            + "within " + Pools.CLOSE_BOUND.toSeconds() + " s: a second close() waits for the first to "
                            + "finish stopping the workers, with a bound, and never waits forever");
                }
            }
            assertThat(early)
                    .as("rules 12 and 14: %d threads called close() at once (%d of them with the interrupt status set, "
                            + "one more interrupted while it waited); every one of them may return only once every "
                            + "worker has exited, also the ones that found another close() already under way, and also "
                            + "when interrupted: a close() that waits for another one keeps waiting when its wait is "
                            + "interrupted (remember the interrupt, set the status again when the workers are gone)",
                            closers, interruptedBefore)
                    .isEmpty();
            assertThat(lost)
                    .as("rule 14: these close() calls were made with the interrupt status set, or interrupted while "
                            + "they waited, and returned with it cleared: the status belongs to the caller; leave it set "
                            + "(if a wait threw InterruptedException, set it again before returning, also in a close() "
                            + "that waits for another one)")
                    .isEmpty();
            assertThat(flagged)
                    .as("rule 12: %d threads called close() at once, and nobody interrupted these; they returned with "
                            + "their interrupt status set: a close() that waits for another one to finish stopping the "
                            + "workers sets the status again only if its own wait was interrupted", closers)
                    .isEmpty();
        }
    }

    @Test
    @Order(8)
    @Tag("rule-14")
    @Tag("rule-8")
    @DisplayName("leaves nothing of an interrupted count running that could disturb the next count, with many ranges left to send")
    void anInterruptedCountLeavesNothingBehind(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 1, 3);
        Pools.Cut first = Pools.cut(shapes, "interrupted count", shapes.between("interrupted count ranges", 200, 400), 1_000);
        Pools.Cut next = Pools.cut(shapes, "next count", shapes.between("next count ranges", 20, 60), 1_000);
        CountDownLatch release = new CountDownLatch(1);
        try (ProbeHub hub = ProbeHub.start(ask -> {
            if (release.getCount() > 0) {
                release.await(20, TimeUnit.SECONDS); // the interrupted count's first ranges wait until it was interrupted
            }
            return ProbeHub.answer(ask);
        }); ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            AtomicReference<Object> outcome = new AtomicReference<>();
            AtomicBoolean interruptKept = new AtomicBoolean();
            Thread caller = Thread.ofPlatform().daemon(true).name("test calls countPrimes").start(() -> {
                try {
                    outcome.set(pool.countPrimes(first.from(), first.to(), first.rangeSize()));
                } catch (Throwable failure) {
                    outcome.set(failure);
                }
                interruptKept.set(Thread.currentThread().isInterrupted());
            });
            assertThat(hub.awaitProgress(() -> hub.holding().size() >= size, Duration.ofSeconds(10)))
                    .as("rule 7: the workers holding a request of %s at once, of %d, and then nothing happened for 10 s",
                            first.describe(), size)
                    .isTrue();
            caller.interrupt();
            caller.join(5_000);
            int asked = hub.asks().size();
            assertThat(ThreadEnd.stillRuns(caller))
                    .as("rule 14: countPrimes was still running 5 s after its thread was interrupted").isFalse();
            assertThat(outcome.get())
                    .as("rule 14: what countPrimes did when its thread was interrupted with %d of its %d ranges asked",
                            asked, first.ranges())
                    .isInstanceOf(IllegalStateException.class);
            assertThat(interruptKept.get()).as("rule 14: the thread's interrupt status after countPrimes threw").isTrue();
            release.countDown(); // the workers answer what they hold, and everything from now on, at once
            Within.Outcome<Long> later = Within.attempt(Pools.COUNT_BOUND, "countPrimes right after an interrupted count",
                    "after an interrupted count, a count must either work or throw IllegalStateException",
                    () -> pool.countPrimes(next.from(), next.to(), next.rangeSize()));
            String leftover = "the interrupted count, " + first.describe() + ", still had " + (first.ranges() - asked)
                    + " ranges to send when countPrimes threw: whatever sends them (threads, tasks) must stop, or the pool "
                    + "be closed, before countPrimes returns";
            if (later.failure() != null) {
                assertThat(later.failure()).as("rule 14: what a count right after the interrupted one threw")
                        .isInstanceOf(IllegalStateException.class);
            } else {
                assertThat(later.value())
                        .as("rule 14: the total of a count right after the interrupted one, %s; %s", next.describe(),
                                leftover)
                        .isEqualTo(next.expectedTotal());
            }
            List<String> broken = hub.violations();
            assertThat(broken.size())
                    .as("rule 8: requests sent to a worker that was still busy (the first: %s), during and after the "
                            + "interrupted count; %s", broken.stream().limit(2).toList(), leftover)
                    .isZero();
            Pools.close(pool, "close() after an interrupted count");
            children.assertNoneAlive("rule 14", "after close(), following an interrupted count");
        }
    }

    @Test
    @Order(7)
    @Tag("rule-12")
    @DisplayName("gives every worker its moment to exit by itself also when close() is called with the interrupt status set")
    void anInterruptedCloseStillAsksFirst(Shapes shapes) throws Exception {
        interruptedClose(shapes, false);
    }

    @Test
    @Order(10)
    @Tag("rule-12")
    @Tag("rule-14")
    @DisplayName("gives every worker its moment to exit by itself also when close() is interrupted while it waits for them")
    void aCloseInterruptedWhileItWaitsStillGivesEveryWorkerItsMoment(Shapes shapes) throws Exception {
        // Red team R: a close() that, interrupted during its polite wait (not before the call: a status set before is
        // cleared up front), killed the worker it waited for and every later one at once, got past the test above,
        // and past aSecondCloseWaitsToo, whose workers ignore the end of their input and are killed anyway.
        interruptedClose(shapes, true);
    }

    /**
     * close() on a pool of workers that exit by themselves a little after their input ends, interrupted before the call
     * (its caller's status set) or while it waits (once its thread is seen waiting, at a drawn moment after): every
     * worker that did not exit by itself must have been killed no sooner than a moment after close() was called.
     */
    private static void interruptedClose(Shapes shapes, boolean whileItWaits) throws Exception {
        String when = whileItWaits ? ", close() interrupted while it waits" : "";
        int size = shapes.between("workers" + when, 2, 3);
        // Interrupted while it waits, the workers take longer to exit (still well inside a right pool's moment), so that
        // the interrupt, sent at a drawn moment once close() is seen waiting, comes before they exit, even late.
        long exitMillis = whileItWaits ? INTERRUPTED_WHILE_WAITING_EXIT_MILLIS : PoliteExitWorker.EXIT_MILLIS;
        int interruptAfterMillis = whileItWaits
                ? shapes.between("ms from when close() is seen waiting to its interrupt", 0, 30) : 0;
        java.nio.file.Path marks = java.nio.file.Files.createTempDirectory("polite-exit");
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(size, PoliteExitWorker.class, marks.toString(),
                    Long.toString(exitMillis)));
            Set<Long> started = new HashSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (started.size() < size && System.nanoTime() < deadline) {
                Thread.sleep(20);
                started = marked(marks, ".started");
            }
            assertThat(started).as("rule 4: the workers that started reading their input within 30 s (of %d)", size)
                    .hasSize(size);
            List<ProcessHandle> workers = children.alive();
            // When each worker is seen gone, judged worker by worker: a worker's death is seen at or after the moment
            // it died, never before (load only makes the sighting later), so a worker that was killed and seen dead
            // less than MOMENT_AT_LEAST after close() was called was killed before it had its moment, whatever the
            // other workers got (red team I: only the first worker killed at once, the later ones given their moment,
            // got past a check of close() as a whole on a busy machine). Two sightings, the earliest kept: a thread of
            // the test's own that polls, and each process's onExit().
            java.util.Map<Long, Long> seenDeadAt = new java.util.concurrent.ConcurrentHashMap<>();
            AtomicLong closeCalledAt = new AtomicLong(Long.MAX_VALUE);
            for (ProcessHandle worker : workers) {
                worker.onExit().thenRun(() -> seenDeadAt.merge(worker.pid(), System.nanoTime(), Math::min));
            }
            AtomicBoolean stopWatching = new AtomicBoolean();
            Thread watcher = TestThreads.own(Thread.ofPlatform().daemon(true).name("test watches the workers die")
                    .priority(Thread.MAX_PRIORITY).unstarted(() -> {
                        while (!stopWatching.get() && seenDeadAt.size() < workers.size()) {
                            for (ProcessHandle worker : workers) {
                                if (!seenDeadAt.containsKey(worker.pid()) && !worker.isAlive()) {
                                    seenDeadAt.merge(worker.pid(), System.nanoTime(), Math::min);
                                }
                            }
                            LockSupport.parkNanos(500_000);
                        }
                    }));
            watcher.start();
            AtomicBoolean interruptKept = new AtomicBoolean();
            AtomicReference<Throwable> failed = new AtomicReference<>();
            AtomicLong closeNanos = new AtomicLong(-1);
            Thread closer = Thread.ofPlatform().daemon(true).name("test calls close").start(() -> {
                if (!whileItWaits) {
                    Thread.currentThread().interrupt(); // as after an interrupted count, which closes the pool
                }
                long start = System.nanoTime();
                closeCalledAt.set(start);
                try {
                    pool.close();
                } catch (Throwable t) {
                    failed.set(t);
                }
                closeNanos.set(System.nanoTime() - start);
                interruptKept.set(Thread.currentThread().isInterrupted());
            });
            // Interrupted while it waits: once close() is seen waiting (for the workers to exit, which these take
            // longer than the drawn moment to do), the drawn moment later, whichever worker it waits for then.
            long interruptedAt = 0;
            if (whileItWaits) {
                long lookUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                boolean seenWaiting = false;
                while (ThreadEnd.stillRuns(closer) && System.nanoTime() < lookUntil) {
                    Thread.State state = closer.getState();
                    if (closeCalledAt.get() != Long.MAX_VALUE
                            && (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)) {
                        seenWaiting = true;
                        break;
                    }
                    LockSupport.parkNanos(100_000);
                }
                if (seenWaiting) {
                    long interruptAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(interruptAfterMillis);
                    while (System.nanoTime() < interruptAt) {
                        LockSupport.parkNanos(interruptAt - System.nanoTime());
                    }
                    if (ThreadEnd.stillRuns(closer)) {
                        closer.interrupt();
                        interruptedAt = System.nanoTime();
                    }
                }
            }
            String how = !whileItWaits ? "called with the interrupt status set" : interruptedAt == 0
                    ? "never seen waiting, so not interrupted"
                    : "interrupted " + TimeUnit.NANOSECONDS.toMillis(interruptedAt - closeCalledAt.get())
                            + " ms after it was called, while it waited for the workers to exit";
            closer.join(Pools.CLOSE_BOUND.toMillis());
            assertThat(ThreadEnd.stillRuns(closer))
                    .as("rule 12: close(), %s, had not returned after %d s", how, Pools.CLOSE_BOUND.toSeconds())
                    .isFalse();
            assertThat(failed.get()).as("rule 12: what close() threw when %s", how).isNull();
            ChildProcesses.assertAllExited(workers, "rule 12", "when close() returned (" + how + ")");
            // Every worker has exited: the onExit sightings come soon; the poller's come at once.
            long sightings = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (seenDeadAt.size() < workers.size() && System.nanoTime() < sightings) {
                Thread.sleep(5);
            }
            stopWatching.set(true);
            watcher.join(5_000);
            Set<Long> sawEof = marked(marks, ".eof");
            Set<Long> exitedByThemselves = marked(marks, ".exited");
            long closeMillis = TimeUnit.NANOSECONDS.toMillis(closeNanos.get());
            // A worker that left no .exited mark was killed. Judged by how long after close() was called it was seen
            // dead, a bound that load can only lengthen, never by whether it got out in time: on a busy machine a
            // worker may not even be scheduled within a right pool's moment.
            List<String> cutShort = new ArrayList<>();
            for (ProcessHandle worker : workers) {
                long pid = worker.pid();
                if (exitedByThemselves.contains(pid)) {
                    continue;
                }
                Long deadAt = seenDeadAt.get(pid);
                long afterClose = deadAt == null ? Long.MAX_VALUE
                        : TimeUnit.NANOSECONDS.toMillis(deadAt - closeCalledAt.get());
                if (afterClose < MOMENT_AT_LEAST_MILLIS || closeMillis < MOMENT_AT_LEAST_MILLIS) {
                    cutShort.add("pid " + pid + (sawEof.contains(pid) ? " (it had seen the end of its input)" : "")
                            + ", killed and seen gone " + (deadAt == null ? "after close() returned" : afterClose
                            + " ms after close() was called"));
                }
            }
            if (!whileItWaits) {
                assertThat(cutShort)
                        .as("rule 12: close() was called from a thread whose interrupt status was set (as when an "
                                + "interrupted count closes the pool), and returned %d ms later; these workers take %d ms "
                                + "to exit once their input ends, but were killed before a moment of %d ms had passed "
                                + "since close() was called (%d of the %d workers saw the end of their input). Every "
                                + "worker is owed its moment, the first one too: an interrupt must not cut it short. If "
                                + "waitFor throws InterruptedException, remember it and wait out the moment (or clear the "
                                + "status first with Thread.interrupted()), and set the status again when close() is done",
                                closeMillis, exitMillis, MOMENT_AT_LEAST_MILLIS, sawEof.size(), size)
                        .isEmpty();
            } else {
                assertThat(cutShort)
                        .as("rules 12 and 14: close() was %s (as when another thread cancels the task that closes the "
                                + "pool), and returned %d ms after it was called; these workers take %d ms to exit once "
                                + "their input ends, but were killed before a moment of %d ms had passed since close() was "
                                + "called (%d of the %d workers saw the end of their input). An interrupt that comes while "
                                + "close() waits cuts the moment short neither for the worker it waits for nor for the "
                                + "later ones: catch InterruptedException, remember it, go on waiting out the moment, "
                                + "and set the status again when close() is done",
                                how, closeMillis, exitMillis, MOMENT_AT_LEAST_MILLIS, sawEof.size(), size)
                        .isEmpty();
            }
            if (!whileItWaits || interruptedAt != 0) {
                assertThat(interruptKept.get())
                        .as("rules 12 and 14: the interrupt status of the thread whose close() was %s: close() must "
                                + "leave it set when it returns (it belongs to the caller)", how)
                        .isTrue();
            }
        } finally {
            try (var files = java.nio.file.Files.list(marks)) {
                for (java.nio.file.Path file : files.toList()) {
                    java.nio.file.Files.deleteIfExists(file);
                }
            }
            java.nio.file.Files.deleteIfExists(marks);
        }
    }

    /**
     * The least time a close() that kills a worker has given it to exit by itself: a right pool waits a few hundred
     * milliseconds (the reference 200) before it kills; one that kills at once returns within a few.
     */
    private static final long MOMENT_AT_LEAST_MILLIS = 190;

    /**
     * How long the workers take to exit once their input ends when close() is interrupted while it waits: inside a right
     * pool's moment (the reference's 200 ms; one that kills them anyway kills them no sooner), and well after the
     * interrupt, which comes at most 30 ms after close() is seen waiting, so that it finds them still exiting.
     */
    private static final long INTERRUPTED_WHILE_WAITING_EXIT_MILLIS = 150;

    private static Set<Long> marked(java.nio.file.Path marks, String suffix) throws java.io.IOException {
        try (var files = java.nio.file.Files.list(marks)) {
            Set<Long> pids = new HashSet<>();
            for (java.nio.file.Path file : files.toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(suffix)) {
                    pids.add(Long.parseLong(name.substring(0, name.length() - suffix.length())));
                }
            }
            return pids;
        }
    }

    @Test
    @Order(5)
    @Tag("rule-12")
    @DisplayName("leaves none of its own threads running once close() has returned")
    void leavesNoThreadRunning(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 1, 3);
        // Besides healthy counts, a count in which a worker dies (and is replaced) and a count whose caller is
        // interrupted: threads the pool starts only then (red team H: a restart scheduler made on the first death,
        // never shut down) must end with close() too.
        Pools.Cut dyingCut = Pools.cut(shapes, "count with a death", shapes.between("count with a death ranges", 1, 8),
                100_000);
        long[] dying = dyingCut.pieces().get(shapes.between("range whose worker dies", 0, dyingCut.ranges() - 1));
        String death = Deaths.draw(shapes, "death", false);
        Pools.Cut interruptedCut = Pools.cut(shapes, "interrupted count",
                shapes.between("interrupted count ranges", 20, 60), 1_000);
        AtomicInteger phase = new AtomicInteger(); // 0: healthy counts, 1: the count with a death, 2: the interrupted one
        AtomicBoolean died = new AtomicBoolean();
        CountDownLatch release = new CountDownLatch(1);
        try (ProbeHub hub = ProbeHub.start(ask -> {
            if (phase.get() == 1 && ask.from() == dying[0] && ask.to() == dying[1] && died.compareAndSet(false, true)) {
                return new ProbeHub.Crash(death);
            }
            if (phase.get() == 2 && release.getCount() > 0) {
                release.await(20, TimeUnit.SECONDS); // the interrupted count's ranges wait until it was interrupted
            }
            return ProbeHub.answer(ask);
        }); ChildProcesses children = ChildProcesses.watch()) {
            LiveThreads.Snapshot since = LiveThreads.snapshot(); // virtual threads too
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            int counts = shapes.between("counts", 1, 3);
            for (int c = 1; c <= counts; c++) {
                Pools.Cut cut = Pools.cut(shapes, "count " + c, shapes.between("count " + c + " ranges", 1, 12), 100_000);
                assertThat(count(pool, cut.from(), cut.to(), cut.rangeSize())).as("rule 5: count %d, %s", c,
                        cut.describe()).isEqualTo(cut.expectedTotal());
            }
            phase.set(1);
            assertThat(count(pool, dyingCut.from(), dyingCut.to(), dyingCut.rangeSize()))
                    .as("rule 5: %s, in which the worker asked %s died (%s)", dyingCut.describe(),
                            ProbeHub.range(dying[0], dying[1]), Deaths.describe(death))
                    .isEqualTo(dyingCut.expectedTotal());
            assertThat(died.get()).as("the worker asked %s was told to die", ProbeHub.range(dying[0], dying[1]))
                    .isTrue();
            phase.set(2);
            Thread caller = TestThreads.own(Thread.ofPlatform().daemon(true).name("test calls countPrimes, to be "
                    + "interrupted").unstarted(() -> {
                        try {
                            pool.countPrimes(interruptedCut.from(), interruptedCut.to(), interruptedCut.rangeSize());
                        } catch (Throwable expected) {
                            // interrupted: rule 14 is checked elsewhere
                        }
                    }));
            caller.start();
            hub.awaitProgress(() -> !hub.holding().isEmpty(), Duration.ofSeconds(10));
            caller.interrupt();
            caller.join(5_000);
            release.countDown();
            Pools.close(pool, "close() should stop " + size + " workers promptly, after a count in which a worker "
                    + "died and an interrupted count");
            assertThat(since.stillRunningAfter(Duration.ofSeconds(3)))
                    .as("rule 12: threads the pool started that were still running 3 s after close() returned (the "
                            + "pool had counted, lost a worker that it replaced, and had a count interrupted): every "
                            + "thread the pool starts, also to replace a dead worker or for a count that was "
                            + "interrupted, must end (an ExecutorService needs shutdown(), a thread waiting on a pipe "
                            + "ends when its worker is gone)")
                    .isEmpty();
        }
    }

    @Test
    @Order(3)
    @Tag("rule-13")
    @DisplayName("ends a count that waits on a worker when close() is called from another thread, then refuses to count")
    void closeDuringACountEndsItAndNoCountFollows(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 1, 3);
        Pools.Cut cut = Pools.cut(shapes, shapes.between("ranges", 1, 10), 100_000);
        int stuckAt = shapes.between("range that never gets an answer", 0, cut.ranges() - 1);
        long[] stuck = cut.pieces().get(stuckAt);
        boolean slowNotHung = shapes.chance("its worker is slow (not hung)", 0.5);
        CountDownLatch release = new CountDownLatch(1);
        // The ranges before the stuck one are answered; the stuck one and every range after it wait as long, so that
        // when close() comes every worker that still has work holds a range that is never answered: each dispatcher
        // of the pool is then in the middle of a request that fails, none between two ranges.
        int holders = Math.min(size, cut.ranges() - stuckAt);
        try (ProbeHub hub = ProbeHub.start(ask -> {
            if (ask.from() >= stuck[0]) {
                if (!slowNotHung) {
                    return new ProbeHub.Hang();
                }
                release.await(20, TimeUnit.SECONDS);
            }
            return ProbeHub.answer(ask);
        }); ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            AtomicReference<Boolean> countLeftInterrupted = new AtomicReference<>();
            CompletableFuture<Long> counting = Within.start("countPrimes",
                    countNotingTheInterrupt(pool, cut, countLeftInterrupted));
            assertThat(hub.awaitProgress(() -> hub.holding().size() >= holders
                            && hub.holding().values().stream().anyMatch(a -> a.from() == stuck[0]), Duration.ofSeconds(10)))
                    .as("rule 13: %d workers did not hold a request at once, %s among them, and then nothing happened "
                            + "for 10 s", holders, ProbeHub.range(stuck[0], stuck[1]))
                    .isTrue();
            Pools.close(pool, "close() was called while countPrimes waited for a worker that does not answer; close() "
                    + "may be called from any thread at any time, and stops the workers within a bound");
            release.countDown();
            try {
                Long total = counting.get(5, TimeUnit.SECONDS);
                throw new AssertionError("rule 13: countPrimes returned " + total + " although the pool was closed before "
                        + "the range " + ProbeHub.range(stuck[0], stuck[1]) + " was ever answered: it must throw "
                        + "IllegalStateException");
            } catch (TimeoutException hung) {
                throw new AssertionError("rule 13: countPrimes was still waiting 5 s after close() returned: once the "
                        + "workers are gone, nobody will ever answer it; it must end with IllegalStateException");
            } catch (ExecutionException failed) {
                assertThat(failed.getCause()).as("rule 13: what countPrimes threw when the pool was closed under it")
                        .isInstanceOf(IllegalStateException.class);
            }
            assertCountCallerNotInterrupted(countLeftInterrupted, "close() was called from another thread while it "
                    + "waited for a worker that does not answer");
            children.assertNoneAlive("rule 13", "after close() returned during a count");
            int probes = hub.probes().size();
            assertThatThrownBy(() -> pool.countPrimes(cut.from(), cut.to(), cut.rangeSize()))
                    .as("rule 13: countPrimes on a closed pool: there are no workers left to count")
                    .isInstanceOf(IllegalStateException.class);
            long x = cut.from();
            Object emptySpan;
            try {
                emptySpan = pool.countPrimes(x, x, 1);
            } catch (RuntimeException thrown) {
                emptySpan = thrown;
            }
            assertThat(emptySpan)
                    .as("rule 13: what countPrimes(%d, %d, 1), an empty span, did on a closed pool: \"countPrimes on a "
                            + "closed pool throws IllegalStateException\", whatever the span; check that the pool is "
                            + "closed before any shortcut for an empty span", x, x)
                    .isInstanceOf(IllegalStateException.class);
            Thread.sleep(100);
            children.assertNoneAlive("rule 13", "after countPrimes was called on a closed pool (it must start nothing)");
            assertThat(hub.probes().size()).as("rule 13: workers started by a count on a closed pool").isEqualTo(probes);
        }
    }

    @Test
    @Order(9)
    @Tag("rule-13")
    @DisplayName("ends a count when close() comes while its workers are answering, with ranges still to send")
    void closeBetweenTwoRangesEndsTheCount(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 1, 2);
        Pools.Cut cut = Pools.cut(shapes, shapes.between("ranges", size + 1, 12), 100_000);
        CountDownLatch release = new CountDownLatch(1);
        // Every worker holds a range until close() is under way, then answers it: the pool then has ranges left to
        // send, and answers in hand, on a closed pool; whatever part of it finds the pool closed must end the count.
        try (ProbeHub hub = ProbeHub.start(ask -> {
            release.await(20, TimeUnit.SECONDS);
            return ProbeHub.answer(ask);
        }); ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            AtomicReference<Boolean> countLeftInterrupted = new AtomicReference<>();
            CompletableFuture<Long> counting = Within.start("countPrimes",
                    countNotingTheInterrupt(pool, cut, countLeftInterrupted));
            assertThat(hub.awaitProgress(() -> hub.holding().size() >= size, Duration.ofSeconds(10)))
                    .as("rule 7: the workers holding a request of %s at once, of %d, and then nothing happened for 10 s",
                            cut.describe(), size)
                    .isTrue();
            AtomicReference<Thread> closer = new AtomicReference<>();
            CompletableFuture<Object> closing = Within.start("close() while every worker holds a range", () -> {
                closer.set(Thread.currentThread());
                pool.close();
                return null;
            });
            // close() is under way once its thread waits (for the workers to exit) or has returned; only then do the
            // workers answer. Whenever they answer, a right pool ends the count, with IllegalStateException or, if it
            // had every answer first, the right total: the moment only decides whether a wrong pool is seen.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!closing.isDone() && System.nanoTime() < deadline) {
                Thread thread = closer.get();
                if (thread != null && (thread.getState() == Thread.State.WAITING
                        || thread.getState() == Thread.State.TIMED_WAITING)) {
                    break;
                }
                LockSupport.parkNanos(100_000);
            }
            release.countDown();
            try {
                closing.get(Pools.CLOSE_BOUND.toSeconds(), TimeUnit.SECONDS);
            } catch (TimeoutException hung) {
                throw new AssertionError("rule 12: close(), called while every worker held a range of a count, did not "
                        + "return within " + Pools.CLOSE_BOUND.toSeconds() + " s");
            }
            try {
                long total = counting.get(5, TimeUnit.SECONDS);
                assertThat(total).as("rule 13: the count closed while its workers were answering returned a total, so "
                        + "it must be the right one for %s", cut.describe()).isEqualTo(cut.expectedTotal());
            } catch (TimeoutException hung) {
                throw new AssertionError("rule 13: countPrimes of " + cut.describe() + " was still waiting 5 s after "
                        + "close() returned; close() came while every one of the " + size + " worker(s) held a range, "
                        + "which they answered as close() began, with ranges still to send: whatever takes the next "
                        + "range and finds the pool closed must report it (so that countPrimes ends with "
                        + "IllegalStateException), not stop without a word");
            } catch (ExecutionException failed) {
                assertThat(failed.getCause()).as("rule 13: what countPrimes threw when the pool was closed under it")
                        .isInstanceOf(IllegalStateException.class);
            }
            assertCountCallerNotInterrupted(countLeftInterrupted, "close() was called from another thread while "
                    + "its workers were answering, with ranges still to send");
            children.assertNoneAlive("rule 13", "after close() returned during a count");
        }
    }

    /**
     * A count of {@code cut} on {@code pool} that notes, in {@code leftInterrupted}, its thread's interrupt status when
     * countPrimes returned or threw. The thread is a new one that nobody interrupts.
     */
    private static java.util.concurrent.Callable<Long> countNotingTheInterrupt(ProcessPool pool, Pools.Cut cut,
            AtomicReference<Boolean> leftInterrupted) {
        return () -> {
            try {
                return pool.countPrimes(cut.from(), cut.to(), cut.rangeSize());
            } finally {
                leftInterrupted.set(Thread.currentThread().isInterrupted());
            }
        };
    }

    /** Fails if a count that nobody interrupted, ended as {@code how}, left its thread's interrupt status set. */
    private static void assertCountCallerNotInterrupted(AtomicReference<Boolean> leftInterrupted, String how) {
        assertThat(leftInterrupted.get())
                .as("rules 13 and 14: the interrupt status of the thread in countPrimes when the count ended; %s, and "
                        + "nobody interrupted that thread, yet it was left set: a count ended by close() throws "
                        + "IllegalStateException and leaves its caller's status as it found it. close() must not wake "
                        + "the count by interrupting its thread (the status belongs to the caller, whose next wait or "
                        + "count would fail at once): end it through what the count waits on (a result, a closed pool "
                        + "seen by whatever hands out the ranges)", how)
                .isEqualTo(Boolean.FALSE);
    }

    @Test
    @Order(6)
    @Tag("rule-13")
    @DisplayName("stops a worker that was being started in place of a dead one when close() came")
    void closeWhileAReplacementStarts(Shapes shapes) throws Exception {
        // The race is short (a JVM's fork and exec) and seen by sampling stacks, or a new child process, which a
        // busy machine can miss: rounds go on until close() came during a start twice, within a bound, so a missed
        // sample costs a round, not the verdict. The bound leaves the last round time inside the test's 20 s: a
        // pool that starts workers on virtual threads, whose stacks are not sampled, could take every round.
        AtomicInteger closedDuringAStart = new AtomicInteger();
        long stopStarting = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (int r = 0; r < MAX_REPLACEMENT_ROUNDS && closedDuringAStart.get() < 2 && System.nanoTime() < stopStarting; r++) {
            closeWhileAReplacementStarts(shapes, closedDuringAStart);
        }
    }

    private static void closeWhileAReplacementStarts(Shapes shapes, AtomicInteger closedDuringAStart) throws Exception {
        shapes.check(1, round -> {
            int size = round.between("workers", 1, 2);
            Pools.Cut cut = Pools.cut(round, round.between("ranges", 1, 6), 100_000);
            long[] dying = cut.pieces().get(round.between("range whose worker dies", 0, cut.ranges() - 1));
            String death = Deaths.draw(round, "death", false);
            AtomicBoolean died = new AtomicBoolean();
            try (ProbeHub hub = ProbeHub.start(ask -> {
                if (ask.from() == dying[0] && ask.to() == dying[1] && ask.attempt() == 1) {
                    died.set(true);
                    return new ProbeHub.Crash(death);
                }
                return ProbeHub.answer(ask);
            }); ChildProcesses children = ChildProcesses.watch()) {
                ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
                AtomicReference<Boolean> countLeftInterrupted = new AtomicReference<>();
                CompletableFuture<Long> counting = Within.start("countPrimes",
                        countNotingTheInterrupt(pool, cut, countLeftInterrupted));
                AtomicReference<String> when = new AtomicReference<>("(no start of a new worker was seen)");
                CompletableFuture<Object> closing = Within.start("close() as a new worker starts", () -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(8);
                    long diedAt = 0;
                    Set<Long> childrenAtDeath = Set.of();
                    while (System.nanoTime() < deadline) {
                        if (died.get() && diedAt == 0) {
                            // The replacement starts soon after the death: past that, this round missed it.
                            diedAt = System.nanoTime();
                            deadline = Math.min(deadline, diedAt + TimeUnit.SECONDS.toNanos(3));
                            childrenAtDeath = childPids();
                        }
                        if (diedAt != 0 && (startingAProcess() || !childrenAtDeath.containsAll(childPids()))) {
                            when.set("while a thread of the pool was in ProcessBuilder.start()");
                            closedDuringAStart.incrementAndGet();
                            break;
                        }
                        LockSupport.parkNanos(20_000);
                    }
                    pool.close();
                    return null;
                });
                try {
                    closing.get(Pools.CLOSE_BOUND.toSeconds() + 8, TimeUnit.SECONDS);
                } catch (TimeoutException hung) {
                    throw new AssertionError("rule 13: close() called " + when.get() + " did not return within "
                            + Pools.CLOSE_BOUND.toSeconds() + " s");
                }
                try {
                    long total = counting.get(5, TimeUnit.SECONDS);
                    assertThat(total).as("rule 13: the count closed %s returned a total, so it must be the right one "
                            + "for %s", when.get(), cut.describe()).isEqualTo(cut.expectedTotal());
                } catch (TimeoutException hung) {
                    throw new AssertionError("rule 13: countPrimes was still waiting 5 s after close() returned");
                } catch (ExecutionException failed) {
                    assertThat(failed.getCause()).as("rule 13: what countPrimes threw when the pool was closed under it")
                            .isInstanceOf(IllegalStateException.class);
                }
                assertCountCallerNotInterrupted(countLeftInterrupted, "close() was called from another thread "
                        + when.get() + ", after a worker died");
                List<ProcessHandle> left = children.awaitNoneAlive(Duration.ofSeconds(3));
                assertThat(left)
                        .as("rule 13: close() was called %s, after the worker on %s %s; these workers were still running "
                                + "3 s after close() returned and the count ended: a worker being started in place of a "
                                + "dead one when close() comes must be seen and stopped by close(), or never be started "
                                + "(one lock around both)", when.get(), ProbeHub.range(dying[0], dying[1]),
                                Deaths.describe(death))
                        .isEmpty();
            }
        });
    }

    private static final int MAX_REPLACEMENT_ROUNDS = 6;

    /** This JVM's child processes, by process id: one more than at a worker's death is its replacement, starting. */
    private static Set<Long> childPids() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    }

    /** Whether some platform thread (not this one) is starting a process right now. */
    private static boolean startingAProcess() {
        for (var entry : Thread.getAllStackTraces().entrySet()) {
            if (entry.getKey() != Thread.currentThread() && Arrays.stream(entry.getValue()).anyMatch(f ->
                    (f.getClassName().equals("java.lang.ProcessBuilder") || f.getClassName().equals("java.lang.ProcessImpl"))
                            && f.getMethodName().equals("start"))) {
                return true;
            }
        }
        return false;
    }

    @Test
    @Order(4)
    @Tag("rule-14")
    @DisplayName("ends a count promptly when its thread is interrupted, before or during it, keeps the interrupt, and never gives a wrong total")
    void anInterruptedCountEndsPromptly(Shapes shapes) throws Exception {
        interruptedCount(shapes, false);
        // Interrupted before it calls: a count that clears a status it did not cause (red team F) loses the
        // caller's interrupt and counts on.
        interruptedCount(shapes, true);
    }

    private static void interruptedCount(Shapes shapes, boolean before) throws Exception {
        String when = before ? ", interrupted before the call" : "";
        int size = shapes.between("workers" + when, 1, 3);
        Pools.Cut cut = Pools.cut(shapes, "count" + when, shapes.between("ranges" + when, 1, 10), 100_000);
        long[] held = cut.pieces().get(shapes.between("range held back" + when, 0, cut.ranges() - 1));
        CountDownLatch release = new CountDownLatch(1);
        try (ProbeHub hub = ProbeHub.start(ask -> {
            if (ask.from() == held[0] && ask.to() == held[1] && ask.attempt() == 1) {
                release.await(20, TimeUnit.SECONDS);
            }
            return ProbeHub.answer(ask);
        }); ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            AtomicReference<Object> outcome = new AtomicReference<>();
            AtomicBoolean interruptKept = new AtomicBoolean();
            Thread caller = Thread.ofPlatform().daemon(true).name("test calls countPrimes").start(() -> {
                if (before) {
                    Thread.currentThread().interrupt();
                }
                try {
                    outcome.set(pool.countPrimes(cut.from(), cut.to(), cut.rangeSize()));
                } catch (Throwable failure) {
                    outcome.set(failure);
                }
                interruptKept.set(Thread.currentThread().isInterrupted());
            });
            if (!before) {
                assertThat(hub.awaitProgress(() -> hub.holding().values().stream().anyMatch(a -> a.from() == held[0]),
                        Duration.ofSeconds(10)))
                        .as("rule 14: no worker was asked %s, and then nothing happened for 10 s",
                                ProbeHub.range(held[0], held[1]))
                        .isTrue();
                caller.interrupt();
            }
            caller.join(5_000);
            release.countDown();
            assertThat(ThreadEnd.stillRuns(caller))
                    .as("rule 14: countPrimes was still running 5 s after its thread was interrupted%s, while a worker "
                            + "held %s: an interrupted count must end promptly (with IllegalStateException)",
                            before ? " (before it called countPrimes)" : "", ProbeHub.range(held[0], held[1]))
                    .isFalse();
            assertThat(outcome.get())
                    .as("rule 14: what countPrimes did when its thread was interrupted %s: it must throw "
                            + "IllegalStateException (the total is not known)", before ? "before the call (an interrupt "
                            + "that came before is the caller's: keep it, and end the count)" : "before "
                            + ProbeHub.range(held[0], held[1]) + " was answered")
                    .isInstanceOf(IllegalStateException.class);
            assertThat(interruptKept.get())
                    .as("rule 14: the thread's interrupt status after countPrimes threw: keep it set "
                            + "(Thread.currentThread().interrupt() after catching InterruptedException), so that the "
                            + "caller can see it was interrupted")
                    .isTrue();
            hub.policy(ProbeHub::answer);
            Pools.Cut next = Pools.cut(shapes, "next count" + when, shapes.between("next count ranges" + when, 1, 8),
                    100_000);
            Within.Outcome<Long> later = Within.attempt(Pools.COUNT_BOUND, "countPrimes after an interrupted count",
                    "after an interrupted count, a count must either work or throw IllegalStateException",
                    () -> pool.countPrimes(next.from(), next.to(), next.rangeSize()));
            if (later.failure() != null) {
                assertThat(later.failure()).as("rule 14: what a count after the interrupted one threw")
                        .isInstanceOf(IllegalStateException.class);
            } else {
                assertThat(later.value())
                        .as("rule 14: a count after the interrupted one, %s, may fail but never give a wrong total (the "
                                + "interrupted count's answers may still be on their way)", next.describe())
                        .isEqualTo(next.expectedTotal());
            }
            Pools.close(pool, "close() after an interrupted count");
            children.assertNoneAlive("rule 14", "after close(), following an interrupted count");
        }
    }
}

package katas.threadlocalcontext;

import static katas.threadlocalcontext.RequestServerTest.HOUR;
import static katas.threadlocalcontext.RequestServerTest.probe;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import katas.testkit.EveryFailure;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Sneaky;
import katas.testkit.ThreadEnd;
import katas.testkit.time.RunningBudget;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden tests of the edges: requests and tasks nested several levels deep in the caller's thread, a flusher
 * that idles for an hour, two close() calls at once, and a last write that fails.
 */
@DisplayName("RequestServer at the edges")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RequestServerEdgeTest {

    @Test
    @Order(5)
    @Tag("rule-2")
    @Tag("rule-3")
    @DisplayName("gives every level back its own context when requests and forks run nested in the caller's thread")
    void nestedInTheCallersThread(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int depth = round.between("levels", 2, 5);
            List<RequestContext> contexts = Desk.contexts(round, depth + 1);
            List<Boolean> forks = new ArrayList<>();
            for (int level = 1; level < depth; level++) {
                forks.add(round.chance("level " + level + " forks", 0.5));
            }
            boolean innermostFails = round.chance("innermost fails", 0.5);
            Throwable failure = round.failure("failure", "the badge reader is offline");
            try (Desk desk = Desk.callerRuns(HOUR)) {
                RequestServer server = desk.server;
                CountDownLatch hold = new CountDownLatch(1);
                List<String> wrong = new java.util.concurrent.CopyOnWriteArrayList<>();
                Future<Object> outer = server.handle(contexts.get(0), () -> {
                    // Keep the worker pool's only thread busy, so that every fork below runs in its caller.
                    Future<Object> busy = server.fork(() -> hold.await(Desk.PATIENCE.toMillis(),
                            TimeUnit.MILLISECONDS));
                    level(server, contexts, forks, 1, contexts.get(0), innermostFails, failure, wrong);
                    hold.countDown();
                    busy.get();
                    return null;
                });
                desk.get(outer, "the outer request");
                assertThat(wrong).as("levels %s (true: a fork, false: a request), each run in its caller's thread by "
                        + "a full pool: each must see its own context and give its caller's back (rules 2 and 3)",
                        forks).isEmpty();
                assertThat(desk.onPool(desk.requests, () -> probe(server), "a plain task")).as("a plain task "
                        + "after it all (rule 2)").isEqualTo("no context");
            }
        });
    }

    private static void level(RequestServer server, List<RequestContext> contexts, List<Boolean> forks, int level,
            RequestContext mine, boolean innermostFails, Throwable failure, List<String> wrong) throws Exception {
        if (level > forks.size()) {
            return;
        }
        boolean fork = forks.get(level - 1);
        RequestContext theirs = fork ? mine : contexts.get(level);
        boolean last = level == forks.size();
        Callable<Object> inner = () -> {
            if (!Objects.equals(server.current(), theirs)) {
                wrong.add("level " + level + " found " + Desk.who(server.current()) + ", not " + Desk.who(theirs));
            }
            level(server, contexts, forks, level + 1, theirs, innermostFails, failure, wrong);
            if (!Objects.equals(server.current(), theirs)) {
                wrong.add("level " + level + " found " + Desk.who(server.current()) + " after its inner levels, "
                        + "not its own " + Desk.who(theirs));
            }
            if (last && innermostFails) {
                throw Sneaky.raise(failure);
            }
            return null;
        };
        Future<Object> done = fork ? server.fork(inner) : server.handle(theirs, inner);
        if (!done.isDone()) {
            wrong.add("level " + level + " did not run in its caller's thread");
        }
        if (!Objects.equals(server.current(), mine)) {
            wrong.add("after level " + level + (last && innermostFails ? " threw " + failure : "") + ", its caller "
                    + "found " + Desk.who(server.current()) + " instead of its own " + Desk.who(mine));
        }
    }

    @Test
    @Order(1)
    @Tag("rule-6")
    @DisplayName("waits without spinning while there is nothing to write")
    void idlesWithoutSpinning(Shapes shapes) throws Exception {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Desk desk = Desk.of(1, 1, HOUR)) {
            List<Thread> flusher = desk.serversThreads();
            assertThat(flusher).as("threads started by the constructor (rule 6)").isNotEmpty();
            long before = flusher.stream().mapToLong(t -> Math.max(0, mx.getThreadCpuTime(t.threadId()))).sum();
            long start = System.nanoTime();
            Thread.sleep(shapes.between("idle time (ms)", 400, 600));
            long wall = System.nanoTime() - start;
            long used = flusher.stream().mapToLong(t -> Math.max(0, mx.getThreadCpuTime(t.threadId()))).sum() - before;
            assertThat(used).as("CPU time (ns) the server's threads used in %d ms with nothing to write: a flusher waits "
                    + "(park, sleep, wait) between writes, it never spins (rule 6)", wall / 1_000_000)
                    .isLessThan(Math.min(wall / 10, 15_000_000L));
        }
    }

    @Test
    @Order(4)
    @Tag("rule-8")
    @DisplayName("lets two close() calls at once both return once everything is written")
    void twoClosesAtOnce(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            List<RequestContext> contexts = Desk.contexts(round, round.between("requests", 1, 9));
            Expected expected = new Expected();
            try (Desk desk = Desk.of(1, 1, round.chance("hour-long period", 0.5) ? HOUR : Duration.ofMillis(3))) {
                RequestServer server = desk.server;
                for (RequestContext context : contexts) {
                    desk.get(server.handle(context, () -> {
                        server.audit(expected.message(context, context.traceId(), 1));
                        server.audit(expected.message(context, context.traceId(), 2));
                        return null;
                    }), "a request that audits");
                }
                CountDownLatch gate = new CountDownLatch(1);
                List<Thread> closers = new ArrayList<>();
                List<Throwable> thrown = new java.util.concurrent.CopyOnWriteArrayList<>();
                List<String> early = new java.util.concurrent.CopyOnWriteArrayList<>();
                for (int c = 0; c < 2; c++) {
                    Thread closer = new Thread(() -> {
                        try {
                            gate.await();
                            server.close();
                            String missing = expected.check(desk.sink.written(), "rule 5");
                            if (missing != null) {
                                early.add(missing);
                            }
                        } catch (Throwable failure) {
                            thrown.add(failure);
                        }
                    }, "closer " + c);
                    closer.setDaemon(true);
                    closer.start();
                    closers.add(closer);
                }
                gate.countDown();
                assertThat(new RunningBudget(Duration.ofSeconds(3)).joinAll(closers)).as("two close() calls at "
                        + "once should both return (rule 8)").isTrue();
                assertThat(thrown).as("what the two close() calls threw").isEmpty();
                assertThat(early).as("what the sink had been given when each close() returned (rule 8)").isEmpty();
            }
        });
    }

    @Test
    @Order(3)
    @Tag("rule-8")
    @Tag("rule-6")
    @DisplayName("returns from close() when the last write throws, whatever it throws")
    void closeWhenTheLastWriteFails(Shapes shapes) throws Exception {
        for (Throwable failure : Desk.oneFailureOfEachKind(shapes, "the audit disk is full")) {
            RequestContext context = Desk.contexts(shapes, 1).get(0);
            try (Desk desk = Desk.of(1, 1, HOUR)) {
                RequestServer server = desk.server;
                desk.sink.failWrite(1, failure);
                desk.get(server.handle(context, () -> {
                    server.audit("badge " + context.traceId());
                    return null;
                }), "a request that audits");
                assertThat(desk.closeWithin(Duration.ofSeconds(3))).as("close() when its last write throws %s: the "
                        + "batch is lost, the flusher ends, close() returns (rules 6 and 8)", failure).isNull();
                assertThat(new RunningBudget(Duration.ofSeconds(1)).joinAll(desk.serversThreads())).as("the "
                        + "server's threads ended within 1 s after close() returned (rule 8; still alive: %s)",
                        desk.serversThreads()).isTrue();
            }
        }
    }

    @Test
    @Order(2)
    @Tag("rule-8")
    @DisplayName("returns from a close() called while the flusher writes, even when the write itself waits a moment")
    void closeDuringAWrite(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            List<RequestContext> contexts = Desk.contexts(round, round.between("requests", 1, 7));
            Expected expected = new Expected();
            try (Desk desk = Desk.of(1, 1, HOUR)) {
                RequestServer server = desk.server;
                auditOneEach(desk, contexts, expected);
                java.util.concurrent.atomic.AtomicReference<Thread> closer = new java.util.concurrent.atomic
                        .AtomicReference<>();
                List<Throwable> thrown = new java.util.concurrent.CopyOnWriteArrayList<>();
                Thread closing = new Thread(() -> {
                    try {
                        server.close();
                    } catch (Throwable failure) {
                        thrown.add(failure);
                    }
                }, "closer");
                closing.setDaemon(true);
                CountDownLatch closerStarted = new CountDownLatch(1);
                // While the flusher writes, close() is called and gets as far as waiting for the flusher; the
                // write waits (parks) meanwhile, as a sink that takes a lock or does input and output may.
                desk.sink.onWrite(() -> {
                    if (closer.compareAndSet(null, closing)) {
                        closing.start();
                        closerStarted.countDown();
                        long deadline = System.nanoTime() + 2_000_000_000L;
                        while (ThreadEnd.stillRuns(closing) && closing.getState() != Thread.State.WAITING
                                && closing.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
                            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
                        }
                    }
                });
                // A spurious wake-up, which LockSupport.park allows at any time: a flusher that parks writes now.
                desk.serversThreads().forEach(java.util.concurrent.locks.LockSupport::unpark);
                RunningBudget wait = new RunningBudget(Duration.ofMillis(300));
                while (desk.sink.writes() == 0 && wait.nextSliceNanos() > 0) {
                    long start = System.nanoTime();
                    Thread.sleep(5);
                    wait.spent(5_000_000L, System.nanoTime() - start);
                }
                if (closer.compareAndSet(null, closing)) {
                    closing.start();
                    closerStarted.countDown();
                }
                // Whoever started it, it has started before it is waited for (an unstarted thread is not alive).
                assertThat(closerStarted.await(3, TimeUnit.SECONDS)).as("the thread calling close() started").isTrue();
                boolean returned = new RunningBudget(Duration.ofSeconds(3)).joinAll(List.of(closing));
                assertThat(returned).as("close(), called while the flusher was writing (flush period: an hour): "
                        + "it must wake the flusher and return. A flusher that parks again right after its write "
                        + "without looking at the stop flag waits out the hour: the write may have used up the "
                        + "wake-up (rule 8)").isTrue();
                assertThat(thrown).as("what close() threw").isEmpty();
                assertThat(expected.check(desk.sink.written(), "rule 5")).as("what the sink had been given").isNull();
            }
        });
    }

    @Test
    @Order(6)
    @Tag("rule-6")
    @DisplayName("refuses a flush period that is not positive")
    void refusesAPeriodThatIsNotPositive(Shapes shapes) throws Exception {
        Duration negative = Duration.ofNanos(-shapes.between("negative period (ns)", 1L, Long.MAX_VALUE));
        for (Duration period : List.of(Duration.ZERO, negative)) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
            ThreadGroup group = new ThreadGroup("refused server");
            try {
                List<Throwable> thrown = new java.util.concurrent.CopyOnWriteArrayList<>();
                Thread maker = new Thread(group, () -> {
                    try {
                        new RequestServer(pool, pool, batch -> {
                        }, period);
                    } catch (Throwable refused) {
                        thrown.add(refused);
                    }
                }, "main of the application");
                maker.start();
                assertThat(new RunningBudget(Desk.PATIENCE).joinAll(List.of(maker))).as("the constructor returned or "
                        + "threw, for a flush period of %s", period).isTrue();
                assertThat(thrown).as("what the constructor threw for a flush period of %s: a flusher that waits "
                        + "no time at all would spin (rule 6)", period).singleElement()
                        .isInstanceOf(IllegalArgumentException.class);
                List<Thread> left = liveThreads(group);
                assertThat(new RunningBudget(Duration.ofMillis(500)).joinAll(left)).as("threads the constructor "
                        + "started although it refused the flush period of %s, still running: %s. A refused server "
                        + "starts no thread: check the period before starting the flusher (rule 6)", period, left)
                        .isTrue();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private static List<Thread> liveThreads(ThreadGroup group) {
        Thread[] all = new Thread[group.activeCount() + 16];
        int n = group.enumerate(all, true);
        return java.util.Arrays.stream(all, 0, n).filter(ThreadEnd::stillRuns).toList();
    }

    @Test
    @Order(8)
    @Tag("rule-6")
    @Tag("rule-8")
    @DisplayName("accepts a flush period longer than a long of nanoseconds holds, and close() still writes everything")
    void acceptsAnyLongPeriod(Shapes shapes) throws Exception {
        // Longer than Long.MAX_VALUE ns (292 years): Duration.toNanos() throws ArithmeticException there. The last one
        // is just past that edge, in the second where it lies: a check of the seconds alone (> instead of >=) misses it.
        List<Duration> periods = List.of(java.time.temporal.ChronoUnit.FOREVER.getDuration(),
                Duration.ofDays(shapes.between("a period of more than 292 years, in days", 106_752L, 1_000_000_000L)),
                Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L, shapes.between("nanoseconds past the last whole "
                        + "second a long of nanoseconds holds", Long.MAX_VALUE % 1_000_000_000L + 1, 999_999_999L)));
        for (Duration period : periods) {
            RequestContext context = Desk.contexts(shapes, 1).get(0);
            Expected expected = new Expected();
            try (Desk desk = deskWithPeriod(period)) {
                RequestServer server = desk.server;
                RequestServerFlusherEdgeTest.Looks looks = RequestServerFlusherEdgeTest.Looks.at(desk.serversThreads(),
                        shapes.between("idle time (ms)", 100, 200));
                assertThat(looks.running()).as("looks at the server's threads, every millisecond for %d ms with "
                        + "nothing to write and a flush period of %s, that found one of them running (RUNNABLE), of "
                        + "%d: the flusher waits that long, or until close() wakes it; it never spins, also when the "
                        + "period is more than a long of nanoseconds holds or when now plus the period overflows "
                        + "(rule 6)", looks.millis(), period, looks.taken()).isLessThan(looks.taken() / 2);
                desk.get(server.handle(context, () -> {
                    server.audit(expected.message(context, context.traceId(), 1));
                    return null;
                }), "a request that audits");
                assertThat(desk.closeWithin(Duration.ofSeconds(3))).as("close() of a server whose flush period is "
                        + "%s: a positive period is accepted, however long, and close() wakes the flusher (rules 6 "
                        + "and 8)", period).isNull();
                assertThat(expected.check(desk.sink.written(), "rule 8")).as("what close() had written, with a "
                        + "flush period of %s (rule 8)", period).isNull();
            }
        }
    }

    /** A desk whose server has {@code period}: a positive period is accepted, however long (rule 6). */
    private static Desk deskWithPeriod(Duration period) {
        try {
            return Desk.of(1, 1, period);
        } catch (RuntimeException refused) {
            throw new AssertionError("new RequestServer(..., " + period + ") threw " + refused + ": every positive "
                    + "flush period is accepted, however long (Duration.toNanos() overflows past Long.MAX_VALUE ns, "
                    + "292 years: such a period is the longest wait there is) (rule 6)", refused);
        }
    }

    /**
     * The first {@code n} of {@code list}, or all of it: a flusher may try a refused batch again (rule 6), so there may
     * be more writes than failures.
     */
    private static <T> List<T> firstOf(List<T> list, int n) {
        return list.subList(0, Math.min(n, list.size()));
    }

    @Test
    @Order(7)
    @Tag("rule-6")
    @DisplayName("goes on writing after the sink throws Errors while the server runs, of every kind, out of memory too")
    void goesOnAfterErrors(Shapes shapes) throws Exception {
        // Every kind of failure, one write each, in a drawn order: the JVM's errors (OutOfMemoryError,
        // StackOverflowError, LinkageError...) are what a flusher that "never swallows an OOM" lets kill it.
        List<Throwable> kinds = EveryFailure.shuffled(shapes, "failures of the writes in order", "the audit store");
        int errors = kinds.size();
        List<RequestContext> contexts = Desk.contexts(shapes, errors + 1);
        try (Desk desk = Desk.of(1, 1, Duration.ofMillis(shapes.between("flush period (ms)", 1, 5)))) {
            RequestServer server = desk.server;
            List<String> thrown = new ArrayList<>();
            for (int w = 1; w <= errors; w++) {
                Throwable error = kinds.get(w - 1);
                thrown.add(EveryFailure.describe(error));
                desk.sink.failWrite(w, error);
            }
            int step = 0;
            while (desk.sink.writes() < errors && step < errors) {
                RequestContext context = contexts.get(step++);
                int before = desk.sink.writes();
                desk.get(server.handle(context, () -> {
                    server.audit(context.traceId() + " #1");
                    return null;
                }), "a request that audits");
                RequestServerTest.awaitTrue(() -> desk.sink.writes() > before, desk, "the flusher should have "
                        + "tried to write the record of request " + step + (before == 0 ? "" : " after the sink threw "
                        + firstOf(thrown, before)) + " (rule 6: a sink that throws, even an Error, does not stop the flusher)");
            }
            auditTwiceAndAwaitWritten(desk, contexts.get(errors), "records audited after the sink threw " + thrown
                    + " must still be written (rule 6: catch Throwable around the write, whatever it is, an OutOfMemoryError too, "
                    + "or the flusher dies)");
        }
    }

    @Test
    @Order(9)
    @Tag("rule-5")
    @Tag("rule-8")
    @DisplayName("refuses an audit at once while close()'s last write is still under way")
    void auditDuringTheLastWrite(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            List<RequestContext> contexts = Desk.contexts(round, round.between("requests", 2, 6));
            Expected expected = new Expected();
            try (Desk desk = Desk.of(round.between("request threads", 1, 3), 1, HOUR)) {
                RequestServer server = desk.server;
                // Every write waits until the test lets it go: the flush period is an hour, so the write held is
                // close()'s last one, or one that began earlier (a flusher may write before its period is up),
                // which close() waits for just the same.
                CountDownLatch writing = desk.sink.hold();
                for (RequestContext context : contexts.subList(1, contexts.size())) {
                    desk.get(server.handle(context, () -> {
                        server.audit(expected.message(context, context.traceId(), 1));
                        return null;
                    }), "a request that audits");
                }
                List<Throwable> thrown = new java.util.concurrent.CopyOnWriteArrayList<>();
                Thread closing = desk.madeByTheTest(new Thread(() -> {
                    try {
                        server.close();
                    } catch (Throwable failure) {
                        thrown.add(failure);
                    }
                }, "closer"));
                closing.setDaemon(true);
                try {
                    closing.start();
                    assertThat(writing.await(3, TimeUnit.SECONDS)).as("close() with records waiting: the flusher "
                            + "writes them (rule 8)").isTrue();
                    // close() has told the flusher to stop and waits for it (or, blocked, gets no further).
                    long deadline = System.nanoTime() + 2_000_000_000L;
                    while (closing.getState() != Thread.State.WAITING && closing.getState() != Thread.State
                            .TIMED_WAITING && ThreadEnd.stillRuns(closing) && System.nanoTime() < deadline) {
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
                    }
                    RequestContext late = contexts.get(0);
                    String message = expected.message(late, late.traceId(), 1);
                    Future<String> audit = server.handle(late, () -> {
                        try {
                            server.audit(message);
                            return "accepted";
                        } catch (IllegalStateException refused) {
                            return "refused";
                        }
                    });
                    String answer;
                    try {
                        answer = audit.get(2, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.TimeoutException waited) {
                        throw new AssertionError("audit(), called after close() while the sink was still writing "
                                + "close()'s last batch, had not returned or thrown after 2 s: after close() it "
                                + "throws IllegalStateException at once, and audit never waits for the sink, "
                                + "not even for the last write (rules 5 and 8). Does the last flush hold the lock "
                                + "audit() takes while it calls the sink? "
                                + katas.testkit.ThreadDiagnosis.explain(whoWaits(desk, closing)));
                    }
                    if (answer.equals("refused")) {
                        expected.forget(message);
                    }
                } finally {
                    desk.sink.release();
                }
                assertThat(new RunningBudget(Duration.ofSeconds(3)).joinAll(List.of(closing))).as("close(), once "
                        + "its last write was let go (rule 8)").isTrue();
                assertThat(thrown).as("what close() threw").isEmpty();
                assertThat(expected.check(desk.sink.written(), "rule 5")).as("what the sink had been given: every "
                        + "record audited before close(), and an audit accepted during it, written once (rule 8)")
                        .isNull();
            }
        });
    }

    /** More times than a right flusher waits in the idle time of {@link #goesOnWithoutSpinningAfterAnInterruptedWrite}. */
    private static final long IDLE_WAITS_BOUND = 1_000;

    @Test
    @Order(10)
    @Tag("rule-6")
    @DisplayName("goes on writing, and waits between writes without spinning, after the sink threw an InterruptedException of its own or an interrupted I/O")
    void goesOnWithoutSpinningAfterAnInterruptedWrite(Shapes shapes) throws Exception {
        // The sink's own interrupts: its client library was interrupted (or says so), nobody interrupted the flusher.
        // A flusher that "restores the interrupt status" from them parks no more: every park returns at once.
        // Red team P: a flusher that "restores" the sink's interrupt and clears it only around its waits never spins,
        // but every later write runs on an interrupted thread, and a file channel or socket fails them all. So the
        // sink here fails, as a file channel does, every write made on an interrupted thread; and the sink's
        // InterruptedException comes at a drawn place among failures of drawn kinds.
        List<Throwable> failures = new ArrayList<>(List.of(
                new InterruptedException("the audit store's client was interrupted"),
                new java.io.InterruptedIOException("the audit store's socket read was interrupted"),
                new java.nio.channels.ClosedByInterruptException()));
        if (shapes.chance("an ordinary failure among them", 0.5)) {
            failures.add(shapes.failure("the ordinary failure", "the audit store is full"));
        }
        List<Throwable> kinds = shapes.shuffled("failures of the writes in order", failures);
        long periodMillis = shapes.between("flush period (ms)", 10, 30);
        long idleMillis = shapes.between("idle time (ms)", 100, 200);
        List<RequestContext> contexts = Desk.contexts(shapes, kinds.size() + 1);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (Desk desk = Desk.of(1, 1, Duration.ofMillis(periodMillis))) {
            RequestServer server = desk.server;
            List<String> thrown = new ArrayList<>();
            List<String> onInterrupted = new java.util.concurrent.CopyOnWriteArrayList<>();
            java.util.concurrent.atomic.AtomicInteger writing = new java.util.concurrent.atomic.AtomicInteger();
            desk.sink.onWrite(() -> {
                int number = writing.incrementAndGet();
                if (Thread.currentThread().isInterrupted()) {
                    onInterrupted.add("write " + number);
                    throw Sneaky.raise(new java.nio.channels.ClosedByInterruptException());
                }
            });
            for (int w = 1; w <= kinds.size(); w++) {
                desk.sink.failWrite(w, kinds.get(w - 1));
            }
            for (int step = 0; step < kinds.size() && desk.sink.writes() < kinds.size(); step++) {
                RequestContext context = contexts.get(step);
                int before = desk.sink.writes();
                desk.get(server.handle(context, () -> {
                    server.audit(context.traceId() + " #1");
                    return null;
                }), "a request that audits");
                RequestServerTest.awaitTrue(() -> desk.sink.writes() > before, desk, "the flusher should have "
                        + "tried to write the record of request " + (step + 1) + (before == 0 ? "" : " after the sink "
                        + "threw " + thrown) + " (rule 6: a sink that throws, whatever it throws, does not stop the "
                        + "flusher; nobody interrupted the flusher itself)");
                thrown.clear();
                firstOf(kinds, desk.sink.writes()).forEach(kind -> thrown.add(EveryFailure.describe(kind)));
            }
            auditTwiceAndAwaitWritten(desk, contexts.get(kinds.size()), "records audited after the sink threw " + thrown
                    + " must still be written (rule 6: the sink's InterruptedException is a failure of that write "
                    + "like any other, not a request to stop: nobody interrupted the flusher). The sink, as a file "
                    + "channel does, fails every write made on an interrupted thread; writes made on an interrupted "
                    + "flusher so far: " + onInterrupted + " (do not set the flusher's interrupt status for the "
                    + "sink's InterruptedException: every later write would fail)");
            assertThat(onInterrupted).as("the writes made while the flusher's own interrupt status was set, after the "
                    + "sink threw %s: nobody interrupted the flusher, so it writes on a thread that is not "
                    + "interrupted, or a file channel or socket sink fails every write (rule 6)", thrown).isEmpty();
            // Idle now: a right flusher waits about once a period (a few times in the idle time); one whose parks
            // return at once, its interrupt status set, waits (and returns) hundreds of thousands of times.
            List<Thread> threads = desk.serversThreads();
            long before = waited(mx, threads);
            long waits = 0;
            long start = System.nanoTime();
            long end = start + idleMillis * 1_000_000L;
            while (System.nanoTime() - end < 0 && waits <= IDLE_WAITS_BOUND) {
                Thread.sleep(5);
                waits = waited(mx, threads) - before;
            }
            long idled = (System.nanoTime() - start) / 1_000_000L;
            assertThat(waits).as("times the server's threads %s began to wait (park, sleep, wait) in %d ms with "
                    + "nothing to write and a flush period of %d ms, after the sink threw %s: a right flusher waits "
                    + "about once a period; one whose every wait returns at once spins. The interrupt was the "
                    + "sink's: restoring it on the flusher's thread makes every later park return at once. Between "
                    + "writes the flusher waits, it never spins (rule 6)", threads, idled, periodMillis, thrown)
                    .isLessThanOrEqualTo(IDLE_WAITS_BOUND);
            // Red team N: a flusher that waits on a Condition spins without the waited count rising (awaitNanos throws
            // before it parks once the interrupt status is set, so the JVM never sees it begin to wait). Its thread's
            // state tells instead: a waiting flusher is WAITING or TIMED_WAITING at nearly every sample, a spinning
            // one RUNNABLE at most (also while the OS does not run it), however busy the machine.
            int samples = shapes.between("samples of the server's threads' states", 100, 200);
            long sampledMillis = shapes.between("sampled over (ms)", 100, 300);
            Map<Thread, Integer> runnable = new HashMap<>();
            for (int i = 0; i < samples; i++) {
                for (Thread thread : threads) {
                    if (thread.getState() == Thread.State.RUNNABLE) {
                        runnable.merge(thread, 1, Integer::sum);
                    }
                }
                Thread.sleep(Duration.ofNanos(sampledMillis * 1_000_000L / samples));
            }
            for (Map.Entry<Thread, Integer> seen : runnable.entrySet()) {
                Thread thread = seen.getKey();
                StackTraceElement[] stack = thread.getStackTrace();
                // The server's own thread (its code or the test's sink on the stack), not one the JVM started meanwhile.
                boolean runsKataCode = java.util.Arrays.stream(stack)
                        .anyMatch(frame -> frame.getClassName().startsWith("katas.threadlocalcontext."));
                if (seen.getValue() * 2 > samples && runsKataCode) {
                    throw new AssertionError("the server's thread " + thread.getName() + " was RUNNABLE at "
                            + seen.getValue() + " of " + samples + " samples over " + sampledMillis + " ms with nothing "
                            + "to write and a flush period of " + periodMillis + " ms, after the sink threw " + thrown
                            + ": a waiting flusher is WAITING or TIMED_WAITING nearly always; this one spins. The "
                            + "interrupt was the sink's: restoring it on the flusher's thread makes every later wait "
                            + "(park, await, wait) return or throw at once. Between writes the flusher waits, it never "
                            + "spins (rule 6); it is at " + java.util.Arrays.toString(java.util.Arrays.copyOf(stack, Math.min(8, stack.length))));
                }
            }
        }
    }

    private static long waited(ThreadMXBean mx, List<Thread> threads) {
        long sum = 0;
        for (Thread thread : threads) {
            java.lang.management.ThreadInfo info = mx.getThreadInfo(thread.threadId());
            sum += info == null ? 0 : info.getWaitedCount();
        }
        return sum;
    }

    private static List<Thread> whoWaits(Desk desk, Thread closing) {
        List<Thread> threads = new ArrayList<>(List.of(closing));
        threads.addAll(desk.serversThreads());
        threads.addAll(desk.poolThreads());
        return threads;
    }

    /** The last request audits two records, which must be written (rule 6): the flusher lives on. */
    @Test
    @Order(11)
    @Tag("rule-6")
    @DisplayName("waits before it tries a batch the sink refused again: no tries one right after another")
    void waitsBetweenTriesOfARefusedBatch(Shapes shapes) throws Exception {
        // Red team R: a flusher that wrote a refused batch again up to three times in a row hammered a failing sink,
        // and no test looked at writes made one right after another. Here one record is audited and nothing more
        // until the flusher has had time to try it again: every write after the first is a try of the same batch,
        // and must come after the flusher began to wait (park, sleep, wait: the JVM's waited count of its thread).
        //
        // Red team S: a back-off meant as 20 ms but passed to parkNanos (20 ns) began a wait between tries, and the
        // tries still came a fraction of a millisecond apart. A try that comes after a wait must also come after a
        // real one: at least a fiftieth of the flush period after the try before it (rule 6). The period is long
        // enough here (a multiple of 50 ms) that a fiftieth of it is milliseconds, well above the time a try takes;
        // the gap is timed from the end of this test's own look at one try to the start of the next, so that it holds
        // the flusher's whole wait, and a busy machine only makes the gaps of a right flusher longer. The first write
        // is refused right there, before the recording sink's own short park: the gap after it is the flusher's alone
        // (a park of its own that a busy machine lengthens would hide a back-off of nanoseconds).
        long periodMillis = 50L * shapes.between("flush period (multiples of 50 ms)", 4, 6);
        long idleMillis = shapes.between("time given to try the batch again (ms)", 30, 60);
        List<RequestContext> contexts = Desk.contexts(shapes, 2);
        try (Desk desk = Desk.of(1, 1, Duration.ofMillis(periodMillis))) {
            RequestServer server = desk.server;
            // Only the first write fails: a flusher that does not try again writes the next records at once, and a
            // try of the batch right after the refusal is seen whether it fails or not.
            Throwable failure = shapes.failure("failure of the first write", "the audit store is busy");
            String refused = EveryFailure.describe(failure);
            TriesAtOnce tries = new TriesAtOnce(failure);
            desk.sink.onWrite(tries);
            RequestContext context = contexts.get(0);
            desk.get(server.handle(context, () -> {
                server.audit(context.traceId() + " #1");
                return null;
            }), "a request that audits");
            RequestServerTest.awaitTrue(() -> desk.sink.writes() >= 1, desk, "the flusher should have written the "
                    + "record audited (rule 6)");
            Thread.sleep(idleMillis);
            List<String> atOnce = tries.atOnce();
            long leastGapNanos = periodMillis * 1_000_000L / 50;
            List<String> tooSoon = tries.closerThan(leastGapNanos);
            assertThat(tooSoon).as("tries of the one batch audited, which the sink refused (%s), each made less than "
                    + "%.1f ms after the try before it (flush period %d ms): a back-off of nanoseconds or microseconds "
                    + "is no wait; the flusher waits at least a fiftieth of the flush period between tries of a "
                    + "refused batch (rule 6)", refused, leastGapNanos / 1e6, periodMillis).isEmpty();
            assertThat(atOnce).as("writes of the one batch audited, which the sink refused (%s), made right after the "
                    + "write before them, without the flusher waiting in between (flush period %d ms, %d write(s) "
                    + "in all): trying a refused batch again is fine only after a wait; no loop of tries at once "
                    + "(rule 6)", refused, periodMillis, desk.sink.writes()).isEmpty();
            auditTwiceAndAwaitWritten(desk, contexts.get(1), "records audited after the sink refused " + refused
                    + " must still be written (rule 6)");
        }
    }

    /**
     * Refuses the first write, with {@code refuseFirst}, at its very start, and notes the sink's calls made on a
     * thread that began no wait of its own since its previous call. The recording sink itself parks once in each
     * write it goes on with, so a thread's waited count (ThreadMXBean) rises by exactly one from one call to the next
     * when the caller did not wait in between (none after the refused one), and by more when it did.
     */
    private static final class TriesAtOnce implements Runnable {
        private final Throwable refuseFirst;

        TriesAtOnce(Throwable refuseFirst) {
            this.refuseFirst = refuseFirst;
        }

        private final Map<Thread, Long> waitsAtLastCall = new java.util.concurrent.ConcurrentHashMap<>();
        private final List<String> atOnce = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();

        /** When each call came in, and when this hook let it go on (its own look at the thread takes time). */
        private final List<long[]> inAndOut = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void run() {
            long in = System.nanoTime();
            int call = calls.incrementAndGet();
            Thread caller = Thread.currentThread();
            long waits = katas.testkit.ThreadWaits.count(caller);
            Long last = waitsAtLastCall.put(caller, waits);
            long sinksOwnWaits = call == 2 ? 0 : 1; // call 1 was refused before the sink's park
            if (last != null && waits - last <= sinksOwnWaits) {
                atOnce.add("write " + call + " on '" + caller.getName() + "'");
            }
            inAndOut.add(new long[] {in, System.nanoTime()});
            if (call == 1) {
                throw Sneaky.raise(refuseFirst);
            }
        }

        List<String> atOnce() {
            return List.copyOf(atOnce);
        }

        /**
         * The calls that came in less than {@code gapNanos} after this hook let the call before them go on (on any
         * thread), in words: the flusher's wait between the two lies wholly inside that gap.
         */
        List<String> closerThan(long gapNanos) {
            List<long[]> calls = List.copyOf(inAndOut);
            List<String> close = new ArrayList<>();
            for (int i = 1; i < calls.size(); i++) {
                long gap = calls.get(i)[0] - calls.get(i - 1)[1];
                if (gap < gapNanos) {
                    close.add(String.format("write %d, %.2f ms after write %d", i + 1, gap / 1e6, i));
                }
            }
            return close;
        }
    }

    @Test
    @Order(12)
    @Tag("rule-8")
    @DisplayName("stops the flusher and loses nothing when close() is called on a thread already interrupted")
    void closesFromAnInterruptedThread(Shapes shapes) throws Exception {
        // Red team R: a close() that threw InterruptedException at once, on a thread whose interrupt status was
        // already set (a shutdown path, a cancelled task), before it closed anything: audit went on accepting
        // records, and the flusher, a daemon, never made its last flush. close() may throw InterruptedException
        // then, but the server is closed all the same: audits are refused from the moment it returns or throws, and
        // a close() after it returns once every record audited before is written.
        //
        // Red team S: a close() that, on an interrupted thread, threw before it woke the flusher (the records waited
        // out the hour), and one that woke it and returned normally at once, before the last write: this test once
        // looked at the sink only after a second close(), which woke and waited for the flusher. Now every write is
        // held until the interrupted close() has returned, thrown, or waited (a normal return before that is seen
        // every time), and the records must reach the sink after it without a second close().
        List<RequestContext> contexts = Desk.contexts(shapes, shapes.between("requests before close()", 1, 4));
        Expected expected = new Expected();
        try (Desk desk = Desk.of(1, 1, HOUR)) {
            RequestServer server = desk.server;
            // The records are audited while the flusher waits out its hour (once it has begun to wait, within 3 s
            // of running time): only close() wakes it (or an audit, for a flusher that each audit wakes up).
            RunningBudget toIdle = new RunningBudget(Duration.ofSeconds(3));
            toIdle.awaitTrue(() -> desk.serversThreads().stream().allMatch(t -> !ThreadEnd.stillRuns(t)
                    || java.util.Set.of(Thread.State.WAITING, Thread.State.TIMED_WAITING).contains(t.getState())),
                    1_000_000L);
            desk.sink.hold(); // every write waits until the test lets it go: none is over before release()
            auditOneEach(desk, contexts, expected);
            java.util.concurrent.atomic.AtomicReference<String> atReturn = new java.util.concurrent.atomic
                    .AtomicReference<>();
            java.util.concurrent.atomic.AtomicReference<Throwable> thrownBy = new java.util.concurrent.atomic
                    .AtomicReference<>();
            Thread closing = new Thread(() -> {
                Thread.currentThread().interrupt();
                try {
                    server.close();
                    String check = expected.check(desk.sink.written(), "rule 8");
                    atReturn.set(check == null ? "" : check);
                } catch (Throwable t) {
                    thrownBy.set(t);
                } finally {
                    Thread.interrupted();
                }
            }, "closer");
            closing.setDaemon(true);
            closing.start();
            // Until close() has returned, thrown, or begun to wait (for the flusher, held in its write), and a
            // moment more for one that waits: then the write goes on.
            RunningBudget toWait = new RunningBudget(Duration.ofSeconds(3));
            toWait.awaitTrue(() -> !ThreadEnd.stillRuns(closing) || java.util.Set.of(Thread.State.WAITING,
                    Thread.State.TIMED_WAITING, Thread.State.BLOCKED).contains(closing.getState()), 2_000_000L);
            new RunningBudget(Duration.ofMillis(100)).joinAll(List.of(closing));
            desk.sink.release();
            assertThat(new RunningBudget(Duration.ofSeconds(3)).joinAll(List.of(closing))).as("close() on a thread "
                    + "already interrupted, with a flush period of an hour, once the flusher's write went on: it "
                    + "throws InterruptedException or returns once all is written (rule 8)").isTrue();
            Throwable thrown = thrownBy.get();
            String call = "close() on a thread already interrupted, with a flush period of an hour"
                    + (thrown == null ? "" : ", which threw " + thrown + ",");
            if (thrown != null && !(thrown instanceof InterruptedException)) {
                throw new AssertionError(call + " may throw InterruptedException, nothing else (rule 8)", thrown);
            }
            if (thrown == null) {
                assertThat(atReturn.get()).as("%s returned normally while the sink still held the flusher's write: "
                        + "when it returned, %s. An interrupted close() either throws InterruptedException or returns "
                        + "only once the last write is over; returning as if all were written loses records when its "
                        + "caller then exits (rule 8)", call, atReturn.get()).isEmpty();
            }
            RequestContext late = contexts.get(0);
            Throwable refused = desk.get(server.handle(late, () -> {
                try {
                    server.audit(late.traceId() + " after close()");
                    return null;
                } catch (IllegalStateException expectedRefusal) {
                    return expectedRefusal;
                }
            }), "a request that audits after close()");
            assertThat(refused).as("%s: an audit after it returned or threw was accepted; the server is closed "
                    + "however close() ends, interrupted or not (rule 8)", call).isNotNull();
            // No second close() yet: the interrupted one must have woken the flusher, which writes on its own.
            RequestServerTest.awaitWritten(desk, expected, call + " must still have told the flusher to stop and "
                    + "woken it: the flusher, not waiting out its hour, writes the records audited before, without "
                    + "another close() (rule 8)");
            server.close();
            assertThat(expected.check(desk.sink.written(), "rule 8")).as("what a second close() (not interrupted) "
                    + "had written when it returned, after %s (rule 8)", call).isNull();
        }
    }

    /** One request per context, each auditing one record that {@code expected} notes. */
    private static void auditOneEach(Desk desk, List<RequestContext> contexts, Expected expected) throws Exception {
        for (RequestContext context : contexts) {
            desk.get(desk.server.handle(context, () -> {
                desk.server.audit(expected.message(context, context.traceId(), 1));
                return null;
            }), "a request that audits");
        }
    }

    private static void auditTwiceAndAwaitWritten(Desk desk, RequestContext last, String why) throws Exception {
        Expected expected = new Expected();
        desk.get(desk.server.handle(last, () -> {
            desk.server.audit(expected.message(last, last.traceId(), 1));
            desk.server.audit(expected.message(last, last.traceId(), 2));
            return null;
        }), "a request that audits");
        RequestServerTest.awaitWritten(desk, expected, why);
    }
}

package katas.threadlocalcontext;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Sneaky;
import katas.testkit.ThreadDiagnosis;
import katas.testkit.time.RunningBudget;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The visible tests of thread-local-context, one or more per rule of the README. Every test runs the server on
 * pools of its own ({@link Desk}): one or two request threads, so that many requests of different users run on
 * the same thread one after the other, and plain tasks of the test's own (a "health check" sharing the pool)
 * between them, which must find no context. Shapes are drawn from the seed.
 */
@DisplayName("RequestServer")
@KataTest
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class RequestServerTest {

    /** A flush period no test waits out: only a flusher woken by close() writes in time. */
    static final Duration HOUR = Duration.ofHours(1);

    static Duration shortPeriod(Shapes round) {
        return Duration.ofMillis(round.between("flush period (ms)", 1, 23));
    }

    /** What a plain task of the pool finds: "no context" when correct. */
    static String probe(RequestServer server) {
        RequestContext found = server.current();
        if (found != null) {
            return "found the context of " + Desk.who(found);
        }
        try {
            server.audit("probe on " + Thread.currentThread().getName());
            return "could audit a record";
        } catch (IllegalStateException refused) {
            return "no context";
        }
    }

    @Nested
    @Order(1)
    @DisplayName("request contexts")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class RequestContexts {

        @Test
        @Order(1)
        @Tag("rule-1")
        @Tag("rule-2")
        @Tag("rule-4")
        @DisplayName("gives each request its own context, and the next plain task on the same pool thread none")
        void eachRequestItsOwnContextAndNothingLeaks(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                int threads = round.between("request threads", 1, 2);
                int count = round.between("requests", 7, 41);
                double share = round.oneOf("share of plain tasks between requests", 0.25, 0.5, 0.75);
                List<RequestContext> contexts = Desk.contexts(round, count);
                Random random = round.random();
                try (Desk desk = Desk.of(threads, 1, HOUR)) {
                    RequestServer server = desk.server;
                    List<Future<RequestContext>> requests = new ArrayList<>();
                    List<Future<String>> probes = new ArrayList<>();
                    List<Integer> probeAfter = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        requests.add(server.handle(contexts.get(i), () -> {
                            RequestContext first = server.current();
                            Thread.yield();
                            RequestContext again = server.current();
                            if (!Thread.currentThread().getName().startsWith("request-")) {
                                return new RequestContext("a handler run on thread '" + Thread.currentThread().getName()
                                        + "', not on the request pool", "-");
                            }
                            return java.util.Objects.equals(first, again) ? first : new RequestContext("changed from " + Desk.who(first)
                                    + " to " + Desk.who(again), "-");
                        }));
                        if (random.nextDouble() < share) {
                            probes.add(desk.requests.submit(() -> probe(server)));
                            probeAfter.add(i);
                        }
                    }
                    for (int i = 0; i < count; i++) {
                        RequestContext seen = desk.get(requests.get(i), "request " + i);
                        assertThat(seen).as("what the handler of request %d (%s) found as current() and returned "
                                + "(rule 1: a request sees its own context; rule 4: handle's future has what the handler "
                                + "returned)", i, Desk.who(contexts.get(i))).isEqualTo(contexts.get(i));
                    }
                    for (int p = 0; p < probes.size(); p++) {
                        assertThat(desk.get(probes.get(p), "a plain task of the pool")).as("a plain task of the "
                                + "request pool (not a request), submitted after request %d (%s) on a pool of %d "
                                + "thread(s): it must find no context, and audit() must refuse it. A context left "
                                + "on the pool thread leaks into the next task (rule 2)", probeAfter.get(p),
                                Desk.who(contexts.get(probeAfter.get(p))), threads).isEqualTo("no context");
                    }
                }
            });
        }

        @Test
        @Order(2)
        @Tag("rule-1")
        @DisplayName("gives two requests running at the same time on two threads each its own context")
        void twoRequestsAtOnceEachTheirOwn(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                int pairs = round.between("pairs of requests", 2, 9);
                List<RequestContext> contexts = Desk.contexts(round, 2 * pairs);
                try (Desk desk = Desk.of(2, 1, HOUR)) {
                    RequestServer server = desk.server;
                    for (int p = 0; p < pairs; p++) {
                        CyclicBarrier together = new CyclicBarrier(2);
                        List<Future<RequestContext>> both = new ArrayList<>();
                        for (int k = 0; k < 2; k++) {
                            both.add(server.handle(contexts.get(2 * p + k), () -> {
                                RequestContext before = server.current();
                                together.await(Desk.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                                RequestContext after = server.current();
                                return java.util.Objects.equals(before, after) ? after : new RequestContext(Desk.who(before)
                                        + " while the other request started, then " + Desk.who(after), "-");
                            }));
                        }
                        for (int k = 0; k < 2; k++) {
                            assertThat(desk.get(both.get(k), "request " + (2 * p + k))).as("the context request %s "
                                    + "found while another request (%s) ran on the pool's other thread: each "
                                    + "thread holds its own request's context, not one shared by all (rule 1)",
                                    Desk.who(contexts.get(2 * p + k)), Desk.who(contexts.get(2 * p + 1 - k)))
                                    .isEqualTo(contexts.get(2 * p + k));
                        }
                    }
                }
            });
        }

        @Test
        @Order(3)
        @Tag("rule-2")
        @Tag("rule-4")
        @DisplayName("leaves no context behind a request or task that fails, whatever it throws, and its future has it")
        void failuresLeaveNoContext(Shapes shapes) throws Exception {
            try (Desk desk = Desk.of(1, 1, HOUR)) {
                RequestServer server = desk.server;
                List<Throwable> failures = Desk.oneFailureOfEachKind(shapes, "the ticket service is down");
                List<RequestContext> contexts = Desk.contexts(shapes, 2 * failures.size());
                int c = 0;
                for (Throwable failure : failures) {
                    RequestContext failing = contexts.get(c++);
                    Future<Object> request = server.handle(failing, () -> {
                        throw Sneaky.raise(failure);
                    });
                    assertThat(desk.failureOf(request, "a failing request")).as("what handle's future reports "
                            + "as the cause of the failing request (rule 4: exactly what the handler threw)")
                            .isSameAs(failure);
                    assertThat(desk.onPool(desk.requests, () -> probe(server), "a plain task")).as("a plain task "
                            + "on the request pool's only thread, right after the request of %s threw %s: a "
                            + "request that throws must still take its context away (rule 2)", Desk.who(failing),
                            failure).isEqualTo("no context");
                    RequestContext forking = contexts.get(c++);
                    Future<Future<Object>> forked = server.handle(forking, () -> server.fork(() -> {
                        throw Sneaky.raise(failure);
                    }));
                    Future<Object> task = desk.get(forked, "a request that forks a failing task");
                    assertThat(desk.failureOf(task, "a failing forked task")).as("what fork's future reports as "
                            + "the cause of a failing task (rule 4: exactly what the task threw)").isSameAs(failure);
                    assertThat(desk.onPool(desk.workers, () -> probe(server), "a plain task")).as("a plain task "
                            + "on the worker pool's only thread, right after a task forked by %s threw %s: a task "
                            + "that throws must still take its context away (rule 2)", Desk.who(forking), failure)
                            .isEqualTo("no context");
                }
            }
        }

        @Test
        @Order(4)
        @Tag("rule-2")
        @Tag("rule-3")
        @DisplayName("gives a thread its own context back after a request or task it ran itself (a full pool runs it in the caller)")
        void givesTheCallerItsContextBack(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                List<RequestContext> contexts = Desk.contexts(round, 6);
                RequestContext outer = contexts.get(0);
                List<String> steps = round.shuffled("steps inside the request", List.of("request", "failing request",
                        "fork", "failing fork", "request that forks"));
                Throwable failure = round.failure("failure", "the printer is jammed");
                try (Desk desk = Desk.callerRuns(HOUR)) {
                    RequestServer server = desk.server;
                    Future<List<String>> request = server.handle(outer, () -> {
                        List<String> wrong = new ArrayList<>();
                        CountDownLatch hold = new CountDownLatch(1);
                        // The worker pool's only thread is kept busy, so every fork below runs right here.
                        Future<RequestContext> busy = server.fork(() -> {
                            hold.await(Desk.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                            return server.current();
                        });
                        int inner = 1;
                        for (String step : steps) {
                            RequestContext other = contexts.get(inner++);
                            RequestContext seen = switch (step) {
                                case "request" -> server.handle(other, server::current).get();
                                case "fork" -> server.fork(server::current).get();
                                case "request that forks" -> server.handle(other, () -> server.fork(server::current)
                                        .get()).get();
                                default -> {
                                    Future<Object> f = step.equals("failing fork") ? server.fork(() -> {
                                        throw Sneaky.raise(failure);
                                    }) : server.handle(other, () -> {
                                        throw Sneaky.raise(failure);
                                    });
                                    yield f.isDone() ? null : new RequestContext("not run in the caller", "-");
                                }
                            };
                            RequestContext expected = step.equals("fork") ? outer
                                    : step.startsWith("failing") ? null : other;
                            if (!java.util.Objects.equals(seen, expected)) {
                                wrong.add("the " + step + " run in the caller found " + Desk.who(seen) + ", not "
                                        + Desk.who(expected));
                            }
                            if (!outer.equals(server.current())) {
                                wrong.add("after the " + step + " run in the caller, the request found "
                                        + Desk.who(server.current()) + " instead of its own context "
                                        + Desk.who(outer));
                                break;
                            }
                        }
                        hold.countDown();
                        if (!outer.equals(busy.get())) {
                            wrong.add("the task forked first found " + Desk.who(busy.get()));
                        }
                        return wrong;
                    });
                    assertThat(desk.get(request, "the request of " + Desk.who(outer))).as("steps %s, each run by a "
                            + "full pool on the request's own thread: a request or task that ends must give its "
                            + "thread back the context it had before, not none (rules 2 and 3)", steps).isEmpty();
                    assertThat(desk.onPool(desk.requests, () -> probe(server), "a plain task")).as("a plain task "
                            + "on the request pool's thread after it all (rule 2)").isEqualTo("no context");
                }
            });
        }
    }

    @Nested
    @Order(2)
    @DisplayName("forked tasks")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class ForkedTasks {

        @Test
        @Order(1)
        @Tag("rule-3")
        @Tag("rule-2")
        @DisplayName("run on the worker pool with the context of the request that forked them, and none when forked outside one")
        void carryTheContextOfTheRequestThatForkedThem(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                int requestThreads = round.between("request threads", 1, 2);
                int workerThreads = round.between("worker threads", 1, 3);
                int count = round.between("requests", 5, 29);
                List<RequestContext> contexts = Desk.contexts(round, count);
                Random random = round.random();
                try (Desk desk = Desk.of(requestThreads, workerThreads, HOUR)) {
                    RequestServer server = desk.server;
                    List<Future<List<String>>> requests = new ArrayList<>();
                    List<Future<String>> outside = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        RequestContext context = contexts.get(i);
                        int forks = 1 + random.nextInt(4);
                        requests.add(server.handle(context, () -> {
                            List<Future<String>> tasks = new ArrayList<>();
                            for (int t = 0; t < forks; t++) {
                                tasks.add(server.fork(() -> Desk.who(server.current()) + " on "
                                        + Thread.currentThread().getName()));
                            }
                            List<String> seen = new ArrayList<>();
                            for (Future<String> task : tasks) {
                                seen.add(task.get(Desk.PATIENCE.toMillis(), TimeUnit.MILLISECONDS));
                            }
                            return seen;
                        }));
                        if (random.nextInt(3) == 0) {
                            outside.add(server.fork(() -> probe(server)));
                        }
                        if (random.nextInt(3) == 0) {
                            outside.add(desk.workers.submit(() -> probe(server)));
                        }
                    }
                    for (int i = 0; i < count; i++) {
                        for (String seen : desk.get(requests.get(i), "request " + i)) {
                            assertThat(seen).as("what a task forked by the request of %s found as current(): the "
                                    + "request's context, on a worker pool thread (rule 3)", Desk.who(contexts.get(i)))
                                    .startsWith(Desk.who(contexts.get(i)) + " on worker-");
                        }
                    }
                    for (Future<String> probe : outside) {
                        assertThat(desk.get(probe, "a task outside any request")).as("a task forked by the test "
                                + "itself (no request), or a plain task of the worker pool: it runs with no context "
                                + "(rules 2 and 3), however many requests' tasks ran on that thread before")
                                .isEqualTo("no context");
                    }
                }
            });
        }
    }

    @Nested
    @Order(3)
    @DisplayName("the audit log")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class AuditLog {

        @Test
        @Order(1)
        @Tag("rule-5")
        @Tag("rule-6")
        @DisplayName("writes every record once, as its request's, in order, from the flusher, while the server runs")
        void writesEveryRecordWhileRunning(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                int count = round.between("requests", 3, 23);
                List<RequestContext> contexts = Desk.contexts(round, count);
                Random random = round.random();
                Expected expected = new Expected();
                try (Desk desk = Desk.of(round.between("request threads", 1, 2), round.between("worker threads", 1, 2),
                        shortPeriod(round))) {
                    RequestServer server = desk.server;
                    List<Future<Object>> requests = new ArrayList<>();
                    for (RequestContext context : contexts) {
                        int records = 1 + random.nextInt(6);
                        int forks = random.nextInt(3);
                        requests.add(server.handle(context, () -> {
                            List<Future<Object>> tasks = new ArrayList<>();
                            for (int f = 0; f < forks; f++) {
                                String stream = context.traceId() + " task " + f;
                                tasks.add(server.fork(() -> {
                                    server.audit(expected.message(context, stream, 1));
                                    server.audit(expected.message(context, stream, 2));
                                    return null;
                                }));
                            }
                            for (int r = 1; r <= records; r++) {
                                server.audit(expected.message(context, context.traceId() + " handler", r));
                            }
                            for (Future<Object> task : tasks) {
                                task.get(Desk.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                            }
                            return null;
                        }));
                    }
                    for (Future<Object> request : requests) {
                        desk.get(request, "a request that audits");
                    }
                    awaitWritten(desk, expected, "the flusher must write them every flush period, without close() "
                            + "(rule 6)");
                    String wrong = expected.check(desk.sink.written(), "audit() must take the context of the "
                            + "request or task calling it (rules 3 and 5)");
                    assertThat(wrong).as("what the sink was given").isNull();
                    assertThat(desk.sink.writers()).as("the threads that called the sink: the server's own flusher, "
                            + "never a request, a forked task or the test (rules 5 and 6)")
                            .allSatisfy(writer -> assertThat(writer.getName()).doesNotStartWith("request-")
                                    .doesNotStartWith("worker-").doesNotStartWith("test "));
                    assertThat(desk.sink.overlap()).as("how the sink was called (rule 6: one write at a time, never an "
                            + "empty batch)").isNull();
                }
            });
        }

        @Test
        @Order(2)
        @Tag("rule-5")
        @DisplayName("refuses audit() where no request runs, and writes nothing for it")
        void refusesAuditOutsideARequest(Shapes shapes) throws Exception {
            List<RequestContext> contexts = Desk.contexts(shapes, 4);
            try (Desk desk = Desk.of(1, 1, HOUR)) {
                RequestServer server = desk.server;
                for (RequestContext context : contexts) {
                    desk.get(server.handle(context, () -> {
                        server.audit("by " + context.traceId());
                        return server.fork(() -> {
                            server.audit("forked by " + context.traceId());
                            return null;
                        }).get();
                    }), "a request that audits");
                }
                assertThat(refused(() -> server.audit("from the test's thread"))).as("audit() on the test's own "
                        + "thread, which runs no request (rule 5)").isTrue();
                assertThat(desk.onPool(desk.requests, () -> refused(() -> server.audit("from a plain task")),
                        "a plain task")).as("audit() in a plain task of the request pool, after requests ran on "
                        + "its thread (rules 2 and 5)").isTrue();
                assertThat(desk.get(server.fork(() -> refused(() -> server.audit("from a task forked outside"))),
                        "a task forked outside a request")).as("audit() in a task forked by the test's thread, "
                        + "outside any request (rules 3 and 5)").isTrue();
                assertThat(desk.closeWithin(Duration.ofSeconds(3))).as("close()").isNull();
                assertThat(desk.sink.written()).extracting(AuditRecord::message).as("what was written: the "
                        + "requests' records and nothing else (rule 5)")
                        .noneMatch(m -> m.startsWith("from ") || m.startsWith("probe"))
                        .hasSize(2 * contexts.size());
            }
        }

        @Test
        @Order(3)
        @Tag("rule-5")
        @DisplayName("returns from audit() at once while the sink is stuck in a write")
        void auditNeverWaitsForTheSink(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                int count = round.between("requests while the sink is stuck", 3, 17);
                List<RequestContext> contexts = Desk.contexts(round, count + 1);
                Expected expected = new Expected();
                Random random = round.random();
                try (Desk desk = Desk.of(round.between("request threads", 1, 2), 1, shortPeriod(round))) {
                    RequestServer server = desk.server;
                    CountDownLatch stuck = desk.sink.hold();
                    RequestContext first = contexts.get(0);
                    desk.get(server.handle(first, () -> {
                        server.audit(expected.message(first, first.traceId(), 1));
                        return null;
                    }), "the first request");
                    assertThat(stuck.await(Desk.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("the flusher "
                            + "should have begun to write the first record within %s s (rule 6)",
                            Desk.PATIENCE.toSeconds()).isTrue();
                    List<Future<Object>> requests = new ArrayList<>();
                    for (int i = 1; i <= count; i++) {
                        RequestContext context = contexts.get(i);
                        int records = 25 + random.nextInt(60);
                        requests.add(server.handle(context, () -> {
                            for (int r = 1; r <= records; r++) {
                                server.audit(expected.message(context, context.traceId(), r));
                            }
                            return null;
                        }));
                    }
                    for (Future<Object> request : requests) {
                        desk.get(request, "a request auditing while the sink is stuck in a write (audit() must "
                                + "never wait for the sink, rule 5)");
                    }
                    desk.sink.release();
                    assertThat(desk.closeWithin(Duration.ofSeconds(3))).as("close() once the sink goes on").isNull();
                    assertThat(expected.check(desk.sink.written(), "rule 5")).as("what the sink was given").isNull();
                }
            });
        }

        @Test
        @Order(4)
        @Tag("rule-6")
        @DisplayName("goes on writing after the sink throws, whatever it throws")
        void goesOnAfterTheSinkThrows(Shapes shapes) throws Exception {
            List<Throwable> failures = Desk.oneFailureOfEachKind(shapes, "the audit store is full");
            List<RequestContext> contexts = Desk.contexts(shapes, failures.size() + 1);
            try (Desk desk = Desk.of(1, 1, shortPeriod(shapes))) {
                RequestServer server = desk.server;
                for (int f = 0; f < failures.size(); f++) {
                    desk.sink.failWrite(f + 1, failures.get(f));
                }
                // Requests audit until the sink has thrown every failure planned (a flusher may write in batches
                // of any size, so how many requests that takes is not known), then one more whose records must be
                // written.
                int step = 0;
                while (desk.sink.writes() < failures.size() && step < failures.size()) {
                    RequestContext context = contexts.get(step++);
                    int before = desk.sink.writes();
                    desk.get(server.handle(context, () -> {
                        server.audit(context.traceId() + " #1");
                        server.audit(context.traceId() + " #2");
                        return null;
                    }), "a request that audits");
                    String after = before == 0 ? "" : " after the sink threw " + failures.subList(0, before);
                    awaitTrue(() -> desk.sink.writes() > before, desk, "the flusher should have tried to write the "
                            + "records of request " + step + after + " (rule 6: a sink that throws does not stop the "
                            + "flusher)");
                }
                assertThat(desk.sink.writes()).as("writes tried, each request's records taking one at least")
                        .isGreaterThanOrEqualTo(failures.size());
                RequestContext last = contexts.get(failures.size());
                Expected expected = new Expected();
                desk.get(server.handle(last, () -> {
                    server.audit(expected.message(last, last.traceId(), 1));
                    server.audit(expected.message(last, last.traceId(), 2));
                    return null;
                }), "a request that audits");
                awaitWritten(desk, expected, "records audited after the sink threw " + failures + " must still be "
                        + "written (rule 6: a sink that throws, even an Error, does not stop the flusher)");
                assertThat(desk.closeWithin(Duration.ofSeconds(3))).as("close() after the sink threw").isNull();
            }
        }
    }

    @Nested
    @Order(4)
    @DisplayName("the flusher and close()")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class Shutdown {

        @Test
        @Order(1)
        @Tag("rule-7")
        @DisplayName("starts only daemon threads, which never keep the JVM alive")
        void startsOnlyDaemonThreads(Shapes shapes) throws Exception {
            List<RequestContext> contexts = Desk.contexts(shapes, shapes.between("requests", 1, 5));
            Expected expected = new Expected();
            try (Desk desk = Desk.of(1, 1, shortPeriod(shapes))) {
                RequestServer server = desk.server;
                // Every thread that appeared while the server was made, whatever its name or thread group: only the
                // test's own pools are left out.
                List<Thread> started = desk.serversThreads();
                assertThat(started).as("the threads the server's constructor started (made on an application "
                        + "thread that is not a daemon): its flusher (rules 6 and 7)").isNotEmpty();
                for (RequestContext context : contexts) {
                    desk.get(server.handle(context, () -> {
                        server.audit(expected.message(context, context.traceId(), 1));
                        return null;
                    }), "a request that audits");
                }
                awaitWritten(desk, expected, "the flusher must write them every flush period (rule 6)");
                started.addAll(desk.serversThreads());
                started.addAll(desk.sink.writers());
                for (Thread thread : started) {
                    assertThat(thread.isDaemon()).as("thread '%s' (thread group %s), started by the server, must be "
                            + "a daemon, whatever its name and thread group: a thread that is not keeps the JVM "
                            + "running after main() has returned (rule 7)", thread.getName(),
                            thread.getThreadGroup() == null ? "none: it has ended" : thread.getThreadGroup().getName())
                            .isTrue();
                }
            }
        }

        @Test
        @Order(2)
        @Tag("rule-8")
        @DisplayName("close() wakes a flusher that waits an hour, and returns once every record is written")
        void closeWakesTheFlusherAndLosesNothing(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                int count = round.between("requests", 1, 19);
                List<RequestContext> contexts = Desk.contexts(round, count + 1);
                Expected expected = new Expected();
                Random random = round.random();
                try (Desk desk = Desk.of(round.between("request threads", 1, 2), 1, HOUR)) {
                    RequestServer server = desk.server;
                    for (int i = 0; i < count; i++) {
                        RequestContext context = contexts.get(i);
                        int records = 1 + random.nextInt(9);
                        desk.get(server.handle(context, () -> {
                            for (int r = 1; r <= records; r++) {
                                server.audit(expected.message(context, context.traceId(), r));
                            }
                            return null;
                        }), "a request that audits");
                    }
                    String closing = desk.closeWithin(Duration.ofSeconds(3));
                    assertThat(closing).as("close() with a flush period of an hour: it must wake the flusher, "
                            + "not wait out its period (rule 8)").isNull();
                    assertThat(expected.check(desk.sink.written(), "rule 5")).as("what the sink had been given "
                            + "when close() returned (rule 8: close() returns once every record is written)").isNull();
                    // A pool's thread may take a moment to end after the pool has terminated: allowed.
                    assertThat(new RunningBudget(Duration.ofSeconds(1)).joinAll(desk.serversThreads())).as("the "
                            + "server's threads ended within 1 s after close() returned (rule 8: close() stops the "
                            + "flusher; still alive: %s)", desk.serversThreads()).isTrue();
                    RequestContext late = contexts.get(count);
                    assertThat(desk.get(server.handle(late, () -> refused(() -> server.audit("after close"))),
                            "a request after close()")).as("audit() after close() (rule 8: refused with "
                            + "IllegalStateException); the pools go on running").isTrue();
                    assertThat(desk.closeWithin(Duration.ofSeconds(3))).as("a second close() (rule 8)").isNull();
                    assertThat(desk.sink.written()).extracting(AuditRecord::message).as("records written")
                            .doesNotContain("after close");
                }
            });
        }

        @Test
        @Order(3)
        @Tag("rule-8")
        @DisplayName("close() waits for the last write, however slow the sink")
        void closeWaitsForTheLastWrite(Shapes shapes) throws Exception {
            List<RequestContext> contexts = Desk.contexts(shapes, shapes.between("requests", 1, 6));
            Expected expected = new Expected();
            try (Desk desk = Desk.of(1, 1, HOUR)) {
                RequestServer server = desk.server;
                // Held before anything is audited: a flusher that writes each record at once is held as well.
                CountDownLatch writing = desk.sink.hold();
                for (RequestContext context : contexts) {
                    desk.get(server.handle(context, () -> {
                        server.audit(expected.message(context, context.traceId(), 1));
                        return null;
                    }), "a request that audits");
                }
                Thread closer = new Thread(() -> {
                    try {
                        server.close();
                    } catch (InterruptedException stopped) {
                        Thread.currentThread().interrupt();
                    }
                }, "closer");
                closer.setDaemon(true);
                closer.start();
                assertThat(writing.await(3, TimeUnit.SECONDS)).as("the flusher should write the records, at the "
                        + "latest once close() wakes it (rule 8)").isTrue();
                assertThat(new RunningBudget(Duration.ofMillis(400)).joinAll(List.of(closer))).as("close() returned "
                        + "while the flusher was still writing the last batch: the records were not written yet "
                        + "(rule 8: close() waits until the flusher has ended)").isFalse();
                desk.sink.release();
                assertThat(new RunningBudget(Duration.ofSeconds(3)).joinAll(List.of(closer))).as("close() once the "
                        + "last write is done").isTrue();
                assertThat(expected.check(desk.sink.written(), "rule 5")).as("what the sink was given").isNull();
            }
        }
    }

    static boolean refused(Runnable audit) {
        try {
            audit.run();
            return false;
        } catch (IllegalStateException refused) {
            return true;
        }
    }

    /** Waits, at most {@link Desk#PATIENCE} of running time, until every expected record is written. */
    static void awaitWritten(Desk desk, Expected expected, String why) throws InterruptedException {
        awaitTrue(() -> expected.countIn(desk.sink.written()) >= expected.size(), desk,
                () -> expected.countIn(desk.sink.written()) + " of " + expected.size() + " records audited were "
                        + "written within " + Desk.PATIENCE.toSeconds() + " s: " + why);
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, Desk desk, String why)
            throws InterruptedException {
        awaitTrue(condition, desk, () -> why);
    }

    static void awaitTrue(java.util.function.BooleanSupplier condition, Desk desk,
            java.util.function.Supplier<String> why) throws InterruptedException {
        RunningBudget budget = new RunningBudget(Desk.PATIENCE);
        while (!condition.getAsBoolean()) {
            long asked = budget.nextSliceNanos();
            if (asked == 0) {
                throw new AssertionError(why.get() + ". " + ThreadDiagnosis.explain(desk.serversThreads()));
            }
            long slice = Math.min(asked, 5_000_000L);
            long start = System.nanoTime();
            Thread.sleep(slice / 1_000_000L, (int) (slice % 1_000_000L));
            budget.spent(slice, System.nanoTime() - start);
        }
    }
}

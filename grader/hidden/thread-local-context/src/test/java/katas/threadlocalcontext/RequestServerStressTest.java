package katas.threadlocalcontext;

import static katas.threadlocalcontext.RequestServerTest.HOUR;
import static katas.threadlocalcontext.RequestServerTest.probe;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Sneaky;
import katas.testkit.Watch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden tests: the visible tests' rules in larger and mixed shapes. Hundreds of requests of different users on
 * one to three threads, forks, failures of every kind, plain tasks between them; audits from several threads at
 * once with a flusher that writes every millisecond; close() racing with requests that audit.
 */
@DisplayName("RequestServer under load")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RequestServerStressTest {

    private record Seen(String where, String expected, Future<String> found) {
    }

    @Test
    @Order(1)
    @Tag("rule-1")
    @Tag("rule-2")
    @Tag("rule-3")
    @Tag("rule-4")
    @DisplayName("never shows a task another request's context, among hundreds of requests, forks, failures and plain tasks")
    void neverAnotherRequestsContext(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            int requestThreads = round.between("request threads", 1, 3);
            int workerThreads = round.between("worker threads", 1, 3);
            int count = round.between("requests", 61, 233);
            List<RequestContext> contexts = Desk.contexts(round, count);
            List<Throwable> failures = Desk.oneFailureOfEachKind(round, "the mail relay is down");
            Random random = round.random();
            try (Desk desk = Desk.of(requestThreads, workerThreads, HOUR)) {
                RequestServer server = desk.server;
                List<Seen> seen = new ArrayList<>();
                List<Future<?>> failing = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    RequestContext context = contexts.get(i);
                    String who = Desk.who(context);
                    int what = random.nextInt(6);
                    Throwable failure = failures.get(random.nextInt(failures.size()));
                    switch (what) {
                        case 0 -> failing.add(server.handle(context, () -> {
                            throw Sneaky.raise(failure);
                        }));
                        case 1 -> failing.add(server.handle(context, () -> {
                            try {
                                return server.fork(() -> {
                                    throw Sneaky.raise(failure);
                                }).get();
                            } catch (java.util.concurrent.ExecutionException failed) {
                                throw Sneaky.raise(failed.getCause());
                            }
                        }));
                        case 2 -> {
                            Future<Future<String>> forking = server.handle(context, () -> server.fork(() ->
                                    Desk.who(server.current())));
                            seen.add(new Seen("a task forked by " + who, who, desk.get(forking, "request " + i)));
                        }
                        default -> seen.add(new Seen("the request of " + who, who, server.handle(context, () -> {
                            Thread.yield();
                            return Desk.who(server.current());
                        })));
                    }
                    if (random.nextInt(4) == 0) {
                        seen.add(new Seen("a plain task of the request pool after the request of " + who,
                                "no context", desk.requests.submit(() -> probe(server))));
                    }
                    if (random.nextInt(4) == 0) {
                        seen.add(new Seen("a plain task of the worker pool after the request of " + who,
                                "no context", desk.workers.submit(() -> probe(server))));
                    }
                    if (random.nextInt(6) == 0) {
                        seen.add(new Seen("a task forked outside any request, after the request of " + who,
                                "no context", server.fork(() -> probe(server))));
                    }
                }
                for (Seen s : seen) {
                    assertThat(desk.get(s.found(), s.where())).as("what %s found, on pools of %d request and %d "
                            + "worker threads (rules 1, 2 and 3: its own request's context, or none)", s.where(),
                            requestThreads, workerThreads).isEqualTo(s.expected());
                }
                for (Future<?> f : failing) {
                    assertThat(desk.failureOf(f, "a failing request")).as("what a failing request's future reports: "
                            + "what its handler or its task threw (rule 4)")
                            .isIn(failures);
                }
            }
        });
    }

    @Test
    @Order(2)
    @Tag("rule-5")
    @Tag("rule-6")
    @DisplayName("writes every record once and in order while several requests audit at once and the flusher writes every millisecond")
    void writesEverythingWhileManyAudit(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            int threads = round.between("request threads", 2, 4);
            int each = round.between("records per request", 300, 1_700);
            List<RequestContext> contexts = Desk.contexts(round, threads);
            Expected expected = new Expected();
            try (Desk desk = Desk.of(threads, 1, Duration.ofMillis(1))) {
                RequestServer server = desk.server;
                CountDownLatch together = new CountDownLatch(threads);
                List<Future<Object>> requests = new ArrayList<>();
                try (Watch watch = Watch.of("one write at a time (rule 6)", desk.sink::overlap)) {
                    for (RequestContext context : contexts) {
                        requests.add(server.handle(context, () -> {
                            together.countDown();
                            together.await(Desk.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                            for (int r = 1; r <= each; r++) {
                                server.audit(expected.message(context, context.traceId(), r));
                                if ((r & 31) == 0) {
                                    Thread.yield();
                                }
                            }
                            return null;
                        }));
                    }
                    for (Future<Object> request : requests) {
                        desk.get(request, "a request that audits");
                    }
                    RequestServerTest.awaitWritten(desk, expected, "the flusher writes every millisecond (rule 6)");
                }
                assertThat(expected.check(desk.sink.written(), "rule 5")).as("what the sink was given, with %d "
                        + "requests auditing at once (a record added to a batch already handed to the sink is lost)",
                        threads).isNull();
            }
        });
    }

    @Test
    @Order(3)
    @Tag("rule-8")
    @Tag("rule-5")
    @DisplayName("writes every audit that returned when close() races with requests that audit, and none it refused")
    void closeRacingWithAudits(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int threads = round.between("request threads", 1, 3);
            Duration period = round.chance("short flush period", 0.5) ? Duration.ofMillis(round.between("period (ms)",
                    1, 9)) : HOUR;
            int before = round.between("records audited before close()", 1, 400);
            List<RequestContext> contexts = Desk.contexts(round, threads);
            Expected expected = new Expected();
            try (Desk desk = Desk.of(threads, 1, period)) {
                RequestServer server = desk.server;
                CountDownLatch started = new CountDownLatch(before);
                AtomicBoolean closeReturned = new AtomicBoolean();
                List<String> lateAccepted = new java.util.concurrent.CopyOnWriteArrayList<>();
                List<Future<Integer>> requests = new ArrayList<>();
                for (RequestContext context : contexts) {
                    requests.add(server.handle(context, () -> {
                        for (int r = 1; ; r++) {
                            String message = context.traceId() + " #" + r;
                            boolean closedBefore = closeReturned.get();
                            try {
                                server.audit(message);
                            } catch (IllegalStateException refused) {
                                return r;
                            }
                            expected.add(context, context.traceId(), r, message);
                            if (closedBefore) {
                                lateAccepted.add(message);
                                return -1;
                            }
                            started.countDown();
                            if (r >= 200_000) {
                                // close() is slow to come (a busy machine): audit more slowly until it has
                                // returned, so that the records stay few; a right close() is never failed for it.
                                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                            }
                        }
                    }));
                }
                assertThat(started.await(Desk.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("records audited "
                        + "before close()").isTrue();
                String closing = desk.closeWithin(Duration.ofSeconds(3));
                closeReturned.set(true);
                assertThat(closing).as("close() while requests audit (rule 8)").isNull();
                for (Future<Integer> request : requests) {
                    assertThat(desk.get(request, "a request auditing until refused")).as("the number of the first "
                            + "audit refused after close() (rule 8: audit() after close() throws "
                            + "IllegalStateException)").isPositive();
                }
                assertThat(lateAccepted).as("audits accepted although close() had returned before they began (rule "
                        + "8)").isEmpty();
                assertThat(expected.check(desk.sink.written(), "rule 5")).as("what the sink had been given when "
                        + "close() returned: every audit that returned normally, none that was refused (rule 8)")
                        .isNull();
            }
        });
    }
}

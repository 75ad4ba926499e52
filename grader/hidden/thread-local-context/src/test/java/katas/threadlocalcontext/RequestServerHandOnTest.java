package katas.threadlocalcontext;

import static katas.threadlocalcontext.RequestServerTest.HOUR;
import static katas.threadlocalcontext.RequestServerTest.probe;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: requests and tasks handed on from one pool thread to another. A request that calls
 * {@code handle} (or a task that calls {@code fork}) runs the inner one on another thread of a pool
 * with free threads, not in its own: whatever the server remembers about "the context the thread had
 * before" must be remembered on the thread that runs the task, not on the one that submitted it.
 */
@DisplayName("RequestServer handing work on to other threads")
@KataTest
class RequestServerHandOnTest {

    @Test
    @Tag("rule-2")
    @Tag("rule-3")
    @DisplayName("leaves no context on any pool thread after requests and forks handed on from one thread to another")
    void leavesNothingAfterWorkHandedOn(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int requestThreads = round.between("request threads", 2, 3);
            int workerThreads = round.between("worker threads", 2, 3);
            // Every kind of chain in every round, in a random order, and some more drawn at random.
            List<String> kinds = List.of("a request that handles another request",
                    "a request whose forked task handles another request", "a request whose forked task forks again");
            List<String> steps = new ArrayList<>(kinds);
            for (int extra = round.between("more chains", 0, 3); extra > 0; extra--) {
                steps.add(kinds.get(round.random().nextInt(kinds.size())));
            }
            steps = round.shuffled("chains", steps);
            List<RequestContext> contexts = Desk.contexts(round, 2 * steps.size());
            try (Desk desk = Desk.of(requestThreads, workerThreads, HOUR)) {
                RequestServer server = desk.server;
                for (int c = 0; c < steps.size(); c++) {
                    RequestContext outer = contexts.get(2 * c);
                    RequestContext inner = contexts.get(2 * c + 1);
                    String step = steps.get(c);
                    Future<RequestContext> chain = server.handle(outer, () -> switch (step) {
                        case "a request that handles another request" -> server.handle(inner, server::current).get();
                        case "a request whose forked task handles another request" ->
                                server.fork(() -> server.handle(inner, server::current).get()).get();
                        default -> server.fork(() -> server.fork(server::current).get()).get();
                    });
                    RequestContext expected = step.endsWith("forks again") ? outer : inner;
                    RequestContext seen = desk.get(chain, "the chain of " + Desk.who(outer));
                    assertThat(seen).as("what the innermost task found as current() in %s, started by the "
                            + "request of %s (rules 1 and 3)", step, Desk.who(outer)).isEqualTo(expected);
                    assertEveryThreadClean(desk.requests, requestThreads, server, "request", step, outer);
                    assertEveryThreadClean(desk.workers, workerThreads, server, "worker", step, outer);
                }
            }
        });
    }

    /** A plain task on each thread of the pool at once (they meet at a barrier): each must find no context. */
    private static void assertEveryThreadClean(ThreadPoolExecutor pool, int threads, RequestServer server,
            String poolName, String step, RequestContext outer) throws Exception {
        CyclicBarrier everyThread = new CyclicBarrier(threads);
        List<Future<String>> probes = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            probes.add(pool.submit(() -> {
                everyThread.await(Desk.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                return Thread.currentThread().getName() + " " + probe(server);
            }));
        }
        for (Future<String> probe : probes) {
            String found = probe.get(2 * Desk.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            if (!Objects.requireNonNull(found).endsWith(" no context")) {
                throw new AssertionError("after " + step + " (started by the request of " + Desk.who(outer)
                        + ") had ended, a plain task on the " + poolName + " pool's thread " + found + ": the "
                        + "inner request or task ran on another thread of the pool than the one that submitted "
                        + "it, and what was put back on that thread when it ended was the submitting thread's "
                        + "context. Remember the context a thread had before inside the task, on the thread that "
                        + "runs it (rule 2)");
            }
        }
    }
}

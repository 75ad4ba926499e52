package katas.processpoolprimes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import katas.processpoolprimes.Spans.Span;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Hidden: the worker's protocol over the whole range of long, in long batches, up to the end of its input. */
@DisplayName("PrimeWorker protocol, hidden")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrimeWorkerProtocolTest {

    @Test
    @Order(1)
    @Tag("rule-1")
    @DisplayName("answers spans from every region of long: negative, beyond int, up to Long.MAX_VALUE, and at its very ends")
    void answersSpansFromEveryRegionOfLong(Shapes shapes) throws Exception {
        List<String> regions = shapes.shuffled("regions", Spans.REGIONS);
        long[][] ends = {{Long.MIN_VALUE, Long.MIN_VALUE}, {Long.MIN_VALUE, Long.MIN_VALUE + 1},
                {Long.MAX_VALUE, Long.MAX_VALUE}, {Long.MAX_VALUE - 1, Long.MAX_VALUE}};
        List<long[]> edges = shapes.shuffled("edge requests (MIN MIN, MIN MIN+1, MAX MAX, MAX-1 MAX)", List.of(0, 1, 2, 3))
                .stream().map(i -> ends[i]).toList();
        try (WorkerProcess worker = WorkerProcess.start(PrimeWorker.class)) {
            for (long[] edge : edges) {
                String request = "count " + edge[0] + " " + edge[1];
                worker.send(request);
                String answer;
                try {
                    answer = worker.nextLine(request, PrimeWorkerTest.ANSWER_BOUND);
                } catch (AssertionError none) {
                    throw new AssertionError("rule 1: no answer to `" + request + "`, a range of at most one number at "
                            + "the very end of long (" + (edge[1] - edge[0]) + " number(s)): a loop bound such as "
                            + "`n <= to - 1` or `n < to + 1` wraps around there and runs over nearly all of long; loop "
                            + "with `n < to` (and stop before n++ could wrap). What the test saw: " + none.getMessage(),
                            none);
                }
                long primes = edge[0] < edge[1] && Primes.isPrime(edge[0]) ? 1 : 0;
                assertThat(answer)
                        .as("rule 1: the answer to `%s`, the number of primes n with %d <= n < %d (the very end of long)",
                                request, edge[0], edge[1])
                        .isEqualTo(Long.toString(primes));
            }
            for (int i = 0; i < regions.size(); i++) {
                Span span = Spans.draw(shapes, "request " + (i + 1), regions.get(i));
                worker.send(span.request());
                assertThat(worker.nextLine(span.request(), PrimeWorkerTest.ANSWER_BOUND))
                        .as("rule 1: the answer to `%s`, the number of primes n with %,d <= n < %,d (%s): requests "
                                + "carry any long, so parse them as long, count in long, and print only the number",
                                span.request(), span.from(), span.to(), span.region())
                        .isEqualTo(Long.toString(span.primes()));
            }
        }
    }

    @Test
    @Order(2)
    @Tag("rule-2")
    @Tag("rule-3")
    @DisplayName("answers a long batch of waiting requests in order, then exits with status 0 when its input ends")
    void answersABatchInOrderThenExits(Shapes shapes) throws Exception {
        List<Span> batch = new ArrayList<>(PrimeWorkerTest.batch(shapes));
        int more = shapes.between("requests from anywhere after them", 2, 8);
        for (int i = 1; i <= more; i++) {
            batch.add(Spans.draw(shapes, "request " + (batch.size() + 1)));
        }
        List<Span> order = shapes.chance("slow request first", 0.5) ? batch
                : reorder(batch, shapes.between("slow request moved to", 1, batch.size() / 2));
        try (WorkerProcess worker = WorkerProcess.start(PrimeWorker.class)) {
            worker.sendAll(order.stream().map(Span::request).toList());
            worker.endInput();
            List<String> answers = new ArrayList<>();
            for (Span span : order) {
                answers.add(worker.nextLine(span.request() + " (one of " + order.size() + " requests sent at once, "
                        + "then the end of input)", PrimeWorkerTest.ANSWER_BOUND));
            }
            assertThat(answers)
                    .as("rule 2: %d requests waited in the worker's input at once, then the input ended: one answer per "
                            + "request, in the order of the requests %s", order.size(), order)
                    .containsExactlyElementsOf(order.stream().map(s -> Long.toString(s.primes())).toList());
            assertThat(worker.awaitEndOfOutput(Duration.ofSeconds(5)))
                    .as("rule 3: after its %d answers the worker's input had ended: it must close its output and exit, "
                            + "but it printed this instead", order.size())
                    .isNull();
            Optional<Integer> status = worker.awaitExit(Duration.ofSeconds(5));
            assertThat(status).as("rule 3: the worker was still running 5 s after its input ended and it had answered")
                    .isPresent();
            assertThat(status.get()).as("rule 3: the worker's exit status after its input ended").isZero();
        }
    }

    private static List<Span> reorder(List<Span> batch, int slowAt) {
        List<Span> moved = new ArrayList<>(batch.subList(1, batch.size()));
        moved.add(Math.min(slowAt, moved.size()), batch.get(0));
        return moved;
    }
}

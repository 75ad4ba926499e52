package katas.processpoolprimes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import katas.processpoolprimes.Spans.Span;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The worker on its own: a real JVM, talked to through its standard input and output. */
@DisplayName("PrimeWorker (the worker process)")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrimeWorkerTest {

    static final Duration ANSWER_BOUND = Duration.ofSeconds(10);

    @Test
    @Order(1)
    @Tag("rule-1")
    @DisplayName("answers each request with the count alone on its line, for numbers anywhere in a long")
    void answersEachRequestOnALineOfItsOwn(Shapes shapes) throws Exception {
        try (WorkerProcess worker = WorkerProcess.start(PrimeWorker.class)) {
            List<String> regions = shapes.shuffled("regions", Spans.REGIONS);
            int requests = regions.size();
            for (int i = 1; i <= requests; i++) {
                Span span = Spans.draw(shapes, "request " + i, regions.get(i - 1));
                worker.send(span.request());
                String answer = worker.nextLine(span.request(), ANSWER_BOUND);
                assertThat(answer)
                        .as("rule 1: the answer to `%s` (request %d of %d), the number of primes n with %,d <= n < %,d "
                                + "(%s): the line must hold that number and nothing else, since standard output is the "
                                + "pool's channel (logs go to standard error); numbers may be negative, beyond int, or "
                                + "up to Long.MAX_VALUE", span.request(), i, requests, span.from(), span.to(), span.region())
                        .isEqualTo(Long.toString(span.primes()));
            }
        }
    }

    @Test
    @Order(2)
    @Tag("rule-2")
    @DisplayName("serves requests that wait in its input one at a time, answering them in their order")
    void answersWaitingRequestsInTheirOrder(Shapes shapes) throws Exception {
        List<Span> batch = batch(shapes);
        try (WorkerProcess worker = WorkerProcess.start(PrimeWorker.class)) {
            worker.sendAll(batch.stream().map(Span::request).toList());
            List<String> answers = new ArrayList<>();
            for (Span span : batch) {
                answers.add(worker.nextLine(span.request(), ANSWER_BOUND));
            }
            assertThat(answers)
                    .as("rule 2: %d requests were waiting in the worker's input at once, the first one slow %s: the "
                            + "answers must come one per request, in the order of the requests, whatever each one costs "
                            + "(the pool matches each answer to the request it sent before it)", batch.size(), batch)
                    .containsExactlyElementsOf(batch.stream().map(s -> Long.toString(s.primes())).toList());
        }
    }

    @Test
    @Order(3)
    @Tag("rule-3")
    @DisplayName("answers what it was asked, then exits with status 0 when its input ends")
    void exitsWhenItsInputEnds(Shapes shapes) throws Exception {
        int waiting = shapes.between("requests waiting when the input ends", 0, 4);
        List<Span> batch = new ArrayList<>();
        for (int i = 1; i <= waiting; i++) {
            batch.add(Spans.draw(shapes, "request " + i, "small numbers"));
        }
        try (WorkerProcess worker = WorkerProcess.start(PrimeWorker.class)) {
            if (!batch.isEmpty()) {
                worker.sendAll(batch.stream().map(Span::request).toList());
            }
            worker.endInput();
            for (Span span : batch) {
                assertThat(worker.nextLine(span.request(), ANSWER_BOUND))
                        .as("rule 3: the answer to `%s`, sent just before the worker's input ended: a worker answers "
                                + "every request it read before it exits", span.request())
                        .isEqualTo(Long.toString(span.primes()));
            }
            String extra = worker.awaitEndOfOutput(Duration.ofSeconds(5));
            assertThat(extra)
                    .as("rule 3: after its input ended and its %d answer(s), the worker must close its output and exit; "
                            + "it printed this instead", batch.size())
                    .isNull();
            Optional<Integer> status = worker.awaitExit(Duration.ofSeconds(5));
            assertThat(status)
                    .as("rule 3: the worker was still running 5 s after its standard input ended: when a pool closes "
                            + "the pipe (or dies), readLine() returns null, and the worker must then exit; otherwise it "
                            + "lives on as an orphan")
                    .isPresent();
            assertThat(status.get()).as("rule 3: the worker's exit status after its input ended normally").isZero();
        }
    }

    /**
     * A slow request (trial division of numbers near 10^12, tens of milliseconds) followed by quick
     * ones whose answers all differ, so that answers given out of order show.
     */
    static List<Span> batch(Shapes shapes) {
        List<Span> batch = new ArrayList<>();
        long slowFrom = 1_000_000_000_000L + shapes.between("slow request above 10^12", 0L, 1_000_000_000L);
        long slowTo = slowFrom + shapes.between("slow request length", 1_500L, 3_000L);
        batch.add(new Span(slowFrom, slowTo, Sieve.primesIn(slowFrom, slowTo), "slow"));
        Set<Long> answers = new TreeSet<>(Set.of(batch.get(0).primes()));
        int quick = shapes.between("quick requests after it", 2, 6);
        for (int i = 1; batch.size() <= quick; i++) {
            Span span = Spans.draw(shapes, "quick request " + i, "small numbers");
            if (answers.add(span.primes())) {
                batch.add(span);
            }
        }
        return batch;
    }
}

package katas.processpoolprimes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import katas.testkit.KataTest;

/** The worker on its own: a real JVM, talked to through its standard input and output. */
@DisplayName("PrimeWorker (the worker process)")
@KataTest
class PrimeWorkerTest {

    private static final Duration ANSWER_BOUND = Duration.ofSeconds(10);

    @Test
    @DisplayName("answers `count 0 100` with 25, alone on its line")
    void answersOneRequest() throws Exception {
        try (WorkerProcess worker = WorkerProcess.start(PrimeWorker.class)) {
            worker.send("count 0 100");
            String answer = worker.nextLine("count 0 100", ANSWER_BOUND);
            assertThat(answer)
                    .as("the first line the worker printed must be the answer (there are 25 primes below 100), and "
                            + "nothing else: standard output is the pool's channel, so logs belong on standard error")
                    .isEqualTo("25");
        }
    }

    @Test
    @DisplayName("answers many requests on one process, in order, one line each")
    void answersManyRequestsInOrder() throws Exception {
        long[][] ranges = {{0, 10}, {10, 20}, {20, 20}, {100, 200}, {1_000_000, 1_010_000}, {0, 2}, {2, 3}};
        try (WorkerProcess worker = WorkerProcess.start(PrimeWorker.class)) {
            for (long[] range : ranges) {
                String request = "count " + range[0] + " " + range[1];
                worker.send(request);
                String answer = worker.nextLine(request, ANSWER_BOUND);
                assertThat(answer)
                        .as("answer to `%s`: the number of primes n with %,d <= n < %,d (from included, to excluded)",
                                request, range[0], range[1])
                        .isEqualTo(Long.toString(Sieve.primesIn(range[0], range[1])));
            }
        }
    }

    @Test
    @DisplayName("exits by itself when its input ends, so it never outlives its pool")
    void exitsWhenItsInputEnds() throws Exception {
        try (WorkerProcess worker = WorkerProcess.start(PrimeWorker.class)) {
            worker.send("count 0 10");
            worker.nextLine("count 0 10", ANSWER_BOUND);
            worker.endInput();
            Optional<Integer> status = worker.awaitExit(Duration.ofSeconds(5));
            assertThat(status)
                    .as("the worker was still running 5 s after its standard input ended: when a pool closes the "
                            + "pipe (or dies), reading returns the end of input, and the worker must then exit; "
                            + "otherwise it lives on as an orphan")
                    .isPresent();
            assertThat(status.get()).as("the worker's exit status after its input ended normally").isZero();
        }
    }
}

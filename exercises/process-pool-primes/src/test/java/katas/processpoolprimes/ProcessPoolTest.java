package katas.processpoolprimes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import katas.testkit.KataTest;

/**
 * The pool, with real worker processes. Some tests start the tests' own {@link ProbeWorker}
 * instead of {@link PrimeWorker}: it answers like a worker, and leaves traces that show what the
 * pool did (how many requests were in flight at once, which worker died on which range).
 */
@DisplayName("ProcessPool")
@KataTest
class ProcessPoolTest {

    static final Duration COUNT_BOUND = Duration.ofSeconds(10);
    static final String COUNT_STUCK = "a correct pool needs well under a second here. A request or an answer may be "
            + "sitting in a buffer (flush after each line), the pool may wait for an answer that will never come (a "
            + "worker that died answers nothing), or it may start a new JVM for every range instead of reusing its workers";

    /** Calls countPrimes with a bound, so a pool that waits forever fails instead of hanging. */
    static long count(ProcessPool pool, long from, long to, long rangeSize) throws Exception {
        return Within.call(COUNT_BOUND, "countPrimes(" + from + ", " + to + ", " + rangeSize + ")", COUNT_STUCK,
                () -> pool.countPrimes(from, to, rangeSize));
    }

    /** The arguments of a probe worker that leaves its traces in {@code dir}. */
    static String[] probe(Path dir, String... options) {
        return Stream.concat(Stream.of("dir=" + dir), Stream.of(options)).toArray(String[]::new);
    }

    @Nested
    @DisplayName("counting")
    class Counting {

        @Test
        @DisplayName("counts the 25 primes below 100")
        void countsThePrimesBelowOneHundred() throws Exception {
            try (ChildProcesses children = ChildProcesses.watch()) {
                ProcessPool pool = children.own(new ProcessPool(2));
                assertThat(count(pool, 0, 100, 10)).as("primes below 100, sent as 10 ranges of 10 numbers").isEqualTo(25);
            }
        }

        @Test
        @DisplayName("counts a larger span cut into uneven ranges, each counted once")
        void countsALargeSpanCutIntoUnevenRanges() throws Exception {
            try (ChildProcesses children = ChildProcesses.watch()) {
                ProcessPool pool = children.own(new ProcessPool(3));
                long expected = Sieve.primesIn(0, 300_000);
                long got = count(pool, 0, 300_000, 7_001);
                assertThat(got)
                        .as("primes in [0, 300,000) sent as 43 ranges of 7,001 numbers (the last one shorter): expected "
                                + "%,d, got %,d; a range lost, counted twice, or cut wrong at its ends changes the total",
                                expected, got)
                        .isEqualTo(expected);
            }
        }

        @Test
        @DisplayName("counts nothing in an empty span, and one prime in a span of one prime")
        void countsEmptyAndTinySpans() throws Exception {
            try (ChildProcesses children = ChildProcesses.watch()) {
                ProcessPool pool = children.own(new ProcessPool(1));
                assertThat(count(pool, 10, 10, 5)).as("primes in the empty span [10, 10)").isZero();
                assertThat(count(pool, 7, 8, 1_000)).as("primes in [7, 8), a span shorter than one range").isEqualTo(1);
            }
        }

        @Test
        @DisplayName("rejects a span that ends before it starts, and a range size below one")
        void rejectsBadArguments() throws Exception {
            try (ChildProcesses children = ChildProcesses.watch()) {
                ProcessPool pool = children.own(new ProcessPool(1));
                assertThatThrownBy(() -> pool.countPrimes(10, 5, 1)).as("countPrimes(10, 5, 1)")
                        .isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> pool.countPrimes(0, 100, 0)).as("countPrimes(0, 100, 0)")
                        .isInstanceOf(IllegalArgumentException.class);
            }
        }
    }

    @Nested
    @DisplayName("in parallel")
    class InParallel {

        @Test
        @DisplayName("starts every worker as a process of its own, all running side by side")
        void startsEveryWorkerAsAProcessOfItsOwn() throws Exception {
            try (ChildProcesses children = ChildProcesses.watch()) {
                children.own(new ProcessPool(3));
                List<ProcessHandle> alive = children.alive();
                assertThat(alive)
                        .as("new ProcessPool(3) must start 3 worker processes that run at the same time, but %d were "
                                + "running when the constructor returned%s", alive.size(),
                                alive.isEmpty() ? "" : ": " + ChildProcesses.describe(alive))
                        .hasSize(3);
            }
        }

        @Test
        @DisplayName("keeps every worker busy at once (three workers hold a request at the same moment)")
        void keepsEveryWorkerBusyAtOnce(@TempDir Path dir) throws Exception {
            try (ChildProcesses children = ChildProcesses.watch()) {
                ProcessPool pool = children.own(new ProcessPool(3, ProbeWorker.class, probe(dir, "barrier=3")));
                assertThat(count(pool, 0, 600, 50)).as("primes below 600, in 12 ranges").isEqualTo(Sieve.primesIn(0, 600));
                ProbeWorker.Traces traces = new ProbeWorker.Traces(dir);
                String most = traces.read("barrier-timeout");
                assertThat(most)
                        .as("each probe worker waits until 3 requests are in flight at once, but in %d s there were "
                                + "never more than %s at the same time: the pool sent all its ranges to one worker, or "
                                + "waited for each answer before sending the next range to anyone",
                                ProbeWorker.WAIT_MILLIS / 1000, most)
                        .isNull();
                assertThat(traces.answeringPids())
                        .as("the worker processes that answered at least one of the 12 ranges (all 3 should have)")
                        .hasSize(3);
            }
        }

        @Test
        @DisplayName("gives a free worker the next range while another worker is still on a slow one")
        void givesTheNextRangeToAFreeWorker(@TempDir Path dir) throws Exception {
            try (ChildProcesses children = ChildProcesses.watch()) {
                ProcessPool pool = children.own(new ProcessPool(2, ProbeWorker.class,
                        probe(dir, "holdFrom=0", "others=7")));
                assertThat(count(pool, 0, 800, 100)).as("primes below 800, in 8 ranges").isEqualTo(Sieve.primesIn(0, 800));
                String answered = new ProbeWorker.Traces(dir).read("hold-timeout");
                assertThat(answered)
                        .as("the range [0, 100) is slow: its worker holds it until the other 7 ranges have been "
                                + "answered, but only %s were answered in %d s: the pool waited for the slow answer (or "
                                + "queued ranges behind it) instead of giving the free worker its next range as soon as "
                                + "it answered", answered, ProbeWorker.WAIT_MILLIS / 1000)
                        .isNull();
            }
        }
    }

    @Nested
    @DisplayName("shutting down")
    class ShuttingDown {

        @Test
        @DisplayName("leaves no worker process running after close()")
        void closeLeavesNoWorkerRunning() throws Exception {
            try (ChildProcesses children = ChildProcesses.watch()) {
                ProcessPool pool = children.own(new ProcessPool(3));
                assertThat(count(pool, 0, 1_000, 100)).as("primes below 1,000").isEqualTo(168);
                Within.call(Duration.ofSeconds(10), "close()",
                        "it may wait for a worker that never exits: ask it to stop, wait a little, then kill it", () -> {
                            pool.close();
                            return null;
                        });
                children.assertNoneAlive("after close() returned");
            }
        }
    }

    @Nested
    @DisplayName("when a worker dies")
    class WhenAWorkerDies {

        @Test
        @DisplayName("runs the range of a worker that crashed mid-range again, on another worker")
        void runsACrashedWorkersRangeAgain(@TempDir Path dir) throws Exception {
            try (ChildProcesses children = ChildProcesses.watch()) {
                ProcessPool pool = children.own(new ProcessPool(2, ProbeWorker.class, probe(dir, "crashOnce=500")));
                Within.Outcome<Long> outcome = Within.attempt(COUNT_BOUND, "countPrimes(0, 1000, 100)", COUNT_STUCK,
                        () -> pool.countPrimes(0, 1_000, 100));
                ProbeWorker.Traces traces = new ProbeWorker.Traces(dir);
                assertThat(traces.named("claim-crash-500")).as("the probe worker asked [500, 600) should have crashed").isNotEmpty();
                assertThat(outcome.failure())
                        .as("countPrimes gave up after one worker crashed on [500, 600); a range may crash up to "
                                + "MAX_ATTEMPTS = %d workers before the count fails", ProcessPool.MAX_ATTEMPTS)
                        .isNull();
                long missing = 168 - outcome.value();
                assertThat(outcome.value())
                        .as("expected 168 primes below 1,000, got %d (%d missing; the crashed range [500, 600) holds "
                                + "%d): the range of a worker that died without answering must run again on another "
                                + "worker", outcome.value(), missing, Sieve.primesIn(500, 600))
                        .isEqualTo(168);
            }
        }
    }
}

package katas.parallelprimes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import katas.parallelprimes.Probes.CallLedger;
import katas.parallelprimes.Probes.MeetingProbe;
import katas.parallelprimes.Probes.StuckWorkerProbe;
import katas.testkit.Contention;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import katas.testkit.KataTest;

/**
 * Hidden: that the work really is shared (probes, not timings), balanced, race-free, and that
 * the counter may be used by several callers at once. Speed itself is measured by the grader.
 */
@DisplayName("ParallelPrimeCounter under stress")
@KataTest
class ParallelPrimeCounterStressTest {

    /**
     * On a busy machine two threads run at the same moment only now and then, so the rounds go on
     * for a while (at least 3) to give a race many chances. Time only bounds the repetition.
     */
    @ParameterizedTest(name = "{0} threads, [0, {1}), rounds for {2} ms")
    @CsvSource({"2, 500000, 700", "4, 500000, 700"})
    @DisplayName("loses no find when every number is a prime and all threads report at once")
    void losesNoFind(int threads, long to, long millis) {
        long until = System.nanoTime() + millis * 1_000_000;
        int round = 0;
        do {
            round++;
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
                long got = counter.count(0, to, Probes::yesWithAFence);
                assertThat(got)
                        .as("round %d: isPrime said yes to all %,d numbers, count said %,d: %,d finds were lost "
                                + "(two threads read the same running total and both wrote back total + 1)",
                                round, to, got, to - got)
                        .isEqualTo(to);
            }
        } while (round < 3 || System.nanoTime() - until < 0);
    }

    @ParameterizedTest(name = "{0} threads")
    @CsvSource({"3", "6"})
    @DisplayName("tests numbers on all of its threads at the same time, even with more threads than cores")
    void testsOnAllThreadsAtOnce(int threads) {
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
            MeetingProbe probe = new MeetingProbe(threads);
            long got = counter.count(0, 60_000, probe);
            assertThat(probe.peak())
                    .as("counter built with %d threads: isPrime never ran on more than %d threads at once "
                            + "(each thread's first call waited up to %d s for the others): the pieces ran one "
                            + "after another, or there were fewer pieces or threads than %d",
                            threads, probe.peak(), Probes.PATIENCE.toSeconds(), threads)
                    .isGreaterThanOrEqualTo(threads);
            assertThat(got).as("primes in [0, 60,000)").isEqualTo(6_057);
        }
    }

    @Test
    @DisplayName("the default counter tests numbers on every core at the same time")
    void defaultCounterUsesEveryCore() {
        int cores = Runtime.getRuntime().availableProcessors();
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter()) {
            MeetingProbe probe = new MeetingProbe(cores);
            long got = counter.count(0, 60_000, probe);
            assertThat(probe.peak())
                    .as("new ParallelPrimeCounter() on %d cores ran isPrime on at most %d threads at once",
                            cores, probe.peak())
                    .isGreaterThanOrEqualTo(cores);
            assertThat(got).as("primes in [0, 60,000)").isEqualTo(6_057);
        }
    }

    @ParameterizedTest(name = "{0} threads, one stuck on the first number at or above {1}")
    @CsvSource({"2, 30000", "3, 0"})
    @DisplayName("keeps its free threads busy while one thread is stuck on a slow number")
    void keepsFreeThreadsBusy(int threads, long stickAt) {
        long from = 0;
        long to = 60_000;
        double share = 0.7;
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
            StuckWorkerProbe probe = new StuckWorkerProbe(from, to, stickAt, share);
            long got = counter.count(from, to, probe);
            assertThat(probe.releasedInTime())
                    .as("with %d threads: %s", threads, probe.whyNotReleased(to - from))
                    .isTrue();
            assertThat(got).as("primes in [0, 60,000)").isEqualTo(6_057);
        }
    }

    @ParameterizedTest(name = "{0} threads")
    @CsvSource({"1", "2", "5"})
    @DisplayName("runs isPrime on no more threads than it was given")
    void runsOnNoMoreThreadsThanGiven(int threads) {
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
            for (int round = 1; round <= 2; round++) {
                CallLedger ledger = new CallLedger(0, 30_000, TrialDivision.IS_PRIME);
                counter.count(0, 30_000, ledger);
                // Two spare threads are tolerated: a ForkJoinPool may add one while a thread waits in join().
                assertThat(ledger.workers().size())
                        .as("count number %d on a counter built with %d threads ran isPrime on %,d different "
                                + "threads (the caller aside): a thread per number or per piece costs more than "
                                + "the work it does; keep %d threads and hand them pieces", round, threads,
                                ledger.workers().size(), threads)
                        .isLessThanOrEqualTo(threads + 2);
                assertThat(ledger.problems()).as("count number %d: every number asked once", round).isEmpty();
            }
        }
    }

    @Test
    @DisplayName("gives each of four callers counting at the same time on one counter its own answer")
    void keepsConcurrentCallersApart() throws InterruptedException {
        int callers = 4;
        int countsEach = 4;
        long[][] expected = new long[callers][countsEach];
        for (int c = 0; c < callers; c++) {
            for (int i = 0; i < countsEach; i++) {
                expected[c][i] = TrialDivision.sequentialCount(from(c, i), to(c, i));
            }
        }
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(2)) {
            Contention.threads(callers).callsEach(countsEach).named("caller").within(Duration.ofSeconds(15))
                    .run((c, i) -> {
                        long got = counter.count(from(c, i), to(c, i), TrialDivision.IS_PRIME);
                        assertThat(got)
                                .as("caller %d counted [%,d, %,d) while %d other callers counted other ranges on "
                                        + "the same counter: expected %,d primes, got %,d. Callers' counts got "
                                        + "mixed up: a running total kept in a field is shared by every call",
                                        c, from(c, i), to(c, i), callers - 1, expected[c][i], got)
                                .isEqualTo(expected[c][i]);
                    });
        }
    }

    private static long from(int caller, int call) {
        return 200_000L * (caller * 7 + call);
    }

    private static long to(int caller, int call) {
        return from(caller, call) + 20_000 + 1_009L * caller + 7_919L * call;
    }

    @Test
    @DisplayName("stops the threads it started when it is closed")
    void stopsItsThreadsWhenClosed() throws InterruptedException {
        CallLedger ledger = new CallLedger(0, 50_000, TrialDivision.IS_PRIME);
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(3)) {
            counter.count(0, 50_000, ledger);
        }
        long deadline = System.nanoTime() + Probes.PATIENCE.toNanos();
        List<Thread> owned = ledger.workers().stream().filter(t -> !isCommonPoolWorker(t)).toList();
        for (Thread worker : owned) {
            worker.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
        List<String> alive = owned.stream().filter(Thread::isAlive).map(Thread::getName).toList();
        assertThat(alive)
                .as("close() returned, but %d threads that ran isPrime were still alive %d s later: %s. Threads "
                        + "that are never stopped outlive the counter, and a JVM with live non-daemon threads "
                        + "never exits: close() must shut down what the counter started",
                        alive.size(), Probes.PATIENCE.toSeconds(), alive)
                .isEmpty();
    }

    private static boolean isCommonPoolWorker(Thread thread) {
        return thread instanceof ForkJoinWorkerThread worker && worker.getPool() == ForkJoinPool.commonPool();
    }
}

package katas.processpoolprimes;

import static katas.processpoolprimes.ProcessPoolTest.count;
import static katas.processpoolprimes.ProcessPoolTest.probe;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import katas.testkit.KataTest;

/** Hidden: more workers, more ranges, slow ranges anywhere, reuse of the workers, exact totals. */
@DisplayName("ProcessPool in parallel, hidden")
@KataTest
class ProcessPoolParallelismTest {

    @Test
    @DisplayName("keeps four workers busy at once")
    void keepsFourWorkersBusyAtOnce(@TempDir Path dir) throws Exception {
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(4, ProbeWorker.class, probe(dir, "barrier=4")));
            assertThat(count(pool, 0, 4_000, 100)).as("primes below 4,000 in 40 ranges").isEqualTo(Sieve.primesIn(0, 4_000));
            ProbeWorker.Traces traces = new ProbeWorker.Traces(dir);
            assertThat(traces.read("barrier-timeout"))
                    .as("4 workers never held 4 requests at the same moment (at most %s at once in %d s): every worker "
                            + "must have a range in flight at the same time", traces.read("barrier-timeout"),
                            ProbeWorker.WAIT_MILLIS / 1000)
                    .isNull();
            assertThat(traces.answeringPids()).as("the worker processes that answered at least one range").hasSize(4);
        }
    }

    @Test
    @DisplayName("lets a slow range in the middle hold up nothing but its own worker")
    void aSlowRangeHoldsUpOnlyItsOwnWorker(@TempDir Path dir) throws Exception {
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(3, ProbeWorker.class,
                    probe(dir, "holdFrom=500", "others=11")));
            assertThat(count(pool, 0, 1_200, 100)).as("primes below 1,200 in 12 ranges").isEqualTo(Sieve.primesIn(0, 1_200));
            String answered = new ProbeWorker.Traces(dir).read("hold-timeout");
            assertThat(answered)
                    .as("the range [500, 600) is slow: its worker holds it until the other 11 ranges have been answered "
                            + "by the two other workers, but only %s were in %d s: the pool waited for the slow answer "
                            + "before handing out more ranges (rounds in lockstep, answers read in a fixed order, or "
                            + "ranges queued behind the slow one)", answered, ProbeWorker.WAIT_MILLIS / 1000)
                    .isNull();
        }
    }

    @Test
    @DisplayName("reuses the same worker processes for every count")
    void reusesItsWorkers(@TempDir Path dir) throws Exception {
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(2, ProbeWorker.class, probe(dir)));
            Set<Long> started = pids(children.alive());
            assertThat(started)
                    .as("new ProcessPool(2, ...) must start its 2 workers at once, so the counts can reuse them; "
                            + "%d were running when the constructor returned", started.size())
                    .hasSize(2);
            assertThat(count(pool, 0, 1_000, 100)).as("first count").isEqualTo(168);
            assertThat(count(pool, 1_000, 3_000, 100)).as("second count").isEqualTo(Sieve.primesIn(1_000, 3_000));
            Set<Long> answering = new ProbeWorker.Traces(dir).answeringPids();
            assertThat(answering)
                    .as("the pids that answered the two counts must be the workers started by the constructor %s: "
                            + "starting a JVM costs tens of milliseconds, and a pool exists to pay that once", started)
                    .isSubsetOf(started);
            assertThat(pids(children.alive())).as("worker processes running after two counts").isEqualTo(started);
        }
    }

    @Test
    @DisplayName("asks for every range exactly once, cut at multiples of the range size from the start")
    void asksForEveryRangeOnce(@TempDir Path dir) throws Exception {
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(3, ProbeWorker.class, probe(dir)));
            assertThat(count(pool, 5, 1_005, 100)).as("primes in [5, 1,005)").isEqualTo(Sieve.primesIn(5, 1_005));
            List<String> asked = new ProbeWorker.Traces(dir).named("asked-");
            Map<Long, Long> timesPerStart = asked.stream().map(n -> Long.parseLong(n.split("-")[2]))
                    .collect(Collectors.groupingBy(Function.identity(), TreeMap::new, Collectors.counting()));
            Map<Long, Long> expected = LongStream.iterate(5, s -> s < 1_005, s -> s + 100).boxed()
                    .collect(Collectors.toMap(Function.identity(), s -> 1L, (a, b) -> a, TreeMap::new));
            assertThat(timesPerStart)
                    .as("how many times each range was asked, by its start: [5, 1,005) in ranges of 100 is [5, 105), "
                            + "[105, 205), ..., [905, 1,005), each asked once when no worker dies")
                    .isEqualTo(expected);
        }
    }

    @Test
    @DisplayName("counts a wide span exactly with four PrimeWorkers")
    void countsAWideSpan() throws Exception {
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(4));
            assertThat(count(pool, 0, 2_000_000, 30_011)).as("primes below 2,000,000 in ranges of 30,011")
                    .isEqualTo(Sieve.primesIn(0, 2_000_000));
        }
    }

    @Test
    @DisplayName("counts three thousand ranges of one number each")
    void countsManyTinyRanges() throws Exception {
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(3));
            assertThat(count(pool, 0, 3_000, 1))
                    .as("primes below 3,000, one number per request: every answer must be matched to its own request")
                    .isEqualTo(Sieve.primesIn(0, 3_000));
        }
    }

    @Test
    @DisplayName("counts spans that start anywhere, negative numbers included")
    void countsSpansThatStartAnywhere() throws Exception {
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(2));
            assertThat(count(pool, -50, 50, 7)).as("primes in [-50, 50) (no negative number is prime)").isEqualTo(15);
            assertThat(count(pool, 1, 2, 1)).as("primes in [1, 2)").isZero();
            assertThat(count(pool, 2, 3, 1)).as("primes in [2, 3)").isEqualTo(1);
            assertThat(count(pool, 999_000, 1_000_000, 333)).as("primes in [999,000, 1,000,000)")
                    .isEqualTo(Sieve.primesIn(999_000, 1_000_000));
        }
    }

    private static Set<Long> pids(List<ProcessHandle> processes) {
        return processes.stream().map(ProcessHandle::pid).collect(Collectors.toSet());
    }
}

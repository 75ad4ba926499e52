package katas.processpoolprimes;

import static katas.processpoolprimes.ProcessPoolTest.COUNT_BOUND;
import static katas.processpoolprimes.ProcessPoolTest.COUNT_STUCK;
import static katas.processpoolprimes.ProcessPoolTest.count;
import static katas.processpoolprimes.ProcessPoolTest.probe;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import katas.testkit.KataTest;

/** Hidden: workers that crash, are killed from outside, or die on every try. */
@DisplayName("ProcessPool when workers die")
@KataTest
class ProcessPoolFaultToleranceTest {

    @Test
    @DisplayName("runs the range of a worker killed from outside again, and the total is still right")
    void rerunsTheRangeOfAWorkerKilledFromOutside(@TempDir Path dir) throws Exception {
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(3, ProbeWorker.class, probe(dir, "hangOnce=400")));
            CompletableFuture<Long> counting = Within.start("countPrimes", () -> pool.countPrimes(0, 1_000, 100));
            ProbeWorker.Traces traces = new ProbeWorker.Traces(dir);
            ProcessHandle victim = awaitVictimOf(400, traces, children);
            victim.destroyForcibly();
            long total = await(counting, "after the worker counting [400, 500) (pid " + victim.pid() + ") was killed");
            assertThat(total)
                    .as("expected 168 primes below 1,000, got %d: the range [400, 500) of the killed worker holds %d; "
                            + "it must run again on another worker", total, Sieve.primesIn(400, 500))
                    .isEqualTo(168);
            assertThat(traces.timesAsked(400)).as("how many times a worker was asked [400, 500)").isGreaterThanOrEqualTo(2);
        }
    }

    @Test
    @DisplayName("keeps counting when more workers crash than the pool has, and stays usable afterwards")
    void keepsCountingWhenManyWorkersCrash(@TempDir Path dir) throws Exception {
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(2, ProbeWorker.class,
                    probe(dir, "crashOnce=100,500,900,1500")));
            Within.Outcome<Long> first = Within.attempt(COUNT_BOUND, "countPrimes(0, 1000, 100)", COUNT_STUCK,
                    () -> pool.countPrimes(0, 1_000, 100));
            assertThat(first.failure())
                    .as("countPrimes failed when three workers of a pool of two crashed, each on a different range "
                            + "(each range crashed only once): a pool replaces a worker that died and keeps its size")
                    .isNull();
            assertThat(first.value())
                    .as("primes below 1,000 after the workers on [100, 200), [500, 600) and [900, 1,000) crashed "
                            + "(those ranges hold %d, %d and %d)", Sieve.primesIn(100, 200), Sieve.primesIn(500, 600),
                            Sieve.primesIn(900, 1_000))
                    .isEqualTo(168);
            assertThat(count(pool, 1_000, 2_000, 250))
                    .as("a second count on the same pool, whose worker on [1,500, 1,750) crashed too")
                    .isEqualTo(Sieve.primesIn(1_000, 2_000));
        }
    }

    @Test
    @DisplayName("gives up on a range that kills every worker, after a few tries, and then closes without orphans")
    void givesUpOnARangeThatKillsEveryWorker(@TempDir Path dir) throws Exception {
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(2, ProbeWorker.class, probe(dir, "crashAlways=300")));
            Within.Outcome<Long> outcome = Within.attempt(COUNT_BOUND, "countPrimes(0, 1000, 100)",
                    "a range that kills every worker it is sent to must not be retried forever: after MAX_ATTEMPTS "
                            + "workers died on it, countPrimes throws IllegalStateException",
                    () -> pool.countPrimes(0, 1_000, 100));
            long tries = new ProbeWorker.Traces(dir).timesAsked(300);
            assertThat(outcome.failure())
                    .as("the range [300, 400) crashed every worker it was sent to (%d tries), so countPrimes cannot "
                            + "know the total: it must throw IllegalStateException, not return %s", tries, outcome.value())
                    .isInstanceOf(IllegalStateException.class);
            assertThat(tries)
                    .as("how many workers were asked [300, 400): at least twice (a crash may be bad luck), at most "
                            + "MAX_ATTEMPTS = %d", ProcessPool.MAX_ATTEMPTS)
                    .isBetween(2L, (long) ProcessPool.MAX_ATTEMPTS);
            Within.call(Duration.ofSeconds(10), "close() after a failed count", "close() must stop the workers "
                    + "that are left, with a bound on how long it waits for each", () -> {
                        pool.close();
                        return null;
                    });
            children.assertNoneAlive("after close(), following a count that failed");
        }
    }

    @Test
    @DisplayName("survives a PrimeWorker killed while it counts, with the total still right")
    void survivesAPrimeWorkerKilledWhileCounting() throws Exception {
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(2));
            CompletableFuture<Long> counting = Within.start("countPrimes",
                    () -> pool.countPrimes(0, 5_000_000, 50_000));
            ProcessHandle victim = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (victim == null && !counting.isDone() && System.nanoTime() < deadline) {
                victim = children.alive().stream()
                        .filter(p -> p.info().totalCpuDuration().orElse(Duration.ZERO).toMillis() >= 350)
                        .findFirst().orElse(null);
                Thread.sleep(10);
            }
            if (victim != null) {
                victim.destroyForcibly();
            }
            long total = await(counting, victim == null ? "(no worker was killed: the count ended first)"
                    : "after worker pid " + victim.pid() + " was killed in the middle of its work");
            assertThat(total)
                    .as("primes below 5,000,000 with one of two PrimeWorkers killed while it counted")
                    .isEqualTo(Sieve.primesIn(0, 5_000_000));
        }
    }

    /** Waits for the probe that hangs to write its pid, and checks it is one of this test's processes. */
    static ProcessHandle awaitVictimOf(long from, ProbeWorker.Traces traces, ChildProcesses children) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String pid = traces.read("victim");
        while (pid == null && System.nanoTime() < deadline) {
            Thread.sleep(10);
            pid = traces.read("victim");
        }
        assertThat(pid).as("no worker was asked the range starting at %d within 10 s of starting the count", from)
                .isNotNull();
        long victimPid = Long.parseLong(pid);
        List<ProcessHandle> alive = children.alive();
        return alive.stream().filter(p -> p.pid() == victimPid).findFirst().orElseThrow(() -> new AssertionError(
                "the worker that got the range starting at " + from + " (pid " + victimPid + ") is not a running process started by this test: "
                        + ChildProcesses.describe(alive)));
    }

    /** The count's total, or a failure that says what the pool did instead. */
    static long await(CompletableFuture<Long> counting, String after) throws Exception {
        try {
            return counting.get(COUNT_BOUND.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException hung) {
            throw new AssertionError("countPrimes did not return within " + COUNT_BOUND.toSeconds() + " s " + after
                    + ": the pool still waits for an answer from a dead worker; when a worker dies, reading its output "
                    + "ends (end of stream) and writing to it fails: that is the signal to run its range elsewhere");
        } catch (ExecutionException failed) {
            throw new AssertionError("countPrimes failed " + after + " with " + failed.getCause()
                    + ": one dead worker must not fail the count; its range runs again on another worker", failed.getCause());
        }
    }
}

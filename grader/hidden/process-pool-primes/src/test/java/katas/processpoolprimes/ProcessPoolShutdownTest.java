package katas.processpoolprimes;

import static katas.processpoolprimes.ProcessPoolTest.count;
import static katas.processpoolprimes.ProcessPoolTest.probe;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import katas.testkit.KataTest;

/** Hidden: close() in every situation leaves no child process behind, and never waits without a bound. */
@DisplayName("ProcessPool shutting down")
@KataTest
class ProcessPoolShutdownTest {

    private static final Duration CLOSE_BOUND = Duration.ofSeconds(8);

    static void closeWithin(ProcessPool pool, String stuckMeans) throws Exception {
        Within.call(CLOSE_BOUND, "close()", stuckMeans, () -> {
            pool.close();
            return null;
        });
    }

    @Test
    @DisplayName("kills a worker that does not exit when its input ends")
    void closeKillsAWorkerThatIgnoresTheEndOfItsInput(@TempDir Path dir) throws Exception {
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(2, ProbeWorker.class, probe(dir, "ignoreEof")));
            assertThat(count(pool, 0, 100, 10)).as("primes below 100").isEqualTo(25);
            closeWithin(pool, "these workers do not exit when their input ends, and close() waited for them without "
                    + "a bound: ask politely, wait a little (a second or two), then destroy the process");
            children.assertNoneAlive("after close() returned (these workers ignore the end of their input: they must be killed)");
        }
    }

    @Test
    @DisplayName("ends a count that is waiting on a hung worker, and leaves no worker running")
    void closeWhileCountingEndsTheCount(@TempDir Path dir) throws Exception {
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(2, ProbeWorker.class, probe(dir, "hangOnce=300")));
            CompletableFuture<Long> counting = Within.start("countPrimes", () -> pool.countPrimes(0, 1_000, 100));
            ProcessPoolFaultToleranceTest.awaitVictimOf(300, new ProbeWorker.Traces(dir), children);
            closeWithin(pool, "close() was called while countPrimes waited for a worker that never answers; close() "
                    + "may be called from any thread at any time, and must stop the workers within a bound");
            try {
                Long total = counting.get(5, TimeUnit.SECONDS);
                throw new AssertionError("countPrimes returned " + total + " although the pool was closed before the "
                        + "range [300, 400) was ever answered: it must throw IllegalStateException");
            } catch (TimeoutException hung) {
                throw new AssertionError("countPrimes was still waiting 5 s after close() returned: once the workers "
                        + "are gone, nobody will ever answer it; it must end with IllegalStateException");
            } catch (ExecutionException failed) {
                assertThat(failed.getCause())
                        .as("what countPrimes threw when the pool was closed under it")
                        .isInstanceOf(IllegalStateException.class);
            }
            children.assertNoneAlive("after close() returned during a count");
        }
    }

    @Test
    @DisplayName("can be closed twice, and refuses to count once closed")
    void closeTwiceAndCountAfterClose() throws Exception {
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(2));
            assertThat(count(pool, 0, 100, 25)).as("primes below 100").isEqualTo(25);
            closeWithin(pool, "close() should stop two PrimeWorkers promptly");
            closeWithin(pool, "a second close() has nothing left to do");
            children.assertNoneAlive("after close() returned");
            assertThatThrownBy(() -> pool.countPrimes(0, 100, 10))
                    .as("countPrimes on a closed pool: there are no workers left to count")
                    .isInstanceOf(IllegalStateException.class);
            children.assertNoneAlive("after countPrimes was called on a closed pool (it must not start workers again)");
        }
    }

    @Test
    @DisplayName("rejects a pool of no workers, and starts nothing")
    void rejectsAPoolOfNoWorkers() throws Exception {
        try (ChildProcesses children = ChildProcesses.watch()) {
            assertThatThrownBy(() -> children.own(new ProcessPool(0)))
                    .as("new ProcessPool(0)")
                    .isInstanceOf(IllegalArgumentException.class);
            children.assertNoneAlive("after new ProcessPool(0) was rejected");
        }
    }

    @Test
    @DisplayName("leaves no worker running after close(), for pools of one to four workers in a row")
    void closeLeavesNothingForEverySize() throws Exception {
        for (int size = 1; size <= 4; size++) {
            try (ChildProcesses children = ChildProcesses.watch()) {
                ProcessPool pool = children.own(new ProcessPool(size));
                assertThat(count(pool, 0, 10_000, 1_000)).as("primes below 10,000 with %d worker(s)", size)
                        .isEqualTo(1_229);
                closeWithin(pool, "close() should stop " + size + " PrimeWorker(s) promptly");
                children.assertNoneAlive("after close() of a pool of " + size);
            }
        }
    }
}

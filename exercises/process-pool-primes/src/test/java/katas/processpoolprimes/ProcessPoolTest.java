package katas.processpoolprimes;

import static katas.processpoolprimes.Pools.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Watch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The pool, with real worker processes. Most tests start the tests' own {@link ProbeWorker}
 * instead of {@link PrimeWorker}: it answers like a worker, but the test decides how (with a
 * made-up count, after waiting for other workers, or not at all because it crashes), and it
 * reports what the pool did: which ranges it sent, how many were in flight at once.
 */
@DisplayName("ProcessPool")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcessPoolTest {

    @Test
    @Order(1)
    @Tag("rule-5")
    @DisplayName("counts the primes of spans cut into uneven ranges, each range once, on the same workers")
    void countsEverySpanExactly(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 1, 3);
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(size));
            shapes.check(3, round -> {
                int ranges = round.between("ranges", 1, 40);
                long rangeSize = round.between("range size", 1L, 7_000L);
                long from = round.between("from", 0L, 150_000L);
                long to = from + (ranges - 1) * rangeSize + round.between("last range length", 1L, rangeSize);
                long expected = Sieve.primesIn(from, to);
                long got = count(pool, from, to, rangeSize);
                assertThat(got)
                        .as("rule 5: primes in [%,d, %,d) sent as %d range(s) of %,d numbers (the last one %,d): "
                                + "expected %,d, got %,d; a range lost, counted twice, or cut wrong at its ends changes "
                                + "the total", from, to, ranges, rangeSize, to - from - (ranges - 1) * rangeSize,
                                expected, got)
                        .isEqualTo(expected);
            });
            long at = shapes.between("empty span at", -1_000_000L, 1_000_000L);
            assertThat(count(pool, at, at, shapes.between("empty span's range size", 1L, 1_000L)))
                    .as("rule 5: primes in the empty span [%,d, %,d)", at, at)
                    .isZero();
        }
    }

    @Test
    @Order(2)
    @Tag("rule-7")
    @DisplayName("keeps every worker busy at once: all of them hold a request at the same moment")
    void keepsEveryWorkerBusyAtOnce(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 2, 4);
        Pools.Cut cut = Pools.cut(shapes, shapes.between("ranges", 2 * size + 1, 5 * size), 5_000);
        try (ProbeHub hub = ProbeHub.start(); ChildProcesses children = ChildProcesses.watch()) {
            ProbeHub.Barrier barrier = hub.barrier(size, Duration.ofSeconds(6));
            hub.policy(barrier);
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            long total = count(pool, cut.from(), cut.to(), cut.rangeSize());
            assertThat(barrier.failure())
                    .as("rule 7: each of the %d probe workers waits until %d requests are in flight at once, but %s: "
                            + "the pool sent its ranges to one worker only, or waited for each answer before sending the "
                            + "next range to anyone", size, size, barrier.failure())
                    .isNull();
            assertThat(total).as("rule 5: the total of the workers' answers for %s", cut.describe())
                    .isEqualTo(cut.expectedTotal());
            assertThat(hub.answeringPids(cut.ranges(), Duration.ofSeconds(10)))
                    .as("rule 7: the worker processes that answered at least one of the %d ranges (all %d should have)",
                            cut.ranges(), size)
                    .hasSize(size);
            hub.assertProtocolKept();
        }
    }

    @Test
    @Order(3)
    @Tag("rule-7")
    @DisplayName("gives a free worker the next range while another worker is still on a slow one")
    void givesTheNextRangeToAFreeWorker(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 2, 3);
        Pools.Cut cut = Pools.cut(shapes, shapes.between("ranges", size + 3, 14), 5_000);
        // At least `size` ranges come after the slow one, so that one of them falls in a later round than it:
        // a pool that goes in rounds must then wait for the slow range before handing it out.
        int slow = shapes.between("slow range (index)", 0, cut.ranges() - size - 1);
        long[] slowRange = cut.pieces().get(slow);
        try (ProbeHub hub = ProbeHub.start(); ChildProcesses children = ChildProcesses.watch()) {
            ProbeHub.Hold hold = hub.hold(slowRange[0], slowRange[1], cut.ranges() - 1, Duration.ofSeconds(6));
            hub.policy(hold);
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            long total = count(pool, cut.from(), cut.to(), cut.rangeSize());
            assertThat(hold.failure())
                    .as("rule 7: the range %s (number %d of %d) is slow: its worker holds it until the other %d ranges "
                            + "have been answered by the other worker(s), but %s: the pool waited for the slow answer "
                            + "(answers read in a fixed order, or rounds in lockstep) instead of giving each free worker "
                            + "its next range as soon as it answered", ProbeHub.range(slowRange[0], slowRange[1]),
                            slow + 1, cut.ranges(), cut.ranges() - 1, hold.failure())
                    .isNull();
            assertThat(total).as("rule 5: the total of the workers' answers for %s", cut.describe())
                    .isEqualTo(cut.expectedTotal());
            hub.assertProtocolKept();
        }
    }

    @Test
    @Order(4)
    @Tag("rule-9")
    @DisplayName("runs the range of a worker that died mid-range again, on a new worker, and keeps its size")
    void runsADeadWorkersRangeAgain(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 1, 3);
        Pools.Cut cut = Pools.cut(shapes, shapes.between("ranges", 3, 12), 5_000);
        List<long[]> ranges = cut.pieces();
        List<Integer> order = shapes.shuffled("ranges in crash order",
                Stream.iterate(0, i -> i + 1).limit(ranges.size()).toList());
        int crashing = shapes.between("ranges whose worker dies", 1, Math.min(3, ranges.size()));
        Map<String, String> deaths = new HashMap<>();
        for (int i = 0; i < crashing; i++) {
            long[] r = ranges.get(order.get(i));
            deaths.put(ProbeHub.range(r[0], r[1]), Deaths.draw(shapes, "death " + (i + 1), false));
        }
        try (ProbeHub hub = ProbeHub.start(); ChildProcesses children = ChildProcesses.watch()) {
            hub.policy(ask -> ask.attempt() == 1 && deaths.containsKey(ask.range())
                    ? new ProbeHub.Crash(deaths.get(ask.range())) : ProbeHub.answer(ask));
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            Within.Outcome<Long> outcome = Within.attempt(Pools.COUNT_BOUND, "countPrimes for " + cut.describe(),
                    Pools.COUNT_STUCK, () -> pool.countPrimes(cut.from(), cut.to(), cut.rangeSize()));
            assertThat(outcome.failure())
                    .as("rule 9: countPrimes failed after the workers on %s died (%s), each range only once: a pool "
                            + "replaces a worker that died and runs its range again; it gives up on a range only after "
                            + "MAX_ATTEMPTS = %d workers died on it", deaths.keySet(),
                            deaths.values().stream().map(Deaths::describe).toList(),
                            ProcessPool.MAX_ATTEMPTS)
                    .isNull();
            assertThat(outcome.value())
                    .as("rule 9: the total for %s after the workers on %s died without answering: the range of a dead "
                            + "worker must run again (expected %,d, got %,d)", cut.describe(), deaths.keySet(),
                            cut.expectedTotal(), outcome.value())
                    .isEqualTo(cut.expectedTotal());
            for (long[] r : ranges) {
                String range = ProbeHub.range(r[0], r[1]);
                assertThat(hub.timesAsked(r[0], r[1]))
                        .as("rule 9: how many times a worker was asked %s (%s)", range,
                                deaths.containsKey(range) ? "its first worker died on it: once more on a new worker"
                                        : "nobody died on it: once")
                        .isEqualTo(deaths.containsKey(range) ? 2 : 1);
            }
            List<ProcessHandle> alive = children.awaitAlive(size, Duration.ofSeconds(3));
            assertThat(alive)
                    .as("rule 9: the worker processes running after the count: a pool replaces each worker that died, "
                            + "so it keeps its size of %d", size)
                    .hasSize(size);
            hub.assertProtocolKept();
        }
    }

    @Test
    @Order(5)
    @Tag("rule-4")
    @DisplayName("starts every worker in the constructor, with its arguments, and reuses them for every count")
    void startsItsWorkersOnceAndReusesThem(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 1, 4);
        List<String> extra = shapes.shuffled("extra worker arguments",
                List.of("alpha", "two words", "--flag=1", "x" + shapes.between("number", 0, 999)))
                .subList(0, shapes.between("extra worker arguments used", 0, 4));
        try (ProbeHub hub = ProbeHub.start(); ChildProcesses children = ChildProcesses.watch()) {
            String[] args = hub.args(extra.toArray(String[]::new));
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, args));
            Set<Long> started = ChildProcesses.pids(children.alive());
            assertThat(started)
                    .as("rule 4: new ProcessPool(%d, ...) must start its %d workers before it returns, all running at "
                            + "once", size, size)
                    .hasSize(size);
            int counts = shapes.between("counts", 2, 3);
            try (Watch watch = Watch.of("rule 4, the workers are started once",
                    Pools.onlyTheseAlive(children, started, "rule 4"))) {
                for (int c = 1; c <= counts; c++) {
                    Pools.Cut cut = Pools.cut(shapes, "count " + c, shapes.between("count " + c + " ranges", 1, 15),
                            10_000);
                    assertThat(count(pool, cut.from(), cut.to(), cut.rangeSize()))
                            .as("rule 5: count %d of %d, %s", c, counts, cut.describe())
                            .isEqualTo(cut.expectedTotal());
                }
            }
            assertThat(hub.answeringPids())
                    .as("rule 4: the workers that answered the %d counts must be the ones the constructor started %s: "
                            + "starting a JVM costs tens of milliseconds, and a pool exists to pay that once", counts,
                            started)
                    .isSubsetOf(started);
            assertThat(Pools.argsMismatch(hub.probes(), List.of(args)))
                    .as("rule 4: each worker runs `java -cp <class path> <workerMain> <workerArgs...>`, with the "
                            + "workerArgs as they were given, in order, one command-line argument each")
                    .isNull();
            hub.assertProtocolKept();
        }
    }

    @Test
    @Order(6)
    @Tag("rule-12")
    @DisplayName("leaves no worker process running once close() has returned")
    void closeLeavesNoWorkerRunning(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 1, 4);
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(size));
            long from = shapes.between("from", 0L, 100_000L);
            long to = from + shapes.between("length", 1L, 20_000L);
            assertThat(count(pool, from, to, shapes.between("range size", 1L, 3_000L)))
                    .as("rule 5: primes in [%,d, %,d)", from, to).isEqualTo(Sieve.primesIn(from, to));
            List<ProcessHandle> workers = new ArrayList<>(children.alive());
            Pools.close(pool, "it may wait for a worker that never exits: ask it to stop, wait a little, then kill it");
            ChildProcesses.assertAllExited(workers, "rule 12", "when close() returned");
            children.assertNoneAlive("rule 12", "after close() returned");
        }
    }

    @Test
    @Order(7)
    @Tag("rule-5")
    @DisplayName("rejects a span that ends before it starts and a range size below one, sends nothing, stays usable")
    void rejectsBadArguments(Shapes shapes) throws Exception {
        try (ProbeHub hub = ProbeHub.start(); ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(1, ProbeWorker.class, hub.args()));
            long from = shapes.between("from", -1_000_000L, 1_000_000L);
            long before = from - shapes.between("to below from by", 1L, 1_000L);
            long badSize = shapes.oneOf("bad range size", 0L, -1L, -shapes.between("negative size", 2L, 1_000L),
                    Long.MIN_VALUE);
            assertThatThrownBy(() -> pool.countPrimes(from, before, 10))
                    .as("rule 5: countPrimes(%d, %d, 10), a span that ends before it starts", from, before)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> pool.countPrimes(from, from + 100, badSize))
                    .as("rule 5: countPrimes(%d, %d, %d), a range size below one", from, from + 100, badSize)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(hub.asks()).as("rule 5: requests sent for the rejected calls (none should be)").isEmpty();
            Pools.Cut cut = Pools.cut(shapes, shapes.between("ranges", 1, 8), 1_000);
            assertThat(count(pool, cut.from(), cut.to(), cut.rangeSize()))
                    .as("rule 5: a count after the rejected calls, %s", cut.describe())
                    .isEqualTo(cut.expectedTotal());
        }
    }
}

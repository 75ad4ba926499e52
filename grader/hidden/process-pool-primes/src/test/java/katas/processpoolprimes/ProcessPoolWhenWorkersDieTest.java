package katas.processpoolprimes;

import static katas.processpoolprimes.Pools.count;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.ThreadsLeftBehind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/** Hidden: workers that die in every way, at every moment, once, twice, or every time; and slow ones that do not. */
@DisplayName("ProcessPool when workers die, hidden")
@KataTest
// Rule 12 on every path a test takes, not only in the tests about closing (red team I)
@ExtendWith(ThreadsLeftBehind.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcessPoolWhenWorkersDieTest {

    @Test
    @Order(1)
    @Tag("rule-9")
    @Tag("rule-11")
    @DisplayName("runs the range of every worker that died mid-range again, stops what is left of it, keeps its size "
            + "(chatty workers)")
    void runsTheRangeOfEveryDeadWorkerAgain(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 1, 3);
        Pools.Cut cut = Pools.cut(shapes, shapes.between("ranges", 4, 14), 100_000);
        List<long[]> ranges = cut.pieces();
        List<Integer> order = shapes.shuffled("ranges in crash order",
                Stream.iterate(0, i -> i + 1).limit(ranges.size()).toList());
        int dying = shapes.between("ranges whose worker dies", 2, Math.min(4, ranges.size()));
        Map<String, String> deaths = new HashMap<>();
        for (int i = 0; i < dying; i++) {
            long[] r = ranges.get(order.get(i));
            deaths.put(ProbeHub.range(r[0], r[1]), Deaths.draw(shapes, "death " + (i + 1), true));
        }
        // Every worker, the replacements too, first writes more to its standard error than a pipe holds (rule 11).
        long chatter = shapes.between("bytes each worker writes to standard error", 70_000L, 90_000L);
        try (ProbeHub hub = ProbeHub.start(new ProbeHub.Options(chatter, false), ask -> ask.attempt() == 1
                && deaths.containsKey(ask.range()) ? new ProbeHub.Crash(deaths.get(ask.range())) : ProbeHub.answer(ask));
                ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            CompletableFuture<Long> counting = Within.start("countPrimes for " + cut.describe(),
                    () -> pool.countPrimes(cut.from(), cut.to(), cut.rangeSize()));
            // Waits for the count while the probes make progress; a worker blocked on its standard error makes none.
            String seen = progress(hub);
            long still = System.nanoTime();
            while (!counting.isDone() && System.nanoTime() - still < TimeUnit.SECONDS.toNanos(10)) {
                try {
                    counting.get(50, TimeUnit.MILLISECONDS);
                } catch (TimeoutException | ExecutionException notYetOrFailed) {
                    // looked at below
                }
                if (!progress(hub).equals(seen)) {
                    seen = progress(hub);
                    still = System.nanoTime();
                }
            }
            if (!counting.isDone()) {
                Set<Long> blocked = new java.util.LinkedHashSet<>(hub.probes().keySet());
                blocked.removeAll(hub.stderrDone());
                assertThat(blocked)
                        .as("rule 11: the workers that never got their %,d bytes of standard error out (pids: %d of the %d "
                                + "workers that started, the replacements of dead ones included): a worker started in place "
                                + "of a dead one must have its standard error inherited, discarded or drained like the "
                                + "first ones; a pipe that nobody reads is full at 64 KB and blocks the worker",
                                chatter, blocked.size(), hub.probes().size())
                        .isEmpty();
                throw new AssertionError("rule 9: countPrimes for " + cut.describe() + " had not returned, and nothing "
                        + "happened among the workers for 10 s, after the workers on " + deaths.keySet() + " died: "
                        + Pools.COUNT_STUCK);
            }
            Within.Outcome<Long> outcome;
            try {
                outcome = new Within.Outcome<>(counting.get(), null);
            } catch (ExecutionException failed) {
                outcome = new Within.Outcome<>(null, failed.getCause());
            }
            assertThat(outcome.failure())
                    .as("rule 9: countPrimes failed after the workers on %s died (%s), each range only once",
                            deaths.keySet(), deaths.values().stream().map(Deaths::describe).toList())
                    .isNull();
            assertThat(outcome.value())
                    .as("rule 9: the total for %s after the workers on %s died without answering", cut.describe(),
                            deaths.keySet())
                    .isEqualTo(cut.expectedTotal());
            for (long[] r : ranges) {
                String range = ProbeHub.range(r[0], r[1]);
                assertThat(hub.timesAsked(r[0], r[1]))
                        .as("rule 9: how many times a worker was asked %s (%s)", range, deaths.containsKey(range)
                                ? "its first worker " + Deaths.describe(deaths.get(range)) + ": once more" : "once")
                        .isEqualTo(deaths.containsKey(range) ? 2 : 1);
            }
            assertSize(children, size, deaths.values().contains("close-output")
                    ? " (a worker that closed its output but lived on must be killed by the pool)" : "");
            hub.assertProtocolKept();
        }
    }

    @Test
    @Order(2)
    @Tag("rule-9")
    @DisplayName("replaces a worker killed from outside mid-range, and one that died while it was idle")
    void replacesWorkersKilledFromOutside(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 1, 3);
        Pools.Cut first = Pools.cut(shapes, "first count", shapes.between("first count ranges", 2, 10), 100_000);
        long[] victimRange = first.pieces().get(shapes.between("range whose worker is killed", 0, first.ranges() - 1));
        try (ProbeHub hub = ProbeHub.start(ask -> ask.from() == victimRange[0] && ask.to() == victimRange[1]
                && ask.attempt() == 1 ? new ProbeHub.Hang() : ProbeHub.answer(ask));
                ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            CompletableFuture<Long> counting = Within.start("countPrimes",
                    () -> pool.countPrimes(first.from(), first.to(), first.rangeSize()));
            assertThat(hub.awaitProgress(() -> hub.holding().values().stream()
                    .anyMatch(a -> a.from() == victimRange[0]), Duration.ofSeconds(10)))
                    .as("rule 9: no worker was asked %s, and then nothing happened for 10 s",
                            ProbeHub.range(victimRange[0], victimRange[1]))
                    .isTrue();
            long victim = hub.holding().entrySet().stream().filter(e -> e.getValue().from() == victimRange[0])
                    .findFirst().orElseThrow().getKey();
            ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);
            assertThat(await(counting, "after the worker counting " + ProbeHub.range(victimRange[0], victimRange[1])
                    + " (pid " + victim + ") was killed"))
                    .as("rule 9: the total for %s, after the worker on %s was killed from outside", first.describe(),
                            ProbeHub.range(victimRange[0], victimRange[1]))
                    .isEqualTo(first.expectedTotal());
            assertThat(hub.timesAsked(victimRange[0], victimRange[1]))
                    .as("rule 9: how many times %s was asked (its first worker was killed: once more)",
                            ProbeHub.range(victimRange[0], victimRange[1]))
                    .isEqualTo(2);
            assertSize(children, size, "");

            List<ProcessHandle> idle = children.alive();
            int killed = shapes.between("idle workers killed between the counts", 1, idle.size());
            for (ProcessHandle worker : idle.subList(0, killed)) {
                worker.destroyForcibly();
                worker.onExit().get(5, TimeUnit.SECONDS);
            }
            Pools.Cut second = Pools.cut(shapes, "second count", shapes.between("second count ranges", size, 12),
                    100_000);
            Within.Outcome<Long> outcome = Within.attempt(Pools.COUNT_BOUND, "countPrimes for " + second.describe(),
                    Pools.COUNT_STUCK, () -> pool.countPrimes(second.from(), second.to(), second.rangeSize()));
            assertThat(outcome.failure())
                    .as("rule 9: the count after %d idle worker(s) were killed between two counts failed: writing a "
                            + "request to a dead worker fails (an IOException such as \"Broken pipe\" or \"Stream "
                            + "closed\"), and that too means the worker died: replace it and send the range again",
                            killed)
                    .isNull();
            assertThat(outcome.value())
                    .as("rule 9: the total for %s, after %d idle worker(s) were killed", second.describe(), killed)
                    .isEqualTo(second.expectedTotal());
            assertSize(children, size, "");
            hub.assertProtocolKept();
        }
    }

    @Test
    @Order(3)
    @Tag("rule-10")
    @DisplayName("tries a range on MAX_ATTEMPTS workers in each count: counts it if the last one answers, fails the count if not")
    void triesARangeOnMaxAttemptsWorkers(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 2, 3);
        Pools.Cut cut = Pools.cut(shapes, shapes.between("ranges", size + 1, 10), 100_000);
        List<long[]> ranges = cut.pieces();
        List<Integer> order = shapes.shuffled("ranges", Stream.iterate(0, i -> i + 1).limit(ranges.size()).toList());
        long[] unlucky = ranges.get(order.get(0));
        // The range that kills every worker has at least size - 1 ranges after it: once it is taken, every other worker
        // gets one of those, and holds it (below) until the count has failed and the next one has started.
        int doomedAt = shapes.between("range that kills every worker (index)", 0, ranges.size() - size);
        long[] doomed = ranges.get(doomedAt);
        int max = ProcessPool.MAX_ATTEMPTS;
        String death = Deaths.draw(shapes, "death", false);
        try (ProbeHub hub = ProbeHub.start(); ChildProcesses children = ChildProcesses.watch()) {
            // The unlucky range kills MAX_ATTEMPTS - 1 workers in each of two counts (attempts are counted by the hub
            // over both): every MAX_ATTEMPTS-th ask answers.
            hub.policy(ask -> ask.from() == unlucky[0] && ask.to() == unlucky[1] && ask.attempt() % max != 0
                    ? new ProbeHub.Crash(death) : ProbeHub.answer(ask));
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            Within.Outcome<Long> lucky = Within.attempt(Pools.COUNT_BOUND, "countPrimes for " + cut.describe(),
                    Pools.COUNT_STUCK, () -> pool.countPrimes(cut.from(), cut.to(), cut.rangeSize()));
            assertThat(lucky.failure())
                    .as("rule 10: the workers on %s died %d times (%s), and the %d-th worker answered: a range is "
                            + "given up only after MAX_ATTEMPTS = %d workers died on it, so this count must succeed",
                            ProbeHub.range(unlucky[0], unlucky[1]), max - 1, Deaths.describe(death), max, max)
                    .isNull();
            assertThat(lucky.value()).as("rule 10: the total for %s", cut.describe()).isEqualTo(cut.expectedTotal());
            assertThat(hub.timesAsked(unlucky[0], unlucky[1]))
                    .as("rule 10: how many workers were asked %s (%d died on it, then one answered)",
                            ProbeHub.range(unlucky[0], unlucky[1]), max - 1)
                    .isEqualTo(max);
            Within.Outcome<Long> again = Within.attempt(Pools.COUNT_BOUND, "countPrimes for " + cut.describe()
                    + " again", Pools.COUNT_STUCK, () -> pool.countPrimes(cut.from(), cut.to(), cut.rangeSize()));
            assertThat(again.failure())
                    .as("rule 10: the same count again, where %s killed %d workers again (%s) and worker %d answered: "
                            + "MAX_ATTEMPTS = %d counts the workers a range killed in this count; the deaths of the count "
                            + "before must not be carried over", ProbeHub.range(unlucky[0], unlucky[1]), max - 1,
                            Deaths.describe(death), max, max)
                    .isNull();
            assertThat(again.value()).as("rule 10: the total for %s, counted a second time", cut.describe())
                    .isEqualTo(cut.expectedTotal());

            // Now a range that kills every worker, while the other workers still hold ranges of that count.
            int asksBefore = hub.asks().size();
            int doomedBefore = hub.timesAsked(doomed[0], doomed[1]);
            // At least two ranges a worker, so that every worker, the held ones too, is sent one at once: with fewer,
            // which worker got the next count's ranges was a race, and a pool that threw without reading the held
            // answers got through a CI run when they all went to the free worker (pit-count-returns-without-joining).
            Pools.Cut after = Pools.cut(shapes, "count after the failure", shapes.between("ranges after", 2 * size, 10),
                    100_000);
            AtomicBoolean nextCountStarted = new AtomicBoolean();
            AtomicInteger held = new AtomicInteger();
            hub.policy(ask -> {
                if (ask.from() == doomed[0] && ask.to() == doomed[1]) {
                    return new ProbeHub.Crash(death);
                }
                if (ask.from() < doomed[0] || held.getAndIncrement() >= size - 1) {
                    // The ranges before it are counted at once, and so are those after the first size - 1 (a pool that
                    // puts a dead worker's range back at the end of its queue must not find every worker held).
                    return ProbeHub.answer(ask);
                }
                // Hold the first size - 1 ranges asked after it until the doomed one has killed its last worker (at
                // most 3 s), so that their answers arrive after the pool knows the count has failed: every worker but
                // the doomed range's holds one then. (It was asked, and answered, in the counts before.)
                hub.await(() -> hub.timesAsked(doomed[0], doomed[1]) >= doomedBefore + max, Duration.ofSeconds(3));
                // Then until the test has started the next count (at most 0.75 s): a pool that threw without
                // reading these answers first lets it start, and must not send a request to a worker that still
                // holds one; a pool that waits for them lets the next count start only after they came.
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(750);
                while (!nextCountStarted.get() && System.nanoTime() < until) {
                    Thread.sleep(5);
                }
                Thread.sleep(nextCountStarted.get() ? 200 : 50); // the next count's requests are on their way
                return ProbeHub.answer(ask);
            });
            Within.Outcome<Long> doomedCount = Within.attempt(Pools.COUNT_BOUND, "countPrimes for " + cut.describe()
                    + " where " + ProbeHub.range(doomed[0], doomed[1]) + " kills every worker",
                    "a range that kills every worker must not be retried forever: after MAX_ATTEMPTS workers died on "
                            + "it, countPrimes throws IllegalStateException", () -> pool.countPrimes(cut.from(), cut.to(),
                                    cut.rangeSize()));
            int asksAfter = hub.asks().size();
            // The next count starts at once, as a caller's next count would.
            hub.policy(ProbeHub::answer);
            nextCountStarted.set(true);
            long next = count(pool, after.from(), after.to(), after.rangeSize());
            int tries = (int) hub.asks().subList(asksBefore, asksAfter).stream()
                    .filter(a -> a.from() == doomed[0] && a.to() == doomed[1]).count();
            assertThat(doomedCount.failure())
                    .as("rule 10: %s killed each of the %d workers it was sent to (%s): nobody can know its count, so "
                            + "countPrimes must throw IllegalStateException, not return %s", ProbeHub.range(doomed[0],
                                    doomed[1]), tries, Deaths.describe(death), doomedCount.value())
                    .isInstanceOf(IllegalStateException.class);
            assertThat(tries)
                    .as("rule 10: how many workers were asked %s, which kills every worker: exactly MAX_ATTEMPTS = %d",
                            ProbeHub.range(doomed[0], doomed[1]), max)
                    .isEqualTo(max);
            assertThat(next)
                    .as("rule 10: a count started right after the failed one, %s: it must not be given answers left "
                            + "over from the failed count (%d requests were sent during it)", after.describe(),
                            asksAfter - asksBefore)
                    .isEqualTo(after.expectedTotal());
            hub.assertProtocolKept();
            assertSize(children, size, " (after the failed count and the one after it, the pool has all its workers)");
            hub.assertProtocolKept();
        }
    }

    @Test
    @Order(4)
    @Tag("rule-9")
    @DisplayName("waits for a slow worker however long its range takes, and neither kills nor replaces it")
    void waitsForASlowWorker(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 1, 2);
        Pools.Cut cut = Pools.cut(shapes, shapes.between("ranges", 1, 6), 100_000);
        long[] slow = cut.pieces().get(shapes.between("slow range (index)", 0, cut.ranges() - 1));
        long slowMillis = shapes.between("milliseconds the slow range takes", 5_000L, 6_000L);
        try (ProbeHub hub = ProbeHub.start(ask -> {
            if (ask.from() == slow[0] && ask.to() == slow[1]) {
                Thread.sleep(slowMillis);
            }
            return ProbeHub.answer(ask);
        }); ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            Set<Long> started = ChildProcesses.pids(children.alive());
            long total = Within.call(Duration.ofSeconds(20), "countPrimes for " + cut.describe(), "the slow range "
                    + "takes " + slowMillis + " ms: a correct pool returns soon after that", () -> pool.countPrimes(
                            cut.from(), cut.to(), cut.rangeSize()));
            assertThat(hub.timesAsked(slow[0], slow[1]))
                    .as("rule 9: how many times the slow range %s was asked (it took %,d ms, and its worker was alive "
                            + "all along: a slow worker is not a dead one, so no time limit may give up on it)",
                            ProbeHub.range(slow[0], slow[1]), slowMillis)
                    .isEqualTo(1);
            assertThat(total).as("rule 5: the total for %s", cut.describe()).isEqualTo(cut.expectedTotal());
            assertThat(ChildProcesses.pids(children.alive()))
                    .as("rule 9: the worker processes after the count: the same %d the constructor started, none killed "
                            + "for being slow", size)
                    .isEqualTo(started);
        }
    }

    @Test
    @Order(5)
    @Tag("rule-9")
    @DisplayName("replaces a real PrimeWorker killed from outside, and counts its range again")
    void replacesARealPrimeWorker(Shapes shapes) throws Exception {
        long from = 1_000_000_000L + shapes.between("from, above 10^9", 0L, 1_000_000_000L);
        long rangeSize = shapes.between("range size", 2_000L, 5_000L);
        int ranges = shapes.between("ranges", 2, 4);
        long to = from + rangeSize * ranges;
        long expected = Sieve.primesIn(from, to);
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(1, PrimeWorker.class));
            List<ProcessHandle> workers = children.alive();
            assertThat(workers).as("rule 4: the worker processes new ProcessPool(1) started").hasSize(1);
            ProcessHandle victim = workers.get(0);
            victim.destroyForcibly(); // the real worker dies (while it is idle, before the count: every range in flight)
            victim.onExit().get(5, TimeUnit.SECONDS);
            Within.Outcome<Long> outcome = Within.attempt(Pools.COUNT_BOUND, "countPrimes(" + from + ", " + to + ", "
                    + rangeSize + ") on new ProcessPool(1)", Pools.COUNT_STUCK, () -> pool.countPrimes(from, to, rangeSize));
            assertThat(outcome.failure())
                    .as("rule 9: countPrimes on a pool of one PrimeWorker that was killed from outside (pid %d) before "
                            + "the count: writing to it fails, and then its range runs again on a new worker",
                            victim.pid())
                    .isNull();
            assertThat(outcome.value())
                    .as("rule 9: the primes in [%,d, %,d), counted by real PrimeWorkers after the first was killed from "
                            + "outside: the pool must treat every worker alike, and run a dead worker's range again",
                            from, to)
                    .isEqualTo(expected);
            assertSize(children, 1, "");
        }
    }

    /** What the probes have done so far: it changes whenever one starts, asks, answers, ends its chatter or dies. */
    private static String progress(ProbeHub hub) {
        return hub.probes().size() + " " + hub.asks().size() + " " + hub.answered() + " " + hub.stderrDone().size() + " "
                + hub.gone().size();
    }

    /** Fails unless the pool has exactly {@code size} workers (allowing 3 s for what is left of dead ones to go). */
    static void assertSize(ChildProcesses children, int size, String note) throws InterruptedException {
        List<ProcessHandle> alive = children.alive();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (alive.size() != size && System.nanoTime() < deadline) {
            Thread.sleep(20);
            alive = children.alive();
        }
        assertThat(alive.size())
                .as("rule 9: the worker processes running after the count%s: a pool replaces each worker that died "
                        + "and keeps its size of %d, no more, no less: %s", note, size, ChildProcesses.describe(alive))
                .isEqualTo(size);
    }

    /** The count's total, or a failure that says what the pool did instead. */
    static long await(CompletableFuture<Long> counting, String after) throws Exception {
        try {
            return counting.get(Pools.COUNT_BOUND.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException hung) {
            throw new AssertionError("rule 9: countPrimes did not return within " + Pools.COUNT_BOUND.toSeconds()
                    + " s " + after + ": the pool still waits for an answer from a dead worker; when a worker dies, "
                    + "reading its output ends (readLine() returns null) and writing to it fails: that is the signal "
                    + "to run its range again on a new worker");
        } catch (ExecutionException failed) {
            throw new AssertionError("rule 9: countPrimes failed " + after + " with " + failed.getCause()
                    + ": one dead worker must not fail the count; its range runs again on a new worker", failed.getCause());
        }
    }
}

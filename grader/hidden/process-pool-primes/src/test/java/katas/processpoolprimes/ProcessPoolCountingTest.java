package katas.processpoolprimes;

import static katas.processpoolprimes.Pools.count;
import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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

/** Hidden: how spans are cut and added up, anywhere in long, and who does the counting. */
@DisplayName("ProcessPool counting, hidden")
@KataTest
// Rule 12 on every path a test takes, not only in the tests about closing (red team I)
@ExtendWith(ThreadsLeftBehind.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcessPoolCountingTest {

    private static final List<String> REGIONS = List.of("near Long.MIN_VALUE", "up to Long.MAX_VALUE", "across zero",
            "one range larger than the span", "ranges of a million million", "wider than Long.MAX_VALUE",
            "many small ranges");

    /** A span of a region drawn at random, and the size of its ranges. */
    record Span(long from, long to, long rangeSize, String region) {
        @Override
        public String toString() {
            return String.format("[%,d, %,d) in ranges of %,d (%s)", from, to, rangeSize, region);
        }
    }

    static Span draw(Shapes shapes, String region) {
        switch (region) {
            case "near Long.MIN_VALUE" -> {
                long from = Long.MIN_VALUE + shapes.between("above Long.MIN_VALUE", 0L, 1_000L);
                long size = shapes.between("range size", 1L, 500L);
                return new Span(from, from + shapes.between("length", 1L, 40 * size), size, region);
            }
            case "up to Long.MAX_VALUE" -> {
                long size = shapes.between("range size", 1L, 1L << 40);
                long to = Long.MAX_VALUE - shapes.between("below Long.MAX_VALUE", 0L, 3L);
                return new Span(to - shapes.between("length", 1L, 30 * size), to, size, region);
            }
            case "across zero" -> {
                long size = shapes.between("range size", 1L, 1_000L);
                long from = -shapes.between("below zero", 1L, 20 * size);
                return new Span(from, shapes.between("to", 0L, 20 * size), size, region);
            }
            case "one range larger than the span" -> {
                long from = shapes.between("from", Long.MIN_VALUE / 2, Long.MAX_VALUE / 2);
                long length = shapes.between("length", 1L, 1L << 50);
                long size = shapes.oneOf("range size", Long.MAX_VALUE, length, length + shapes.between("more", 1L, 1L << 40));
                return new Span(from, from + length, size, region);
            }
            case "ranges of a million million" -> {
                long size = shapes.between("range size", 1_000_000_000_000L, 9_000_000_000_000L);
                long from = shapes.between("from", -(1L << 60), 1L << 60);
                return new Span(from, from + shapes.between("length", 1L, 40 * size), size, region);
            }
            case "wider than Long.MAX_VALUE" -> {
                long size = shapes.between("range size", 1L << 60, Long.MAX_VALUE / 2);
                long from = Long.MIN_VALUE + shapes.between("above Long.MIN_VALUE", 0L, 1L << 60);
                long to = Long.MAX_VALUE - shapes.between("below Long.MAX_VALUE", 0L, 1L << 60);
                return new Span(from, to, size, region);
            }
            default -> {
                long size = shapes.between("range size", 1L, 3L);
                long from = shapes.between("from", -1_000_000L, 1_000_000L);
                return new Span(from, from + shapes.between("length", 20L, 90L), size, region);
            }
        }
    }

    @Test
    @Order(1)
    @Tag("rule-5")
    @DisplayName("cuts spans anywhere in long into consecutive ranges, asks each once, and adds up in long")
    void cutsSpansAnywhereAndAddsUpInLong(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 1, 3);
        List<String> regions = shapes.shuffled("regions", REGIONS);
        try (ProbeHub hub = ProbeHub.start(); ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            for (String region : regions) {
                Span span = draw(shapes, region);
                int before = hub.asks().size();
                long got = count(pool, span.from(), span.to(), span.rangeSize());
                Map<String, Integer> asked = new TreeMap<>();
                for (ProbeHub.Ask ask : hub.asks().subList(before, hub.asks().size())) {
                    asked.merge(ask.range(), 1, Integer::sum);
                }
                Map<String, Integer> expected = new TreeMap<>();
                for (long[] r : ProbeHub.cut(span.from(), span.to(), span.rangeSize())) {
                    expected.put(ProbeHub.range(r[0], r[1]), 1);
                }
                assertThat(asked)
                        .as("rule 5: the requests sent for %s, by range, with how many times each was asked: the span "
                                + "is cut into consecutive ranges of the range size from its start, the last one shorter, "
                                + "each asked once (mind long overflow near the limits: from + rangeSize may not fit)",
                                span)
                        .isEqualTo(expected);
                long total = ProbeHub.expectedTotal(span.from(), span.to(), span.rangeSize());
                assertThat(got)
                        .as("rule 5: the total for %s: the sum of the workers' answers, which may each be beyond int "
                                + "(parse and add them as long)", span)
                        .isEqualTo(total);
            }
            long at = shapes.oneOf("empty span at", Long.MIN_VALUE, Long.MAX_VALUE,
                    shapes.between("empty span somewhere", -(1L << 62), 1L << 62));
            int before = hub.asks().size();
            assertThat(count(pool, at, at, shapes.between("empty span's range size", 1L, Long.MAX_VALUE)))
                    .as("rule 5: the primes in the empty span [%,d, %,d)", at, at).isZero();
            assertThat(hub.asks().subList(before, hub.asks().size()))
                    .as("rule 5: requests sent for the empty span [%,d, %,d) (it has no range to count)", at, at)
                    .isEmpty();
            hub.assertProtocolKept();
        }
    }

    @Test
    @Order(2)
    @Tag("rule-6")
    @DisplayName("lets the worker processes do the counting: they spend the CPU time that the primes cost")
    void letsTheWorkersDoTheCounting(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 1, 2);
        long from = shapes.between("from", 0L, 1_000_000L);
        long to = from + shapes.between("length", 1_500_000L, 2_000_000L);
        long rangeSize = shapes.between("range size", 50_000L, 300_000L);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long start = threads.getCurrentThreadCpuTime();
        long expected = trialDivision(from, to);
        Duration work = Duration.ofNanos(threads.getCurrentThreadCpuTime() - start);
        try (ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(size));
            List<ProcessHandle> workers = children.awaitAlive(size, Duration.ofSeconds(5));
            awaitIdle(workers);
            Optional<Duration> before = cpu(workers);
            assertThat(count(pool, from, to, rangeSize)).as("rule 5: primes in [%,d, %,d)", from, to).isEqualTo(expected);
            Optional<Duration> after = cpu(workers);
            if (before.isEmpty() || after.isEmpty() || work.toMillis() < 20) {
                return; // this system does not tell a process's CPU time: nothing more to learn here
            }
            Duration spent = after.get().minus(before.get());
            assertThat(spent.toMillis())
                    .as("rule 6: the worker processes spent %d ms of CPU time on this count, which costs about %d ms "
                            + "of trial division: the primes were counted somewhere else (in the pool's own JVM?), not "
                            + "by the workers", spent.toMillis(), work.toMillis())
                    .isGreaterThanOrEqualTo(work.toMillis() * 3 / 10);
        }
    }

    /** The processes' CPU time added up, if the system tells it for every one of them. */
    private static Optional<Duration> cpu(List<ProcessHandle> processes) {
        Duration total = Duration.ZERO;
        for (ProcessHandle p : processes) {
            Optional<Duration> spent = p.info().totalCpuDuration();
            if (spent.isEmpty()) {
                return Optional.empty();
            }
            total = total.plus(spent.get());
        }
        return Optional.of(total);
    }

    /** The workers' method, run in the test's own thread to learn what it costs. */
    private static long trialDivision(long from, long to) {
        long count = 0;
        for (long n = from; n < to; n++) {
            if (Primes.isPrime(n)) {
                count++;
            }
        }
        return count;
    }

    /** Waits (at most 5 s) until the workers have started up: their CPU time stops growing. */
    private static void awaitIdle(List<ProcessHandle> workers) throws InterruptedException {
        Optional<Duration> last = cpu(workers);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (last.isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(60);
            Optional<Duration> now = cpu(workers);
            if (now.equals(last)) {
                return;
            }
            last = now;
        }
    }
}

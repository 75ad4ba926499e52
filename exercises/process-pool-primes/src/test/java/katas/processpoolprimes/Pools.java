package katas.processpoolprimes;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import katas.testkit.Shapes;

/** What the pool tests share: bounded calls into the pool, and the shapes they draw. */
final class Pools {

    /** A correct pool needs well under a second for any count of the tests, even while workers start. */
    static final Duration COUNT_BOUND = Duration.ofSeconds(20);
    static final Duration CLOSE_BOUND = Duration.ofSeconds(10);
    static final String COUNT_STUCK = "a correct pool needs well under a second here. A request or an answer may be "
            + "sitting in a buffer (flush after each line), the pool may wait for an answer that will never come (a "
            + "worker that died answers nothing), or it may wait for workers one after the other";

    private Pools() {
    }

    /** Calls countPrimes with a bound, so that a pool that waits forever fails instead of hanging. */
    static long count(ProcessPool pool, long from, long to, long rangeSize) throws Exception {
        return Within.call(COUNT_BOUND, "countPrimes(" + from + ", " + to + ", " + rangeSize + ")", COUNT_STUCK,
                () -> pool.countPrimes(from, to, rangeSize));
    }

    /** Calls close() with a bound. */
    static void close(ProcessPool pool, String stuckMeans) throws Exception {
        Within.call(CLOSE_BOUND, "close()", stuckMeans, () -> {
            pool.close();
            return null;
        });
    }

    /** A span of {@code ranges} ranges of a drawn size, starting anywhere, the last one usually shorter. */
    record Cut(long from, long to, long rangeSize, int ranges) {

        /** The ranges, each {from, to}. */
        List<long[]> pieces() {
            return ProbeHub.cut(from, to, rangeSize);
        }

        long expectedTotal() {
            return ProbeHub.expectedTotal(from, to, rangeSize);
        }

        String describe() {
            return String.format("[%,d, %,d) in %d range(s) of %,d", from, to, ranges, rangeSize);
        }
    }

    /** A span cut into {@code ranges} ranges of at most {@code maxSize} numbers, starting at most a million from 0. */
    static Cut cut(Shapes shapes, int ranges, long maxSize) {
        return cut(shapes, "", ranges, maxSize);
    }

    /** Like {@link #cut(Shapes, int, long)}, its values remembered under names that start with {@code name}. */
    static Cut cut(Shapes shapes, String name, int ranges, long maxSize) {
        String prefix = name.isEmpty() ? "" : name + " ";
        long rangeSize = shapes.between(prefix + "range size", 1L, maxSize);
        long from = shapes.between(prefix + "from", -1_000_000L, 1_000_000L);
        long last = shapes.between(prefix + "last range length", 1L, rangeSize);
        return new Cut(from, from + (ranges - 1) * rangeSize + last, rangeSize, ranges);
    }

    /** The processes started by the pool that are alive now, as a check for {@code katas.testkit.Watch}. */
    static Supplier<String> onlyTheseAlive(ChildProcesses children, Set<Long> expected, String rule) {
        long[] next = {0};
        return () -> {
            long now = System.nanoTime();
            if (now < next[0]) {
                return null;
            }
            next[0] = now + 25_000_000; // the process table is read every 25 ms, not at Watch's pace
            Set<Long> alive = ChildProcesses.pids(children.alive());
            return alive.equals(expected) ? null : rule + ": the worker processes alive were " + alive
                    + " instead of the " + expected.size() + " started by the constructor " + expected;
        };
    }

    /** Fails unless every probe was started with exactly {@code args}, in order. */
    static String argsMismatch(Map<Long, List<String>> probes, List<String> args) {
        for (Map.Entry<Long, List<String>> probe : probes.entrySet()) {
            if (!probe.getValue().equals(args)) {
                return "worker " + probe.getKey() + " was started with the arguments " + quoted(probe.getValue())
                        + " instead of " + quoted(args);
            }
        }
        return null;
    }

    private static String quoted(List<String> args) {
        return args.stream().map(a -> "\"" + a + "\"").toList().toString();
    }
}

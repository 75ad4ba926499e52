package katas.grader.perf;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How many cores' worth of CPU-bound work the machine gives {@code threads} threads right now: the
 * time of one unit of work alone, against {@code threads} units at once, one per thread. On idle
 * cores of their own that is about {@code threads}. It is less on hyper-threads that share a core
 * (GitHub's 4-vCPU runners are reported to be 2 cores with 2 threads each), under a CPU quota, or
 * on a machine busy with other work, and there no learner's code can reach a target that counts
 * every logical core. Measured in the fork right before the timed pairs, so it sees what the pairs
 * will see.
 *
 * <p>The unit is trial division, the same kind of work as the parallel katas' workloads, so the
 * probe finds what that work gains from hyper-threads (little: they share one divider).
 */
public final class ParallelCapacity {

    static final int ROUNDS = 5;

    /** How long units of work take: alone, and {@code threads} of them side by side. */
    interface Trials {
        /** Nanoseconds of one unit alone. */
        long alone();

        /** Nanoseconds from a common start until the last of {@code threads} units has finished. */
        long together(int threads) throws InterruptedException;
    }

    private final Trials trials;

    /** A probe with the trial-division unit (about 16 ms on one core of the machine the kit was built on). */
    public ParallelCapacity() {
        this(new TimedUnits(ParallelCapacity::trialDivision));
    }

    ParallelCapacity(Trials trials) {
        this.trials = trials;
    }

    /**
     * {@code threads} times the fastest unit alone, over the fastest {@code threads} units together,
     * in {@value #ROUNDS} rounds after one untimed round that lets the JIT compile the unit. Other
     * work on the machine only ever adds time, so the fastest times are the ones it disturbed least.
     */
    public double measure(int threads) throws InterruptedException {
        if (threads < 2) {
            return 1;
        }
        trials.together(threads);
        long alone = Long.MAX_VALUE;
        long together = Long.MAX_VALUE;
        for (int i = 0; i < ROUNDS; i++) {
            alone = Math.min(alone, trials.alone());
            together = Math.min(together, trials.together(threads));
        }
        return threads * (double) alone / Math.max(1, together);
    }

    /** The units timed for real, on the machine's clock. */
    private record TimedUnits(Runnable unit) implements Trials {

        @Override
        public long alone() {
            long start = System.nanoTime();
            unit.run();
            return System.nanoTime() - start;
        }

        @Override
        public long together(int threads) throws InterruptedException {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            AtomicLong lastEnd = new AtomicLong();
            List<Thread> workers = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                workers.add(Thread.ofPlatform().daemon(true).name("capacity-probe-" + i).start(() -> {
                    ready.countDown();
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    unit.run();
                    lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
                }));
            }
            ready.await();
            long start = System.nanoTime();
            go.countDown();
            for (Thread worker : workers) {
                worker.join();
            }
            return lastEnd.get() - start;
        }
    }

    private static volatile long sink;

    private static void trialDivision() {
        long count = 0;
        for (long n = 4_000_001; n < 4_120_000; n += 2) {
            boolean prime = true;
            for (long d = 3; d * d <= n; d += 2) {
                if (n % d == 0) {
                    prime = false;
                    break;
                }
            }
            if (prime) {
                count++;
            }
        }
        sink = count; // kept, so the JIT cannot drop the loop
    }
}

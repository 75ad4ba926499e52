package katas.asyncratelimiter;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import katas.testkit.LockedRead;
import katas.testkit.StaleReadProbe;

/**
 * Whether a thread that keeps reading one of the limiter's counts sees a change that another thread makes
 * while it reads: the reading loops over the limiter, for the testkit's {@link StaleReadProbe}, which says how
 * a stale read is found (fix-the-race's {@code StaleReads} does the same for its counter).
 *
 * <p>A read with no lock and no {@code volatile} behind it ({@code return running;} next to writes under a
 * lock) may be done once and kept: the JIT's optimizing compiler moves the load out of a reading loop.
 */
final class StaleCounts {

    private static final long WARM_UP_READS = 1_000L;

    private StaleCounts() {
    }

    /**
     * Runs both reading loops on a fresh limiter, often enough that the optimizing compiler compiles them, once
     * per JVM: the test class calls it when it loads, so that they are compiled long before a probe runs. Code
     * that throws here is left for the tests to report.
     *
     * <p>Not from this class's own static initializer: the lock probe's thread runs this class's code, and a
     * thread that calls into a class whose initializer another thread is running waits for that initializer
     * to end. The probe then never saw the lock, and waited its 10 s in every JVM that loaded the tests.
     */
    static void warmUp() {
        if (WARMED.compareAndSet(false, true)) {
            warmUpOnce();
        }
    }

    private static final AtomicBoolean WARMED = new AtomicBoolean();

    private static void warmUpOnce() {
        try {
            katas.testkit.time.ManualScheduler manual = new katas.testkit.time.ManualScheduler();
            AsyncRateLimiter limiter = new AsyncRateLimiter(1, java.time.Duration.ofSeconds(1), 1,
                    ShopScheduler.clock(manual::nanoTime), new ShopScheduler(manual));
            if (LockedRead.waitsForALock(limiter, limiter::inFlight)
                    && LockedRead.waitsForALock(limiter, limiter::waiting)) {
                return; // reads that take a lock: the probes will have nothing to check
            }
            for (int i = 0; i < 1_000; i++) {
                spinOnInFlight(limiter, 0, WARM_UP_READS);
                spinOnWaiting(limiter, 0, WARM_UP_READS);
            }
        } catch (Throwable broken) {
            // the limiter's own tests will say what is wrong with it
        }
    }

    /** The reading loop over {@code inFlight()}: a direct call, so that the JIT may inline it. */
    static long spinOnInFlight(AsyncRateLimiter limiter, int before, long reads) {
        long mixed = 0;
        for (long i = 0; i < reads; i++) {
            if (limiter.inFlight() != before) {
                return i;
            }
            mixed = mixed * 31 + i; // work the compiler cannot drop, so the loop stays a loop
        }
        return mixed == Long.MIN_VALUE ? -2 : -1;
    }

    /** The reading loop over {@code waiting()}. */
    static long spinOnWaiting(AsyncRateLimiter limiter, int before, long reads) {
        long mixed = 0;
        for (long i = 0; i < reads; i++) {
            if (limiter.waiting() != before) {
                return i;
            }
            mixed = mixed * 31 + i;
        }
        return mixed == Long.MIN_VALUE ? -2 : -1;
    }

    /** Probes {@code inFlight()} against {@code change}; null when every read was current. */
    static String probeInFlight(AsyncRateLimiter limiter, int rounds, IntConsumer change, String writer)
            throws InterruptedException {
        return probe(StaleReadProbe.reading("inFlight()", limiter, limiter::inFlight), "spinOnInFlight",
                (before, reads) -> spinOnInFlight(limiter, (int) before, reads), rounds, change, writer);
    }

    /** Probes {@code waiting()} against {@code change}; null when every read was current. */
    static String probeWaiting(AsyncRateLimiter limiter, int rounds, IntConsumer change, String writer)
            throws InterruptedException {
        return probe(StaleReadProbe.reading("waiting()", limiter, limiter::waiting), "spinOnWaiting",
                (before, reads) -> spinOnWaiting(limiter, (int) before, reads), rounds, change, writer);
    }

    private static String probe(StaleReadProbe probe, String loopMethod, StaleReadProbe.Loop loop, int rounds,
            IntConsumer change, String writer) throws InterruptedException {
        return probe.loop(StaleCounts.class, loopMethod, AsyncRateLimiter.class, loop).changedBy(writer, change)
                .readBy("a monitoring thread").rounds(rounds);
    }
}

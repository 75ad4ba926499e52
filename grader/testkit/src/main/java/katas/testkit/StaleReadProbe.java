package katas.testkit;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;
import java.util.function.LongSupplier;

/**
 * Whether a thread that keeps reading a value sees a change that another thread makes while it reads.
 *
 * <p>A read with no lock and no {@code volatile} behind it ({@code return hits;} next to a {@code synchronized}
 * write) may be done once and kept: the JIT's optimizing compiler moves the load out of a reading loop, since
 * nothing in the loop tells it that another thread may write. The reader then spins on an old value forever.
 * This probe reads in a tight loop, waits until the optimizing compiler has compiled that loop ({@link
 * OptimizedCode}), makes one change from another thread, and judges by the reader's CPU time, never by the
 * clock: a reader that went on reading for {@value #CPU_AFTER_CHANGE_MILLIS} ms of its own CPU time after the
 * change was complete, and never saw it, read a stale copy. A correct read sees the change at its next call,
 * however slow or loaded the machine. A read seen to take a lock ({@link LockedRead}) gets one round only: it
 * cannot be moved out of a loop while it takes the lock every time, and one round shows a read that does not.
 *
 * <p>The loop itself must live in the test's own class, as a static method that calls the read directly, so
 * that the JIT inlines the read into it as it would in a learner's loop:
 *
 * <pre>{@code
 * static long spinOn(HitCounter counter, long before, long reads) {
 *     long mixed = 0;
 *     for (long i = 0; i < reads; i++) {
 *         if (counter.get() != before) return i;
 *         mixed = mixed * 31 + i; // work the compiler cannot drop, so the loop stays a loop
 *     }
 *     return mixed == Long.MIN_VALUE ? -2 : -1;
 * }
 *
 * String stale = StaleReadProbe.reading("get()", counter, counter::get)
 *         .loop(StaleReads.class, "spinOn", HitCounter.class, (before, reads) -> spinOn(counter, before, reads))
 *         .changedBy("increment()", round -> counter.increment())
 *         .rounds(3);
 * }</pre>
 */
public final class StaleReadProbe {

    /** One reading loop: returns the read at which the value differed from {@code before}, or a negative number. */
    @FunctionalInterface
    public interface Loop {
        long spin(long before, long reads);
    }

    /** At most this many reads a round: a loop that reads afresh stops at the change, a stale one runs them all. */
    private static final long MAX_READS = 400_000_000L;
    /** What a stale loop should take at the speed seen before it, in CPU time, so that slow reads stay bounded. */
    private static final long LOOP_NANOS = 400_000_000L;
    private static final long MIN_READS = 5_000_000L;
    private static final long BURST_READS = 100_000L;
    private static final long CPU_AFTER_CHANGE_MILLIS = 20;
    private static final long CPU_BEFORE_CHANGE_NANOS = 5_000_000L;
    /** Later rounds let the loop run longer before the change, in case the compiler replaced its code late. */
    private static final long CPU_MORE_EACH_ROUND_NANOS = 20_000_000L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final String reader;
    private final Object target;
    private final LongSupplier read;
    private Class<?> loopOwner;
    private String loopMethod;
    private Class<?> loopParameter;
    private Loop loop;
    private String writer;
    private IntConsumer change;
    private boolean changeMustShow;
    private String readingThread = "a thread";

    private StaleReadProbe(String reader, Object target, LongSupplier read) {
        this.reader = reader;
        this.target = target;
        this.read = read;
    }

    /**
     * A probe of {@code read}, named {@code reader} in messages ("get()"), whose locks are those of {@code
     * target}.
     */
    public static StaleReadProbe reading(String reader, Object target, LongSupplier read) {
        return new StaleReadProbe(reader, target, read);
    }

    /**
     * The reading loop: {@code owner.method}, whose first parameter has type {@code firstParameter} (to tell
     * the JVM's compiled code apart), run through {@code loop}.
     */
    public StaleReadProbe loop(Class<?> owner, String method, Class<?> firstParameter, Loop loop) {
        this.loopOwner = owner;
        this.loopMethod = method;
        this.loopParameter = firstParameter;
        this.loop = loop;
        return this;
    }

    /** The change made in round {@code round} (from 1), named {@code writer} in messages ("increment()"). */
    public StaleReadProbe changedBy(String writer, IntConsumer change) {
        this.writer = writer;
        this.change = change;
        return this;
    }

    /**
     * That a change this thread cannot see afterwards is itself a failure (a lost change), and not a round
     * that cannot tell.
     */
    public StaleReadProbe changeMustShow() {
        this.changeMustShow = true;
        return this;
    }

    /** Who reads, for the message: "a monitoring thread". */
    public StaleReadProbe readBy(String readingThread) {
        this.readingThread = readingThread;
        return this;
    }

    /** Runs up to {@code rounds} rounds; null when every reader saw its change (or could not tell), else what was seen. */
    public String rounds(int rounds) throws InterruptedException {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(change, "changedBy");
        if (!THREADS.isThreadCpuTimeSupported()) {
            return null;
        }
        // A read that waited for a lock once may still skip it later (red team G: only a thread that did not read
        // under the lock last takes it), so the loop is checked anyway; one round is enough to see such a skip.
        int toRun = LockedRead.waitsForALock(target, read::getAsLong) ? 1 : rounds;
        for (int round = 1; round <= toRun; round++) {
            String stale = round(round);
            if (stale != null) {
                return stale;
            }
        }
        return null;
    }

    private String round(int round) throws InterruptedException {
        long before = read.getAsLong();
        long[] outcome = {Long.MIN_VALUE, -1, -1}; // read index, reader CPU when the loop started, at its end
        Thread spinner = Thread.ofPlatform().daemon(true).name("reader").unstarted(() -> {
            long picosPerRead = untilCompiled(before);
            long start = THREADS.getCurrentThreadCpuTime();
            long reads = Math.clamp(LOOP_NANOS * 1_000 / Math.max(1, picosPerRead), MIN_READS, MAX_READS);
            synchronized (outcome) {
                outcome[1] = start;
            }
            long seenAt = loop.spin(before, reads);
            long end = THREADS.getCurrentThreadCpuTime();
            synchronized (outcome) {
                outcome[0] = seenAt;
                outcome[2] = end;
            }
        });
        spinner.start();
        long first = CPU_BEFORE_CHANGE_NANOS + (round - 1) * CPU_MORE_EACH_ROUND_NANOS;
        while (true) {
            long started;
            synchronized (outcome) {
                started = outcome[1];
            }
            long cpu = THREADS.getThreadCpuTime(spinner.threadId());
            if (!ThreadEnd.stillRuns(spinner) || (started >= 0 && cpu - started >= first)) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
        change.accept(round);
        long cpuAfterChange = THREADS.getThreadCpuTime(spinner.threadId());
        spinner.join(Duration.ofSeconds(20));
        // Read only once the reader is done: a read of this thread's own may change what the reader's next one
        // does (red team G: a read that takes the lock only when another thread read under it last)
        long after = read.getAsLong();
        if (after == before) {
            return changeMustShow ? String.format("%s returned, but %s still returned %,d, as before it (round %d): "
                    + "the change was lost", writer, reader, after, round) : null;
        }
        long seenAt;
        long end;
        synchronized (outcome) {
            seenAt = outcome[0];
            end = outcome[2];
        }
        if (ThreadEnd.stillRuns(spinner) || seenAt >= 0 || seenAt == Long.MIN_VALUE || cpuAfterChange < 0) {
            return null; // saw it, or cannot tell
        }
        long cpuAfter = end - cpuAfterChange;
        if (cpuAfter < TimeUnit.MILLISECONDS.toNanos(CPU_AFTER_CHANGE_MILLIS)) {
            return null;
        }
        return String.format("%s kept calling %s for %d ms of its CPU time after another thread's %s had returned, "
                + "and every call still returned %,d, never %,d (round %d): the read is not protected (no lock, no "
                + "volatile, no atomic), so the compiled loop read it once and kept the copy", readingThread, reader,
                TimeUnit.NANOSECONDS.toMillis(cpuAfter), writer, before, after, round);
    }

    /** Runs the loop in bursts until it is optimized; returns the last burst's time per read, in picoseconds. */
    private long untilCompiled(long before) {
        long nanos = OptimizedCode.runUntilOptimized(loopOwner, loopMethod, loopParameter,
                () -> loop.spin(before, BURST_READS));
        return nanos * 1_000 / BURST_READS;
    }
}

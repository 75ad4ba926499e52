package katas.asyncratelimiter;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.StampedLock;
import java.util.function.IntConsumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import katas.testkit.OptimizedCode;

/**
 * Whether a thread that keeps reading one of the limiter's counts sees a change that another thread makes
 * while it reads (after fix-the-race's probe of the same name).
 *
 * <p>A read with no lock and no {@code volatile} behind it ({@code return running;} next to writes under a
 * lock) may be done once and kept: the JIT's optimizing compiler moves the load out of a reading loop. This
 * probe reads in a tight loop, waits until that loop is compiled, makes one change from another thread, and
 * judges by the reader's CPU time, never by the clock: a reader that went on reading for
 * {@value #CPU_AFTER_CHANGE_MILLIS} ms of its own CPU time after the change was complete, and never saw it,
 * read a stale copy. A read that takes a lock is seen first (it waits while the probe holds the limiter's
 * locks) and has nothing more to check.
 */
final class StaleCounts {

    private static final long MAX_READS = 400_000_000L;
    private static final long BURST_READS = 100_000L;
    private static final long CPU_AFTER_CHANGE_MILLIS = 20;
    private static final long CPU_BEFORE_CHANGE_NANOS = 5_000_000L;
    private static final long CPU_MORE_EACH_ROUND_NANOS = 20_000_000L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** One reading loop: returns the read at which the value differed from {@code before}, or a negative number. */
    @FunctionalInterface
    interface Loop {
        long spin(int before, long reads);
    }

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
            if (readWaitsForALock(limiter, limiter::inFlight) && readWaitsForALock(limiter, limiter::waiting)) {
                return; // reads that take a lock: the probes will have nothing to check
            }
            for (int i = 0; i < 1_000; i++) {
                spinOnInFlight(limiter, 0, 1_000);
                spinOnWaiting(limiter, 0, 1_000);
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

    /**
     * Up to {@code rounds} times: a reader thread spins on {@code loop} while this thread makes change number
     * {@code round} (from 1). Returns null when every reader saw its change (or a round could not tell), else
     * what was seen. {@code loopMethod} names the method of this class that {@code loop} runs, to see when it
     * is compiled.
     */
    static String probe(String reader, AsyncRateLimiter target, IntSupplier read, String loopMethod, Loop loop,
            int rounds, IntConsumer change, String writer) throws InterruptedException {
        if (!THREADS.isThreadCpuTimeSupported() || readWaitsForALock(target, read)) {
            return null;
        }
        for (int round = 1; round <= rounds; round++) {
            int before = read.getAsInt();
            long[] outcome = {Long.MIN_VALUE, -1, -1}; // read index, reader CPU when the loop started, at its end
            Thread spinner = Thread.ofPlatform().daemon(true).name("monitoring thread").unstarted(() -> {
                untilCompiled(loopMethod, loop, before);
                long start = THREADS.getCurrentThreadCpuTime();
                // A loop that reads afresh stops at the change; only a stale one runs them all (about 0.4 s)
                long reads = MAX_READS;
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
            while (true) {
                long started;
                synchronized (outcome) {
                    started = outcome[1];
                }
                long cpu = THREADS.getThreadCpuTime(spinner.threadId());
                // Later rounds let the loop run longer first, so that a busy compiler has compiled it by then.
                long first = CPU_BEFORE_CHANGE_NANOS + (round - 1) * CPU_MORE_EACH_ROUND_NANOS;
                if (!spinner.isAlive() || (started >= 0 && cpu - started >= first)) {
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(1);
            }
            change.accept(round);
            long cpuAfterChange = THREADS.getThreadCpuTime(spinner.threadId());
            int after = read.getAsInt();
            spinner.join(Duration.ofSeconds(20));
            if (after == before) {
                continue; // the change changed nothing this thread can see: not the reader's fault
            }
            long seenAt;
            long end;
            synchronized (outcome) {
                seenAt = outcome[0];
                end = outcome[2];
            }
            if (spinner.isAlive() || seenAt >= 0 || seenAt == Long.MIN_VALUE || cpuAfterChange < 0) {
                continue; // saw it, or cannot tell
            }
            long cpuAfter = end - cpuAfterChange;
            if (cpuAfter >= TimeUnit.MILLISECONDS.toNanos(CPU_AFTER_CHANGE_MILLIS)) {
                return String.format("a monitoring thread kept calling %s for %d ms of its CPU time after another "
                        + "thread's %s had returned, and every call still returned %,d, never %,d (round %d): the "
                        + "read is not protected (no lock, no volatile, no atomic), so the compiled loop read it once "
                        + "and kept the copy", reader, TimeUnit.NANOSECONDS.toMillis(cpuAfter), writer, before, after,
                        round);
            }
        }
        return null;
    }

    /** Runs the loop in bursts until the optimizing compiler, the one that moves a read out of it, compiled it. */
    private static void untilCompiled(String loopMethod, Loop loop, int before) {
        OptimizedCode.runUntilOptimized(StaleCounts.class, loopMethod, AsyncRateLimiter.class,
                () -> loop.spin(before, BURST_READS));
    }

    /**
     * Whether a read waits while this thread holds every lock of {@code target}: its monitor, the monitors of
     * the objects in its fields, and the locks among them. Such a read takes a lock, and no compiler may move
     * it out of a loop.
     */
    private static boolean readWaitsForALock(Object target, IntSupplier read) throws InterruptedException {
        List<Object> locks = new ArrayList<>();
        locks.add(target);
        for (Class<?> c = target.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) || f.getType().isPrimitive() || !f.trySetAccessible()) {
                    continue;
                }
                try {
                    Object value = f.get(target);
                    if (value != null) {
                        locks.add(value);
                    }
                } catch (IllegalAccessException unreadable) {
                    // not a lock the probe can hold
                }
            }
        }
        boolean[] waited = {false};
        Thread reader = holding(locks, 0, () -> {
            AtomicLong done = new AtomicLong();
            Thread thread = Thread.ofPlatform().daemon(true).name("lock-probe").start(() -> {
                read.getAsInt();
                done.set(1);
            });
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
            while (done.get() == 0 && System.nanoTime() < deadline) {
                Thread.State state = thread.getState();
                if (state == Thread.State.BLOCKED || state == Thread.State.WAITING) {
                    waited[0] = true;
                    break;
                }
                Thread.onSpinWait();
            }
            return thread;
        });
        reader.join(Duration.ofSeconds(10));
        return waited[0];
    }

    private static Thread holding(List<Object> locks, int from, Supplier<Thread> body) {
        if (from == locks.size()) {
            return body.get();
        }
        Object lock = locks.get(from);
        if (lock instanceof Lock plain) {
            if (!plain.tryLock()) {
                return holding(locks, from + 1, body);
            }
            try {
                return holding(locks, from + 1, body);
            } finally {
                plain.unlock();
            }
        }
        if (lock instanceof ReadWriteLock readWrite) {
            Lock write = readWrite.writeLock();
            if (!write.tryLock()) {
                return holding(locks, from + 1, body);
            }
            try {
                return holding(locks, from + 1, body);
            } finally {
                write.unlock();
            }
        }
        if (lock instanceof StampedLock stamped) {
            long stamp = stamped.tryWriteLock();
            if (stamp == 0) {
                return holding(locks, from + 1, body);
            }
            try {
                return holding(locks, from + 1, body);
            } finally {
                stamped.unlockWrite(stamp);
            }
        }
        synchronized (lock) {
            return holding(locks, from + 1, body);
        }
    }
}

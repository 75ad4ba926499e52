package katas.fixtherace;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.StampedLock;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import katas.testkit.OptimizedCode;

/**
 * Whether a thread that keeps reading sees a change that another thread makes while it reads.
 *
 * <p>A read with no lock and no {@code volatile} behind it ({@code return hits;} next to a
 * {@code synchronized} write) may be done once and kept: the JIT's optimizing compiler moves the load out
 * of a reading loop, since nothing in the loop tells it that another thread may write. The reader then
 * spins on an old value forever. This probe reads in a tight loop, waits until the optimizing compiler has
 * compiled that loop, makes one change from another thread, and judges by the reader's CPU time, never by
 * the clock: a reader that went on reading for {@value #CPU_AFTER_CHANGE_MILLIS} ms of its own CPU time
 * after the change was complete, and never saw it, read a stale copy. A correct read sees the change at
 * its next call, however slow or loaded the machine.
 *
 * <p>A read that takes a lock (a monitor, a {@code Lock}) cannot be moved out of the loop; the probe sees
 * that first (the read waits while the test holds the object's locks) and has nothing more to check.
 */
final class StaleReads {

    /** How long one round's loop reads, in CPU time at the speed seen before it, and bounds on its reads. */
    private static final long LOOP_NANOS = 400_000_000L;
    private static final long MIN_READS = 5_000_000L;
    private static final long MAX_READS = 300_000_000L;
    private static final long BURST_READS = 100_000L;
    private static final long CPU_AFTER_CHANGE_MILLIS = 20;
    private static final long CPU_BEFORE_CHANGE_NANOS = 5_000_000L;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** One reading loop over your code: returns the read at which the value differed from {@code before}, or -1. */
    @FunctionalInterface
    interface Loop {
        long spin(long before, long reads);
    }

    private StaleReads() {
    }

    /**
     * Runs both reading loops a little on fresh objects, once per JVM, so that the JIT starts compiling them
     * long before a probe runs. Test classes call it before their tests; code that throws here is left for
     * the tests to report.
     */
    static void warmUp() {
        WARM.getClass();
    }

    private static final Object WARM = warmUpOnce();

    private static Object warmUpOnce() {
        try {
            HitCounter counter = new HitCounter();
            for (int i = 0; i < 8; i++) {
                spinOn(counter, counter.get(), BURST_READS);
            }
        } catch (Throwable broken) {
            // the counter's own tests will say what is wrong with it
        }
        try {
            BankAccount account = new BankAccount(1, amount -> { });
            for (int i = 0; i < 8; i++) {
                spinOn(account, account.balance(), BURST_READS);
            }
        } catch (Throwable broken) {
            // the account's own tests will say what is wrong with it
        }
        return new Object();
    }

    /** The reading loop over {@code counter.get()}: a direct call, so that the JIT may inline it. */
    static long spinOn(HitCounter counter, long before, long reads) {
        long mixed = 0;
        for (long i = 0; i < reads; i++) {
            if (counter.get() != before) {
                return i;
            }
            mixed = mixed * 31 + i; // work the compiler cannot drop, so the loop stays a loop
        }
        return mixed == Long.MIN_VALUE ? -2 : -1;
    }

    /** The reading loop over {@code account.balance()}. */
    static long spinOn(BankAccount account, long before, long reads) {
        long mixed = 0;
        for (long i = 0; i < reads; i++) {
            if (account.balance() != before) {
                return i;
            }
            mixed = mixed * 31 + i;
        }
        return mixed == Long.MIN_VALUE ? -2 : -1;
    }

    /** Probes {@code counter.get()} against {@code increment()}; null when every read was current. */
    static String probe(HitCounter counter, int rounds) throws InterruptedException {
        return probe("get()", counter, rounds, counter::get, HitCounter.class,
                (before, reads) -> spinOn(counter, before, reads), counter::increment, "increment()");
    }

    /** Probes {@code account.balance()} against {@code change}; null when every read was current. */
    static String probe(BankAccount account, int rounds, Runnable change, String writer) throws InterruptedException {
        return probe("balance()", account, rounds, account::balance, BankAccount.class,
                (before, reads) -> spinOn(account, before, reads), change, writer);
    }

    /**
     * Up to {@code rounds} times: a reader thread spins on {@code loop} while this thread makes {@code change}
     * once. Returns null when every reader saw its change (or a round could not tell), else what was seen.
     *
     * @param reader the read, for the message: "get()"
     * @param target the object read, whose locks the probe tries first
     * @param read reads the value now (outside any loop)
     * @param loopOver the type whose {@code spinOn} overload {@code loop} runs, to see when it is compiled
     * @param change makes one change that {@code read} must show, e.g. one increment
     * @param writer the change, for the message: "increment()"
     */
    static String probe(String reader, Object target, int rounds, LongSupplier read, Class<?> loopOver, Loop loop,
            Runnable change, String writer) throws InterruptedException {
        if (!THREADS.isThreadCpuTimeSupported() || readWaitsForALock(target, read)) {
            return null;
        }
        for (int round = 1; round <= rounds; round++) {
            long before = read.getAsLong();
            long[] outcome = {Long.MIN_VALUE, -1, -1}; // read index, reader CPU when the loop started, at its end
            Thread spinner = Thread.ofPlatform().daemon(true).name("reader").unstarted(() -> {
                long picosPerRead = untilCompiled(loopOver, loop, before);
                long start = THREADS.getCurrentThreadCpuTime();
                // As many reads as take about 0.4 s at the speed seen: a stale loop runs them all
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
            while (true) {
                long started;
                synchronized (outcome) {
                    started = outcome[1];
                }
                long cpu = THREADS.getThreadCpuTime(spinner.threadId());
                if (!spinner.isAlive() || (started >= 0 && cpu - started >= CPU_BEFORE_CHANGE_NANOS)) {
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(1);
            }
            change.run();
            long cpuAfterChange = THREADS.getThreadCpuTime(spinner.threadId());
            long after = read.getAsLong();
            if (after == before) {
                spinner.join(Duration.ofSeconds(20));
                return String.format("%s returned, but %s still returned %,d, as before it (round %d): the change was "
                        + "lost", writer, reader, after, round);
            }
            spinner.join(Duration.ofSeconds(20));
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
                return String.format("a thread kept calling %s for %d ms of its CPU time after another thread's %s "
                        + "had returned, and every call still returned %,d, never %,d (round %d): the read is not "
                        + "protected (no lock, no volatile, no atomic), so the compiled loop read it once and kept "
                        + "the copy", reader, TimeUnit.NANOSECONDS.toMillis(cpuAfter), writer, before, after, round);
            }
        }
        return null;
    }

    /**
     * Runs the loop in bursts until the optimizing compiler has compiled it ({@link OptimizedCode}), the only
     * compiler that moves an unprotected read out of it. Returns the last burst's time per read, in picoseconds.
     */
    private static long untilCompiled(Class<?> read, Loop loop, long before) {
        long nanos = OptimizedCode.runUntilOptimized(StaleReads.class, "spinOn", read,
                () -> loop.spin(before, BURST_READS));
        return nanos * 1_000 / BURST_READS;
    }

    /**
     * Whether a read waits while this thread holds every lock of {@code target}: its monitor, the monitors of
     * the objects in its fields, and the locks among them. Such a read takes a lock, and no compiler may move
     * it out of a loop.
     */
    private static boolean readWaitsForALock(Object target, LongSupplier read) throws InterruptedException {
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
                read.getAsLong();
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

    /**
     * Holds {@code locks[from..]} (the lock when it is one, else its monitor), runs {@code body}, and lets go of
     * them all before returning what the body returned.
     */
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

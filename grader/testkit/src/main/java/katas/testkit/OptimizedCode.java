package katas.testkit;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * Whether HotSpot's optimizing compiler (C2, tier 4) has compiled a method yet, read from the JVM's own list of
 * its compiled code (what {@code jcmd <pid> Compiler.codelist} prints).
 *
 * <p>A stale-read probe must run its reading loop as optimized code: only that compiler moves an unprotected
 * load out of a loop, and the first tiers read the field anew on every pass. Judging this by the loop's speed
 * failed on a busy machine, where the first tier's code ran fast enough to pass for optimized code and the
 * probe let a stale read through; the list of compiled code says it exactly.
 *
 * <pre>{@code
 * long cpuNanos = OptimizedCode.runUntilOptimized(StaleReads.class, "spinOn", HitCounter.class,
 *         () -> spinOn(counter, before, 100_000));
 * }</pre>
 */
public final class OptimizedCode {

    /** What the JVM says about a method. */
    public enum State {
        /** Tier-4 code for it is installed and in use. */
        OPTIMIZED,
        /** No tier-4 code for it yet (not compiled, or only by the first tiers). */
        NOT_YET,
        /** This JVM does not say (no diagnostic command bean): judge some other way. */
        UNKNOWN
    }

    private static final int OPTIMIZING_TIER = 4;
    private static final int IN_USE = 0;
    /**
     * How long to wait for the optimizing compiler, in this JVM's CPU time: on a busy machine the compiler
     * threads get a slice of a core and can take many seconds of the clock, so a wall-clock patience gave up
     * early. The clock bounds the wait too, in case the JVM's CPU time is not measured.
     */
    private static final long PATIENCE_CPU_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long PATIENCE_WALL_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * The rest between bursts, doubled after each up to a bound: each look at the code list copies the
     * whole list (thousands of lines), which on a slow compile would cost more than the bursts themselves.
     */
    private static final long FIRST_REST_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_REST_NANOS = TimeUnit.MILLISECONDS.toNanos(160);
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** Methods seen optimized in this JVM, or waited for long enough: their later calls need not wait. */
    private static final Set<String> WAITED_FOR = ConcurrentHashMap.newKeySet();

    private OptimizedCode() {
    }

    /**
     * Runs {@code burst} (one short run of a loop in {@code owner.method}), resting between runs, until that
     * method is optimized, then once more; or, where the JVM does not say, until a run is 2.5 times faster than
     * the first. Gives up after 2 s of this JVM's CPU time (10 s of the clock) and waits only once a JVM for
     * a method. Returns the CPU time of the last run on this thread, in nanoseconds.
     */
    public static long runUntilOptimized(Class<?> owner, String method, Class<?> firstParameter, Runnable burst) {
        String wanted = signature(owner, method, firstParameter);
        long deadline = System.nanoTime() + PATIENCE_WALL_NANOS;
        long cpuAtStart = processCpuNanos();
        long first = -1;
        long rest = FIRST_REST_NANOS;
        while (true) {
            long last = timed(burst);
            if (first < 0) {
                first = last;
            }
            if (WAITED_FOR.contains(wanted)) {
                return last;
            }
            State state = stateOf(wanted);
            if (state == State.OPTIMIZED) {
                WAITED_FOR.add(wanted);
                return timed(burst);
            }
            boolean faster = state == State.UNKNOWN && last * 5 <= first * 2;
            boolean patienceSpent = System.nanoTime() > deadline || processCpuNanos() - cpuAtStart > PATIENCE_CPU_NANOS;
            if (faster || patienceSpent) {
                WAITED_FOR.add(wanted);
                return last;
            }
            LockSupport.parkNanos(rest);
            rest = Math.min(rest * 2, MAX_REST_NANOS);
        }
    }

    /**
     * The state of {@code owner.method}; with {@code firstParameter}, only the overload whose first parameter
     * has that type.
     */
    public static State of(Class<?> owner, String method, Class<?> firstParameter) {
        return stateOf(signature(owner, method, firstParameter));
    }

    private static State stateOf(String wanted) {
        String list = codeList();
        if (list == null) {
            return State.UNKNOWN;
        }
        return optimizedIn(list, wanted) ? State.OPTIMIZED : State.NOT_YET;
    }

    private static String signature(Class<?> owner, String method, Class<?> firstParameter) {
        return owner.getName() + "." + method + "(" + (firstParameter == null ? "" : firstParameter.descriptorString());
    }

    private static long timed(Runnable burst) {
        long start = THREADS.getCurrentThreadCpuTime();
        burst.run();
        return THREADS.getCurrentThreadCpuTime() - start;
    }

    /** The CPU time of this whole JVM, compiler threads included; 0 where the platform does not say. */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os) {
            return Math.max(0, os.getProcessCpuTime());
        }
        return 0;
    }

    /**
     * Whether a line of a code list, "{@code <compile id> <tier> <state> <method><descriptor> [addresses]}",
     * shows tier-4 code in use for a method whose name and descriptor start with {@code wanted}.
     */
    static boolean optimizedIn(String list, String wanted) {
        for (String line : list.split("\n")) {
            String[] words = line.trim().split("\\s+", 4);
            if (words.length == 4 && words[3].startsWith(wanted) && number(words[1]) == OPTIMIZING_TIER
                    && number(words[2]) == IN_USE) {
                return true;
            }
        }
        return false;
    }

    private static int number(String word) {
        try {
            return Integer.parseInt(word);
        } catch (NumberFormatException notANumber) {
            return -1;
        }
    }

    private static String codeList() {
        try {
            Object list = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerCodelist", null, null);
            return list instanceof String text ? text : null;
        } catch (JMException | RuntimeException unavailable) {
            return null;
        }
    }
}

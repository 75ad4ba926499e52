package katas.testkit;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * The CPU time a thread has used, from the JVM's clock of threads. A busy machine delays a thread but never makes it
 * burn more CPU, so CPU time tells a thread that spins from one that waits where wall-clock time cannot; only a spin
 * that yields hides in it, which is why tests also look at thread states ({@link ThreadWaits}).
 */
public final class ThreadCpu {

    private static final ThreadMXBean JVM = ManagementFactory.getThreadMXBean();

    private ThreadCpu() {
    }

    /** Whether this JVM measures the CPU time of threads: a test judges CPU time only where it does. */
    public static boolean measured() {
        return JVM.isThreadCpuTimeSupported() && JVM.isThreadCpuTimeEnabled();
    }

    /** The CPU time {@code thread} has used, in nanoseconds; -1 once it has ended, or where it is not measured. */
    public static long of(Thread thread) {
        try {
            return measured() ? JVM.getThreadCpuTime(thread.threadId()) : -1L;
        } catch (UnsupportedOperationException unsupported) {
            return -1L;
        }
    }

    /** The CPU time the calling thread has used, in nanoseconds; -1 where it is not measured. */
    public static long ofCurrent() {
        try {
            return JVM.isCurrentThreadCpuTimeSupported() && JVM.isThreadCpuTimeEnabled()
                    ? JVM.getCurrentThreadCpuTime() : -1L;
        } catch (UnsupportedOperationException unsupported) {
            return -1L;
        }
    }
}

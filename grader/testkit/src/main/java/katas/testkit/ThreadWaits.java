package katas.testkit;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;

/**
 * How often the JVM saw a thread begin to wait (in {@code Object.wait} or a park: ThreadMXBean's waited count). A
 * waiter that blocks until it is woken begins once; one that polls (waits a little, looks again) begins again after
 * every slice, however busy the machine, so the count tells a poll from a wait without timing anything.
 */
public final class ThreadWaits {

    private static final ThreadMXBean JVM = ManagementFactory.getThreadMXBean();

    private ThreadWaits() {
    }

    /** How often the JVM saw {@code thread} begin to wait, or -1 when it cannot tell (the thread has ended). */
    public static long count(Thread thread) {
        ThreadInfo info = JVM.getThreadInfo(thread.threadId());
        return info == null ? -1 : info.getWaitedCount();
    }

    /**
     * How many more times {@code thread} began to wait over the next {@code millis}, looking every 10 ms and stopping
     * early once it is over {@code stopAbove}; 0 when the JVM cannot tell.
     */
    public static long over(Thread thread, long millis, long stopAbove) throws InterruptedException {
        long before = count(thread);
        long start = System.nanoTime();
        long waits = 0;
        while (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(millis) && waits <= stopAbove) {
            Thread.sleep(10);
            long now = count(thread);
            waits = before < 0 || now < 0 ? 0 : now - before;
        }
        return waits;
    }
}

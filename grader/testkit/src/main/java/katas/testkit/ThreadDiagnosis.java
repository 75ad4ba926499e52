package katas.testkit;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Explains why a group of threads stopped making progress: a deadlock cycle (thread, lock held,
 * lock wanted, where), or what each thread is doing when there is no cycle (waiting on a
 * condition nobody signals, spinning, sleeping).
 *
 * <p>{@link ThreadMXBean#findDeadlockedThreads()} is JVM-wide, so the cycle is filtered to the
 * threads of the test being explained: a thread stuck in an earlier test must not be blamed here.
 * It also reports a cycle through a {@code tryLock(timeout)} wait, which ends by itself; such a
 * cycle is described as a possible livelock, not as a deadlock.
 */
public final class ThreadDiagnosis {

    private static final List<String> INFRASTRUCTURE_PREFIXES = List.of(
            "java.", "javax.", "jdk.", "sun.", "com.sun.", "org.junit.", "org.opentest4j.",
            "org.assertj.", "org.awaitility.", "org.mockito.", "katas.testkit.", "katas.grader.");

    private ThreadDiagnosis() {
    }

    /** One paragraph about the given threads; empty when none of them is alive. */
    public static String explain(Collection<Thread> threads) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Set<Long> ours = threads.stream().filter(ThreadEnd::stillRuns).map(Thread::threadId)
                .collect(Collectors.toSet());
        if (ours.isEmpty()) {
            return "";
        }
        long[] deadlocked = mx.isSynchronizerUsageSupported()
                ? mx.findDeadlockedThreads() : mx.findMonitorDeadlockedThreads();
        long[] cycle = deadlocked == null ? new long[0]
                : Arrays.stream(deadlocked).filter(ours::contains).toArray();
        if (cycle.length > 0) {
            ThreadInfo[] infos = mx.getThreadInfo(cycle, true, true);
            // The JVM also reports a cycle through a timed wait (tryLock with a timeout): that one
            // ends by itself when the wait times out, so it is not a deadlock.
            boolean timed = Arrays.stream(infos)
                    .anyMatch(info -> info != null && info.getThreadState() == Thread.State.TIMED_WAITING);
            return timed ? describeTimedCycle(infos) : describeDeadlock(infos);
        }
        long[] ids = ours.stream().mapToLong(Long::longValue).toArray();
        return describeStall(mx.getThreadInfo(ids, true, true));
    }

    private static String describeDeadlock(ThreadInfo[] infos) {
        StringBuilder out = new StringBuilder("DEADLOCK: these threads wait for each other in a cycle, "
                + "so none of them can ever continue:");
        describeCycle(out, infos);
        out.append("\n  Fix: make every thread take the locks in one global order, "
                + "or back off (tryLock with a timeout) and release what it holds.");
        return out.toString();
    }

    private static String describeTimedCycle(ThreadInfo[] infos) {
        StringBuilder out = new StringBuilder("These threads wait for each other in a cycle, but at least one "
                + "of them waits with a time limit (tryLock with a timeout), so the cycle breaks when that "
                + "wait gives up. If they retry while still holding their locks, it forms again and again "
                + "(a livelock):");
        describeCycle(out, infos);
        out.append("\n  Fix: a thread that gives up waiting must release the locks it holds before it retries, "
                + "after a random pause; or take the locks in one global order.");
        return out.toString();
    }

    private static void describeCycle(StringBuilder out, ThreadInfo[] infos) {
        for (ThreadInfo info : infos) {
            if (info == null) {
                continue;
            }
            out.append("\n  - thread '").append(info.getThreadName()).append("'");
            List<String> held = heldLocks(info);
            out.append(held.isEmpty() ? " holds no lock" : " holds " + String.join(" and ", held));
            out.append(", and waits for ").append(lockName(info.getLockInfo()));
            if (info.getLockOwnerName() != null) {
                out.append(" held by '").append(info.getLockOwnerName()).append("'");
            }
            if (info.getThreadState() == Thread.State.TIMED_WAITING) {
                out.append(" (with a time limit)");
            }
            String where = firstUserFrame(info.getStackTrace());
            if (!where.isEmpty()) {
                out.append(" at ").append(where);
            }
        }
    }

    private static List<String> heldLocks(ThreadInfo info) {
        List<String> held = new ArrayList<>();
        for (MonitorInfo monitor : info.getLockedMonitors()) {
            String where = monitor.getLockedStackFrame() == null ? "" : " (taken at "
                    + frame(monitor.getLockedStackFrame()) + ")";
            held.add(lockName(monitor) + where);
        }
        for (LockInfo sync : info.getLockedSynchronizers()) {
            held.add(lockName(sync));
        }
        return held;
    }

    private static String describeStall(ThreadInfo[] infos) {
        StringBuilder out = new StringBuilder("No deadlock cycle among the test's threads; here is "
                + "what each of them was doing:");
        for (ThreadInfo info : infos) {
            if (info == null) {
                continue;
            }
            out.append("\n  - thread '").append(info.getThreadName()).append("' is ")
                    .append(stateInWords(info));
            String where = firstUserFrame(info.getStackTrace());
            if (!where.isEmpty()) {
                out.append(" in ").append(where);
            }
        }
        return out.toString();
    }

    private static String stateInWords(ThreadInfo info) {
        return switch (info.getThreadState()) {
            case BLOCKED -> "BLOCKED waiting to enter the monitor of " + lockName(info.getLockInfo())
                    + (info.getLockOwnerName() == null ? "" : " held by '" + info.getLockOwnerName() + "'");
            case WAITING -> info.getLockOwnerName() != null
                    // An owned synchronizer (a ReentrantLock...): waiting to take it, not for a signal.
                    ? "WAITING to take " + lockName(info.getLockInfo()) + " held by '" + info.getLockOwnerName() + "'"
                            + (isAlive(info.getLockOwnerId()) ? "" : ", a thread that has ended without releasing it")
                    : "WAITING" + (info.getLockInfo() == null ? "" : " on " + lockName(info.getLockInfo()))
                            + " for a signal that never came";
            case TIMED_WAITING -> "TIMED_WAITING (sleeping or waiting with a timeout)";
            case RUNNABLE -> info.getStackTrace().length > 0 && info.getStackTrace()[0].isNativeMethod()
                    ? "RUNNABLE in native code (usually waiting for input or output)"
                    : "RUNNABLE: still computing or spinning in a loop";
            case NEW, TERMINATED -> info.getThreadState().name();
        };
    }

    private static boolean isAlive(long threadId) {
        ThreadInfo owner = ManagementFactory.getThreadMXBean().getThreadInfo(threadId);
        return owner != null && owner.getThreadState() != Thread.State.TERMINATED;
    }

    private static String lockName(LockInfo lock) {
        if (lock == null) {
            return "a lock";
        }
        String cls = lock.getClassName();
        // A ReentrantLock is seen through its inner Sync ("ReentrantLock$NonfairSync"), a name no learner wrote.
        String simple = cls.substring(cls.lastIndexOf('.') + 1).replaceFirst("\\$(Nonfair|Fair)?Sync$", "");
        return "the lock of " + simple + "@" + Integer.toHexString(lock.getIdentityHashCode());
    }

    /** The first frame in the learner's or the test's own code: where a reader should look. */
    static String firstUserFrame(StackTraceElement[] trace) {
        for (StackTraceElement element : trace) {
            String cls = element.getClassName();
            if (INFRASTRUCTURE_PREFIXES.stream().noneMatch(cls::startsWith)) {
                return frame(element);
            }
        }
        return trace.length == 0 ? "" : frame(trace[0]);
    }

    private static String frame(StackTraceElement element) {
        String cls = element.getClassName();
        String simple = cls.substring(cls.lastIndexOf('.') + 1);
        String file = element.getFileName() == null ? "" : "(" + element.getFileName()
                + (element.getLineNumber() > 0 ? ":" + element.getLineNumber() : "") + ")";
        return simple + "." + element.getMethodName() + file;
    }
}

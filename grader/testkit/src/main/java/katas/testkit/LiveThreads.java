package katas.testkit;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The virtual threads alive in this JVM, which {@link Thread#getAllStackTraces()} never lists: a pool that
 * starts a virtual thread and never stops it leaks as surely as one that forgets a platform thread.
 *
 * <p>They are read from a thread dump in JSON ({@link HotSpotDiagnosticMXBean#dumpThreads}), which lists every
 * thread the JDK tracks (with {@code jdk.trackAllThreads}, on by default, that includes virtual threads
 * started one by one). A thread of the dump that is not among the platform threads is a virtual one.
 *
 * <pre>{@code
 * Set<Long> before = LiveThreads.virtualIds();
 * ... start and close the pool ...
 * List<LiveThreads.Seen> left = LiveThreads.virtualThreads().stream().filter(t -> !before.contains(t.id())).toList();
 * }</pre>
 */
public final class LiveThreads {

    /** A virtual thread seen in a dump: its id, name and state as the dump gave them. */
    public record Seen(long id, String name, String state) {
        @Override
        public String toString() {
            return "virtual thread " + (name.isEmpty() ? "#" + id + " (no name)" : "'" + name + "'") + " (" + state + ")";
        }
    }

    private static final Pattern THREAD = Pattern.compile(
            "\\{\\s*\"tid\":\\s*\"(\\d+)\"[^{}\\[]*?\"name\":\\s*\"((?:[^\"\\\\]|\\\\.)*)\"(?:,\\s*\"state\":\\s*\"(\\w+)\")?");

    private LiveThreads() {
    }

    static {
        // JDK 21 starts CompletableFuture's delay thread, a plain thread, on its first delayed task: started once,
        // before any snapshot, it is never taken for one the code under test started.
        CompletableFuture.delayedExecutor(1, TimeUnit.NANOSECONDS).execute(() -> { });
    }

    /** The threads alive now, platform and virtual: what {@link Snapshot#startedSince} compares with. */
    public static Snapshot snapshot() {
        return new Snapshot(Set.copyOf(Thread.getAllStackTraces().keySet()), virtualIds());
    }

    /** The threads alive at one moment: the platform ones, and the ids of the virtual ones. */
    public record Snapshot(Set<Thread> platform, Set<Long> virtual) {

        /**
         * The threads alive now that were not at this snapshot, platform (daemon ones too) or virtual, other than
         * the calling thread, the JDK's own ({@link #isTheJdks}) and the tests' own ({@link TestThreads}): one line
         * each, "'worker-1' (daemon, WAITING)".
         */
        public List<String> startedSince() {
            List<String> left = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (!platform.contains(t) && t != Thread.currentThread() && ThreadEnd.stillRuns(t) && !isTheJdks(t)
                        && !TestThreads.isOwn(t)) {
                    left.add("'" + t.getName() + "' (" + (t.isDaemon() ? "daemon, " : "") + t.getState() + ")");
                }
            }
            virtualThreads().stream().filter(t -> !virtual.contains(t.id())).forEach(t -> left.add(t.toString()));
            return left;
        }

        /**
         * {@link #startedSince()}, looked at again every 50 ms for up to {@code patience} while it lists any: a
         * thread on its way out is given time to end. Empty once every thread started since has ended.
         */
        public List<String> stillRunningAfter(Duration patience) throws InterruptedException {
            long deadline = System.nanoTime() + patience.toNanos();
            List<String> left = startedSince();
            while (!left.isEmpty() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(50);
                left = startedSince();
            }
            return left;
        }
    }

    /**
     * Whether a thread is one the JDK starts for itself, whoever made it start: the system group's, the JDK's
     * internal threads (the process reaper, the unparker of virtual threads, the common cleaner; not a Cleaner's
     * that code made with {@code Cleaner.create()}), the carriers of virtual threads and their delay scheduler, the
     * common pool's workers and its delay scheduler. Known by what they are, never by name: a pool's thread named
     * "process reaper" is still the pool's.
     */
    public static boolean isTheJdks(Thread t) {
        ThreadGroup group = t.getThreadGroup();
        String type = t.getClass().getName();
        return group != null && group.getParent() == null // the system group: every other group has a parent
                // An InnocuousThread cannot be made or named outside the JDK, except a Cleaner's ("Cleaner-N"),
                // which Cleaner.create() starts for whoever calls it
                || type.equals("jdk.internal.misc.InnocuousThread") && !t.getName().startsWith("Cleaner-")
                || type.equals("jdk.internal.misc.CarrierThread")
                || t instanceof ForkJoinWorkerThread w && w.getPool() == ForkJoinPool.commonPool()
                // The delay schedulers of the common pool (the only one with this name: other pools' are
                // "ForkJoinPool-N-delayScheduler") and of the virtual threads' scheduler (in the carriers' group,
                // which only the JDK makes, right under the system group)
                || type.equals("java.util.concurrent.DelayScheduler")
                        && (t.getName().equals("ForkJoinPool.commonPool-delayScheduler") || inCarriersGroup(group));
    }

    private static boolean inCarriersGroup(ThreadGroup group) {
        return group != null && group.getName().equals("CarrierThreads") && group.getParent() != null
                && group.getParent().getParent() == null;
    }

    /** The virtual threads alive now; empty where this JVM gives no thread dump. */
    public static List<Seen> virtualThreads() {
        String dump = jsonDump();
        if (dump == null) {
            return List.of();
        }
        Set<Long> platform = Thread.getAllStackTraces().keySet().stream().map(Thread::threadId)
                .collect(Collectors.toSet());
        return threadsIn(dump).stream().filter(t -> !platform.contains(t.id()) && !t.state().equals("TERMINATED"))
                .toList();
    }

    /** The ids of {@link #virtualThreads()}. */
    public static Set<Long> virtualIds() {
        return virtualThreads().stream().map(Seen::id).collect(Collectors.toSet());
    }

    /** Every thread of a JSON thread dump, platform or virtual. */
    static List<Seen> threadsIn(String dump) {
        List<Seen> seen = new ArrayList<>();
        Matcher m = THREAD.matcher(dump);
        while (m.find()) {
            // JDK 21's dumps give no state: a listed thread is alive
            seen.add(new Seen(Long.parseLong(m.group(1)), unescape(m.group(2)), m.group(3) == null ? "ALIVE" : m.group(3)));
        }
        return seen;
    }

    private static String unescape(String json) {
        StringBuilder out = new StringBuilder(json.length());
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c != '\\' || i + 1 == json.length()) {
                out.append(c);
                continue;
            }
            char next = json.charAt(++i);
            switch (next) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'u' -> {
                    if (i + 4 < json.length()) {
                        out.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                }
                default -> out.append(next); // \" \\ \/
            }
        }
        return out.toString();
    }

    private static String jsonDump() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("thread-dump");
            Path file = dir.resolve("threads.json");
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            String dump = Files.readString(file);
            Files.delete(file);
            return dump;
        } catch (IOException | RuntimeException unavailable) {
            return null;
        } finally {
            if (dir != null) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException leftBehind) {
                    // an empty folder in the temporary directory
                }
            }
        }
    }
}

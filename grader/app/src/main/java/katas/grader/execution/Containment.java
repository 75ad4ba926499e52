package katas.grader.execution;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps the processes that the learner's code starts from outliving their fork: a process that
 * detaches ({@code setsid}, a double fork) would otherwise rewrite the reports after the grade, or
 * wait for the next fork to steal its token. On Linux with JDK 22+, the grader's JVM becomes the
 * subreaper of everything it starts: an orphan is re-parented to it, and after each fork every child
 * that is not a fork of ours is killed, with its descendants, and reaped. Elsewhere the grader can only
 * stop the descendants it saw while the fork ran, and {@link #limitation()} says so.
 */
public final class Containment {

    private static final Containment INSTANCE = install();

    private final LinuxProcessCalls calls;
    private final String limitation;
    /** Forks of ours that are alive: never swept. */
    private final Set<Long> forks = ConcurrentHashMap.newKeySet();

    private Containment(LinuxProcessCalls calls, String limitation) {
        this.calls = calls;
        this.limitation = limitation;
    }

    public static Containment get() {
        return INSTANCE;
    }

    private static Containment install() {
        Optional<LinuxProcessCalls> calls = LinuxProcessCalls.load();
        if (calls.isPresent() && calls.get().becomeSubreaper()) {
            calls.get().stopBeingDumpable();
            return new Containment(calls.get(), "");
        }
        String where = System.getProperty("os.name", "") + ", JDK " + Runtime.version().feature();
        return new Containment(null, "on " + where + " the grader cannot become the subreaper of the processes "
                + "it starts (Linux with JDK 22 or newer can), so a process the code under grading detaches "
                + "(setsid, a double fork) may outlive the grade");
    }

    /** What containment this machine lacks, in words; empty when it has it all. */
    public String limitation() {
        return limitation;
    }

    void forkStarted(Process fork) {
        forks.add(fork.pid());
    }

    void forkEnded(Process fork) {
        forks.remove(fork.pid());
    }

    /**
     * Kills and reaps every child of this JVM that is not a live fork of ours (orphans adopted from
     * ended forks), with their descendants. Returns how many processes it stopped.
     */
    int sweep() {
        if (calls == null) {
            return 0;
        }
        int stopped = 0;
        // Killing an orphan orphans its own children, which are adopted in turn: sweep until none is left.
        for (int round = 0; round < 20; round++) {
            List<ProcessHandle> strays = ProcessHandle.current().children()
                    .filter(p -> !forks.contains(p.pid())).toList();
            if (strays.isEmpty()) {
                break;
            }
            for (ProcessHandle stray : strays) {
                stray.descendants().sorted(Comparator.comparingLong(ProcessHandle::pid).reversed())
                        .forEach(ProcessHandle::destroyForcibly);
                if (!isZombie(stray.pid())) {
                    stopped++;
                }
                stray.destroyForcibly();
            }
            for (ProcessHandle stray : strays) {
                long deadline = System.nanoTime() + 200_000_000L;
                while (!calls.reap(stray.pid()) && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
            }
        }
        return stopped;
    }

    /** A process that has ended but was not reaped yet (Linux's state Z): nothing left to stop. */
    private static boolean isZombie(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", String.valueOf(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (java.io.IOException | RuntimeException gone) {
            return true;
        }
    }
}

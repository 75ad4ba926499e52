package katas.grader.execution;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A class-data-sharing archive of the classes every fork loads around the tests (JUnit, AssertJ, the
 * testkit, the fork runtime), for a run of hundreds of grades: the self-check. Its first fork lists the
 * classes it loads; once that fork has ended, a JVM dumps them into an archive in the background; every
 * fork started after that maps them instead of loading and verifying each one. Measured on a self-check
 * of starting-gun (52 grades): 152 s of CPU without, 131 s with.
 *
 * <p>Only for the kit's own code: an archive is code, and a learner's fork could rewrite a file it can
 * reach. Each step that fails leaves the forks as they were: a fork that cannot map the archive starts
 * without it, and says nothing about it (its console output is the code's).
 */
public final class SharedClasses implements AutoCloseable {

    /** Forks start as they always do. */
    public static final SharedClasses NONE = new SharedClasses(null);

    private static final long DUMP_SECONDS = 300;

    private final Path dir;
    /** The dump's command, once a fork took the job of listing its classes. */
    private final AtomicReference<List<String>> recorded = new AtomicReference<>();
    private final AtomicBoolean dumping = new AtomicBoolean();
    private volatile boolean ready;

    private SharedClasses(Path dir) {
        this.dir = dir;
    }

    /** An archive to be made in {@code dir}, a folder only the kit's own code can reach. */
    public static SharedClasses in(Path dir) {
        return new SharedClasses(dir);
    }

    private Path classList() {
        return dir.resolve("classes.lst");
    }

    private Path archive() {
        return dir.resolve("classes.jsa");
    }

    /**
     * What the next fork adds to its JVM's options: nothing, the job of listing what it loads (the first
     * fork), or the archive once it exists. {@code jvm} is the fork's command up to its class path, and
     * {@code classPath} the grader's part of it, which comes first: an archive is used only by a JVM whose
     * class path begins as the archive's did.
     */
    List<String> options(List<String> jvm, String classPath) {
        if (dir == null) {
            return List.of();
        }
        if (ready) {
            // A JVM that cannot map the archive would say so on the fork's console, which is the code's.
            return List.of("-XX:SharedArchiveFile=" + archive(), "-Xlog:cds*=off");
        }
        if (recorded.get() != null) {
            return List.of(); // the list is being made, or the archive: this fork goes without
        }
        List<String> dump = new ArrayList<>(jvm);
        dump.addAll(List.of("-cp", classPath, "-Xshare:dump", "-XX:SharedClassListFile=" + classList(),
                "-XX:SharedArchiveFile=" + archive()));
        if (recorded.compareAndSet(null, List.copyOf(dump))) {
            return List.of("-XX:DumpLoadedClassList=" + classList());
        }
        return List.of();
    }

    /**
     * Makes the archive from the classes the first fork listed, on a thread of its own; forks started
     * meanwhile go without it. Call it once that fork has ended. Returns at once.
     */
    public void archiveInBackground() {
        List<String> dump = recorded.get();
        if (dir == null || dump == null || !dumping.compareAndSet(false, true)) {
            return;
        }
        Thread.ofPlatform().daemon().name("shared-classes-dump").start(() -> dump(dump));
    }

    private void dump(List<String> command) {
        Path log = dir.resolve("dump.log");
        try {
            if (!Files.isRegularFile(classList()) || Files.size(classList()) == 0) {
                System.err.println("forks start without shared classes: the first fork listed none");
                return;
            }
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            long start = System.nanoTime();
            Process process = Containment.get().start(builder);
            try {
                boolean ended = process.waitFor(DUMP_SECONDS, TimeUnit.SECONDS);
                if (!ended) {
                    process.destroyForcibly().waitFor();
                }
                if (ended && process.exitValue() == 0 && Files.isRegularFile(archive())) {
                    ready = true;
                    System.err.printf(Locale.ROOT, "forks map the classes they share from an archive from now on "
                            + "(made in %.1f s)%n", (System.nanoTime() - start) / 1e9);
                } else {
                    System.err.println("forks start without shared classes: the archive could not be made ("
                            + (ended ? "exit " + process.exitValue() : "no end in " + DUMP_SECONDS + " s") + ", see "
                            + log + ")");
                }
            } finally {
                Containment.get().forkEnded(process);
            }
        } catch (IOException e) {
            System.err.println("forks start without shared classes: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True once forks map the archive. */
    public boolean ready() {
        return ready;
    }

    /** Deletes the archive's folder; forks started later go without it. */
    @Override
    public void close() {
        ready = false;
        ScratchFolder.deleteQuietly(dir);
    }
}

package katas.grader.execution;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A fork's JVM, started ahead of its work: it starts up and loads JUnit while the grader still
 * compiles, then waits for its spec on its standard input. The spec, with the channel's token, never
 * touches the disk, where another process could read it. Closing a launch that was never used
 * stops its JVM.
 */
public final class ForkLaunch implements AutoCloseable {

    static final long CONSOLE_FLOOD_BYTES = 8L * 1024 * 1024;

    private final Process process;
    private final ConsoleDrain out;
    private final ConsoleDrain err;
    private boolean used;

    private ForkLaunch(Process process) {
        this.process = process;
        this.out = new ConsoleDrain(process.getInputStream(), "stdout", CONSOLE_FLOOD_BYTES);
        this.err = new ConsoleDrain(process.getErrorStream(), "stderr", CONSOLE_FLOOD_BYTES);
    }

    /**
     * Starts a fork JVM on {@code classpath}. Its folders are made first (empty): a JVM skips a class
     * path folder that does not exist when it starts, and the classes arrive later.
     */
    public static ForkLaunch start(List<Path> classpath, Limits limits, Path workDir) throws IOException {
        for (Path entry : classpath) {
            if (entry.startsWith(workDir)) {
                Files.createDirectories(entry);
            }
        }
        ProcessBuilder builder = new ProcessBuilder(command(classpath, limits, workDir)).directory(workDir.toFile());
        ForkEnvironment.apply(builder.environment(), workDir);
        Process process = builder.start();
        Containment.get().forkStarted(process);
        return new ForkLaunch(process);
    }

    /**
     * The fork's command: the runtime and JUnit as named modules, then on the class path the tests, the
     * other libraries, and the code under grading last. Where the JDK has them (24+), flags deny
     * {@code sun.misc.Unsafe}'s memory access and native code to the code on the class path, which
     * would otherwise read through any module's walls; attaching an agent is always off.
     */
    private static List<String> command(List<Path> classpath, Limits limits, Path workDir) {
        List<Path> grader = classpath.stream().filter(p -> !p.startsWith(workDir)).toList();
        ForkModules modules = ForkModules.of(grader, GraderItself.location());
        List<Path> cp = new ArrayList<>();
        for (Path entry : classpath) {
            if (entry.startsWith(workDir)) {
                cp.add(entry);
            } else if (modules.classPath().contains(entry)) {
                cp.add(entry);
            }
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ForkFlags.forThisJdk());
        cmd.add("-Xmx" + limits.heapMegabytes() + "m");
        cmd.add("-XX:-UsePerfData");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Dfile.encoding=UTF-8");
        cmd.add("-Djava.io.tmpdir=" + workDir.resolve("tmp"));
        cmd.add("-Duser.home=" + workDir.resolve("home"));
        cmd.add("--add-modules");
        cmd.add("ALL-DEFAULT,ALL-MODULE-PATH");
        cmd.add("--module-path");
        cmd.add(join(modules.modulePath()));
        cmd.add("-cp");
        cmd.add(join(cp));
        cmd.add("-m");
        cmd.add(ForkModules.MAIN);
        return cmd;
    }

    private static String join(List<Path> paths) {
        return paths.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
    }

    Process process() {
        return process;
    }

    ConsoleDrain out() {
        return out;
    }

    ConsoleDrain err() {
        return err;
    }

    /** Marks the launch as taken over by a {@link ForkProcess}, which then owns its end. */
    void use() {
        used = true;
    }

    @Override
    public void close() {
        if (!used) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Containment.get().forkEnded(process);
            Containment.get().sweep();
        }
    }
}

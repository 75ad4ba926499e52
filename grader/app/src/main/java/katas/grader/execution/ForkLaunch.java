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
    public static ForkLaunch start(List<Path> classpath, Limits limits, Path workDir, SharedClasses shared)
            throws IOException {
        for (Path entry : classpath) {
            if (entry.startsWith(workDir)) {
                Files.createDirectories(entry);
            }
        }
        ProcessBuilder builder = new ProcessBuilder(command(classpath, limits, workDir, shared))
                .directory(workDir.toFile());
        ForkEnvironment.apply(builder.environment(), workDir);
        return new ForkLaunch(Containment.get().start(builder));
    }

    /**
     * The fork's command: the runtime and JUnit as named modules, then on the class path the other
     * libraries of the grader, the tests, and the code under grading last (the grader's part first, the
     * same in every fork, so that {@link SharedClasses} can archive it). Where the JDK has them (24+),
     * flags deny {@code sun.misc.Unsafe}'s memory access and native code to the code on the class path,
     * which would otherwise read through any module's walls; attaching an agent is always off.
     */
    private static List<String> command(List<Path> classpath, Limits limits, Path workDir, SharedClasses shared) {
        List<Path> grader = classpath.stream().filter(p -> !p.startsWith(workDir)).toList();
        ForkModules modules = ForkModules.of(grader, GraderItself.location());
        List<Path> cp = new ArrayList<>(grader.stream().filter(modules.classPath()::contains).toList());
        String graderClassPath = join(cp);
        classpath.stream().filter(p -> p.startsWith(workDir)).forEach(cp::add);
        List<String> jvm = new ArrayList<>();
        jvm.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        jvm.addAll(ForkFlags.forThisJdk());
        jvm.add("-Xmx" + limits.heapMegabytes() + "m");
        jvm.add("-XX:-UsePerfData");
        jvm.add("--add-modules");
        jvm.add("ALL-DEFAULT,ALL-MODULE-PATH");
        jvm.add("--module-path");
        jvm.add(join(modules.modulePath()));
        List<String> cmd = new ArrayList<>(jvm);
        cmd.addAll(shared.options(jvm, graderClassPath));
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Dfile.encoding=UTF-8");
        cmd.add("-Djava.io.tmpdir=" + workDir.resolve("tmp"));
        cmd.add("-Duser.home=" + workDir.resolve("home"));
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

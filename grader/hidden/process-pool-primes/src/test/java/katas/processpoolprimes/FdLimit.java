package katas.processpoolprimes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Lowers, for a moment, how many more files this JVM may open, so that starting a process (which
 * needs a few pipes) fails after a given number of starts: the only way a test can make the
 * constructor's third or fourth {@code ProcessBuilder.start()} throw. Linux only ({@code /proc} and
 * {@code prlimit}); elsewhere {@link #lower} gives nothing and the test has nothing to check. A
 * helper shell, started while the limit is still high, puts the limit back: this JVM may not be
 * able to start a process of its own any more.
 */
final class FdLimit implements AutoCloseable {

    private final Process keeper;
    private final Writer toKeeper;
    private final BufferedReader fromKeeper;

    private FdLimit(Process keeper) {
        this.keeper = keeper;
        this.toKeeper = new OutputStreamWriter(keeper.getOutputStream(), StandardCharsets.US_ASCII);
        this.fromKeeper = new BufferedReader(new InputStreamReader(keeper.getInputStream(), StandardCharsets.US_ASCII));
    }

    /** Leaves this JVM {@code headroom} free file descriptors until {@link #close()}, if the system lets it. */
    static Optional<FdLimit> lower(int headroom) throws IOException, InterruptedException {
        Optional<String> prlimit = Stream.of("/usr/bin/prlimit", "/bin/prlimit", "/usr/sbin/prlimit", "/sbin/prlimit")
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst();
        Path limits = Path.of("/proc/self/limits");
        if (prlimit.isEmpty() || !Files.isReadable(limits)) {
            return Optional.empty();
        }
        String[] line = Files.readAllLines(limits).stream().filter(l -> l.startsWith("Max open files")).findFirst()
                .orElse("").trim().split("\\s+");
        if (line.length < 5) {
            return Optional.empty();
        }
        String soft = line[3];
        String hard = line[4];
        long pid = ProcessHandle.current().pid();
        String set = prlimit.get() + " --pid " + pid + " --nofile=";
        Process keeper = new ProcessBuilder("sh", "-c", "read low; " + set + "$low:" + hard + " && echo lowered || echo failed; "
                + "read again; " + set + soft + ":" + hard + "; echo restored")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        FdLimit limit = new FdLimit(keeper);
        limit.toKeeper.write(lowestLimitLeaving(headroom) + "\n");
        limit.toKeeper.flush();
        if (!"lowered".equals(limit.fromKeeper.readLine())) {
            limit.close();
            return Optional.empty();
        }
        return Optional.of(limit);
    }

    /** The limit under which exactly {@code headroom} descriptor numbers are still free. */
    private static long lowestLimitLeaving(int headroom) throws IOException {
        TreeSet<Long> open = new TreeSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            fds.forEach(p -> open.add(Long.parseLong(p.getFileName().toString())));
        }
        long free = 0;
        long limit = 0;
        while (free < headroom) {
            if (!open.contains(limit)) {
                free++;
            }
            limit++;
        }
        return limit;
    }

    /** The helper shell's pid, which is none of the pool's workers. */
    long keeperPid() {
        return keeper.pid();
    }

    /** Puts the limit back as it was, and waits for the helper to end. */
    @Override
    public void close() throws IOException, InterruptedException {
        try {
            toKeeper.write("\n");
            toKeeper.flush();
            fromKeeper.readLine();
        } finally {
            if (!keeper.waitFor(5, TimeUnit.SECONDS)) {
                keeper.destroyForcibly();
            }
            toKeeper.close();
            fromKeeper.close();
        }
    }
}

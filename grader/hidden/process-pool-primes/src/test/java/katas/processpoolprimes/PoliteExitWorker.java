package katas.processpoolprimes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A stand-in worker for the hidden closing tests: it answers like a probe (with {@link ProbeHub#answerOf}),
 * and leaves marks in the directory named by its first argument: {@code <pid>.started} once it reads its
 * input, {@code <pid>.eof} when its input ends, and {@code <pid>.exited} just before it exits by itself,
 * {@link #EXIT_MILLIS} after the end of its input (a worker that finishes its work), or as many milliseconds as its
 * second argument says. A worker that is killed never leaves the last mark. It halts after a minute whatever happens.
 */
public final class PoliteExitWorker {

    /**
     * How long the worker takes to exit once its input ended: inside the README's "moment", and long enough that a
     * close() that kills it at once (its thread delayed a little on a busy machine) still finds it running.
     */
    static final long EXIT_MILLIS = 100;

    private PoliteExitWorker() {
    }

    public static void main(String[] args) throws Exception {
        Thread lifetime = new Thread(() -> {
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                // halt anyway
            }
            Runtime.getRuntime().halt(4);
        }, "polite-exit-lifetime");
        lifetime.setDaemon(true);
        lifetime.start();
        Path dir = Path.of(args[0]);
        long exitMillis = args.length > 1 ? Long.parseLong(args[1]) : EXIT_MILLIS;
        long pid = ProcessHandle.current().pid();
        mark(dir, pid + ".started");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] w = line.trim().split(" ");
            System.out.print(ProbeHub.answerOf(Long.parseLong(w[1]), Long.parseLong(w[2])) + "\n");
            System.out.flush();
        }
        mark(dir, pid + ".eof");
        Thread.sleep(exitMillis);
        mark(dir, pid + ".exited");
    }

    private static void mark(Path dir, String name) throws IOException {
        Files.writeString(dir.resolve(name + ".tmp"), "");
        Files.move(dir.resolve(name + ".tmp"), dir.resolve(name));
    }
}

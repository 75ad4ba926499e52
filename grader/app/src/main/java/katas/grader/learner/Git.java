package katas.grader.learner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code git} in a folder: the few read and restore commands {@link StubReset} needs. */
final class Git {

    /** What a git command answered. */
    record Answer(int exitCode, String out, String err) {

        boolean ok() {
            return exitCode == 0;
        }
    }

    private final Path dir;

    Git(Path dir) {
        this.dir = dir;
    }

    /** Runs {@code git args...}; an exception means git could not be run at all. */
    Answer run(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(nullFile())).start();
        try {
            // Read both before waiting: a full pipe would stop git.
            var err = process.getErrorStream();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String error = new String(err.readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("git " + String.join(" ", args) + " did not finish within 60 s");
            }
            return new Answer(process.exitValue(), out, error.strip());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while git ran", e);
        }
    }

    private static java.io.File nullFile() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}

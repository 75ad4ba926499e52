package katas.workflows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a program with a bound, its output (stdout and stderr merged) kept in a file. */
final class Shell {
    record Result(int exitCode, String output, Duration took, boolean timedOut) {
        @Override
        public String toString() {
            return "exit " + exitCode + (timedOut ? " (killed at the bound)" : "") + " after " + took.toMillis() + " ms, output:\n" + output;
        }
    }

    private Shell() {}

    /** Runs it; an environment entry whose value is null removes that variable. */
    static Result run(List<String> command, Path directory, Map<String, String> environment, Duration bound) {
        try {
            Path log = Files.createTempFile("workflows-check", ".log");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(directory.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            environment.forEach((name, value) -> {
                if (value == null) {
                    builder.environment().remove(name); // not inherited from the test's JVM
                } else {
                    builder.environment().put(name, value);
                }
            });
            long start = System.nanoTime();
            Process process = builder.start();
            boolean finished = process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            return new Result(finished ? process.exitValue() : -1, output, took, !finished);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}

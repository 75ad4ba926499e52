package katas.processpoolprimes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One worker JVM started by a test, talked to the way a pool talks to it: requests on its
 * standard input, answers read from its standard output with a bound, so a worker that never
 * answers fails the test instead of hanging it.
 */
final class WorkerProcess implements AutoCloseable {

    private static final String END = "\u0000end of output";

    private final Process process;
    private final Writer requests;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private WorkerProcess(Process process) {
        this.process = process;
        this.requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
        BufferedReader answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        Thread.ofPlatform().daemon(true).name("reads worker " + process.pid()).start(() -> {
            try {
                for (String line = answers.readLine(); line != null; line = answers.readLine()) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process is gone: that is the end of its output too
            }
            lines.add(END);
        });
    }

    /** Starts {@code main} in a new JVM on this JVM's class path, as a pool would. */
    static WorkerProcess start(Class<?> main) throws IOException {
        String java = ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
        return new WorkerProcess(new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                main.getName())).redirectError(ProcessBuilder.Redirect.INHERIT).start());
    }

    /** Sends one line, as the pool would: the line and a newline, flushed. */
    void send(String request) throws IOException {
        requests.write(request + "\n");
        requests.flush();
    }

    /** Sends several lines in one write, so that they all wait in the worker's input at once. */
    void sendAll(List<String> lines) throws IOException {
        requests.write(String.join("\n", lines) + "\n");
        requests.flush();
    }

    /** The process, as the operating system sees it. */
    ProcessHandle handle() {
        return process.toHandle();
    }

    /** The next line the worker printed, or fails the test if none comes within {@code bound}. */
    String nextLine(String afterRequest, Duration bound) throws InterruptedException {
        String line = lines.poll(bound.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new AssertionError("the worker did not answer `" + afterRequest + "` within " + bound.toSeconds()
                    + " s: is the answer still sitting in an output buffer? Flush standard output after each answer "
                    + "(rule 1)");
        }
        if (line.equals(END)) {
            lines.add(END);
            throw new AssertionError("the worker ended without answering `" + afterRequest + "`"
                    + exitStatus().map(s -> " (exit status " + s + ")").orElse("")
                    + ": see its error output (an exception in main?)");
        }
        return line;
    }

    /**
     * Waits up to {@code bound} for the worker's standard output to end; null when it did, otherwise
     * what it printed instead (or a sentence saying it printed nothing and did not end).
     */
    String awaitEndOfOutput(Duration bound) throws InterruptedException {
        String line = lines.poll(bound.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            return "(nothing: it neither printed another line nor closed its output within " + bound.toSeconds() + " s)";
        }
        if (line.equals(END)) {
            lines.add(END);
            return null;
        }
        return line;
    }

    /** Closes the worker's standard input, as a pool does when it shuts down. */
    void endInput() throws IOException {
        requests.close();
    }

    /** Waits up to {@code bound} for the process to exit; its exit status if it did. */
    Optional<Integer> awaitExit(Duration bound) throws InterruptedException {
        return process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)
                ? Optional.of(process.exitValue()) : Optional.empty();
    }

    private Optional<Integer> exitStatus() {
        try {
            return awaitExit(Duration.ofMillis(500));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
    }
}

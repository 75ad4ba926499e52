package katas.processpoolprimes;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A fixed number of worker processes (JVMs running a worker's {@code main}) that count primes
 * together. {@link #countPrimes} is called by one thread at a time; {@link #close} may be called
 * from any thread at any time, also while {@code countPrimes} runs.
 */
public class ProcessPool implements AutoCloseable {

    /** How many workers one range may crash, or be killed on, before {@link #countPrimes} gives up. */
    public static final int MAX_ATTEMPTS = 3;

    private final List<String> command;
    private volatile boolean closed;
    private volatile Process current;

    /** Starts {@code size} worker processes running {@link PrimeWorker}. */
    public ProcessPool(int size) {
        this(size, PrimeWorker.class);
    }

    /**
     * Starts {@code size} worker processes, each a new JVM on this JVM's class path running
     * {@code workerMain}'s {@code main} with {@code workerArgs}.
     */
    public ProcessPool(int size, Class<?> workerMain, String... workerArgs) {
        if (size < 1) {
            throw new IllegalArgumentException("a pool needs at least one worker, asked for " + size);
        }
        // MUTANT: nothing is started here; each range starts its own worker later, one at a time
        this.command = command(Objects.requireNonNull(workerMain, "workerMain"), workerArgs);
    }

    /**
     * Counts the primes in {@code [from, to)}: the span is cut into consecutive ranges of
     * {@code rangeSize} numbers (the last may be shorter), each sent to a worker as one request.
     *
     * @throws IllegalArgumentException if {@code from > to} or {@code rangeSize < 1}
     * @throws IllegalStateException if the pool is closed before or while counting, or a range
     *     failed on {@link #MAX_ATTEMPTS} workers
     */
    public long countPrimes(long from, long to, long rangeSize) {
        if (from > to) {
            throw new IllegalArgumentException("from must not be after to, got [" + from + ", " + to + ")");
        }
        if (rangeSize < 1) {
            throw new IllegalArgumentException("rangeSize must be at least 1, was " + rangeSize);
        }
        if (closed) {
            throw new IllegalStateException("the pool is closed");
        }
        long primes = 0;
        for (long start = from; start < to; ) {
            long end = to - start <= rangeSize ? to : start + rangeSize;
            primes += countOnNewWorker("count " + start + " " + end);
            start = end;
        }
        return primes;
    }

    private long countOnNewWorker(String request) {
        IOException last = null;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            if (closed) {
                throw new IllegalStateException("the pool was closed while counting");
            }
            Process process = null;
            try {
                process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
                current = process;
                Writer requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
                BufferedReader answers = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
                requests.write(request + "\n");
                requests.flush();
                String answer = answers.readLine();
                if (answer == null) {
                    throw new EOFException("worker " + process.pid() + " ended without answering `" + request + "`");
                }
                requests.close();
                process.waitFor(5, TimeUnit.SECONDS); // MUTANT: wait for this worker before starting the next
                return Long.parseLong(answer.trim());
            } catch (IOException | NumberFormatException died) {
                last = died instanceof IOException io ? io : new IOException(died);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", interrupted);
            } finally {
                if (process != null) {
                    process.destroyForcibly();
                }
            }
        }
        throw new IllegalStateException("`" + request + "` failed on " + MAX_ATTEMPTS + " workers", last);
    }

    /** Stops every worker and returns once each has exited; later calls do nothing. */
    @Override
    public void close() {
        closed = true;
        Process process = current;
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static List<String> command(Class<?> workerMain, String... workerArgs) {
        String java = ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> command = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-XX:-UsePerfData",
                "-cp", System.getProperty("java.class.path"), workerMain.getName()));
        command.addAll(List.of(workerArgs));
        return command;
    }
}

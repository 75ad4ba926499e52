package katas.processpoolprimes;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A fixed number of worker processes (JVMs running a worker's {@code main}) that count primes
 * together. {@link #countPrimes} is called by one thread at a time; {@link #close} may be called
 * from any thread at any time, also while {@code countPrimes} runs.
 */
public class ProcessPool implements AutoCloseable {

    /** How many workers one range may crash, or be killed on, before {@link #countPrimes} gives up. */
    public static final int MAX_ATTEMPTS = 3;

    // How long close() lets the workers exit on their own (end of input) before it kills them.
    private static final long POLITE_EXIT_MILLIS = 200;
    // How long a killed process may take to be gone; SIGKILL is not refused, so this never runs out.
    private static final long KILL_MILLIS = 5_000;

    private final List<String> command;
    // FIX: one slot per worker; a slot's dead worker is replaced under the pool's lock, so close()
    // either sees the replacement and stops it, or the replacement is never started.
    private final Worker[] slots;
    private boolean closed;
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Starts {@code size} worker processes running {@link PrimeWorker}. */
    public ProcessPool(int size) {
        this(size, PrimeWorker.class);
    }

    /**
     * Starts {@code size} worker processes, each a new JVM on this JVM's class path running
     * {@code workerMain}'s {@code main} with {@code workerArgs}, and returns once all are started.
     *
     * @throws IllegalArgumentException if {@code size < 1} (nothing is started)
     * @throws java.io.UncheckedIOException if a worker cannot be started (none is left running)
     */
    public ProcessPool(int size, Class<?> workerMain, String... workerArgs) {
        if (size < 1) {
            throw new IllegalArgumentException("a pool needs at least one worker, asked for " + size);
        }
        this.command = command(Objects.requireNonNull(workerMain, "workerMain"), workerArgs);
        this.slots = new Worker[size];
        try {
            synchronized (this) {
                for (int i = 0; i < size; i++) {
                    slots[i] = Worker.start(command); // FIX: all workers start now and run side by side
                }
            }
        } catch (IOException failed) {
            shutDown(); // FIX: the workers already started must not outlive a constructor that failed
            throw new UncheckedIOException("could not start a worker with " + command, failed);
        }
    }

    /**
     * Counts the primes in {@code [from, to)}: the span is cut into consecutive ranges of
     * {@code rangeSize} numbers (the last may be shorter), each sent to a worker as one request.
     *
     * @throws IllegalArgumentException if {@code from > to} or {@code rangeSize < 1}
     * @throws IllegalStateException if the pool is closed before or while counting, a range
     *     failed on {@link #MAX_ATTEMPTS} workers, or the calling thread was interrupted (its
     *     interrupt status stays set)
     */
    public long countPrimes(long from, long to, long rangeSize) {
        if (from > to) {
            throw new IllegalArgumentException("from must not be after to, got [" + from + ", " + to + ")");
        }
        if (rangeSize < 1) {
            throw new IllegalArgumentException("rangeSize must be at least 1, was " + rangeSize);
        }
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the pool is closed");
            }
        }
        Queue<Range> ranges = new ConcurrentLinkedQueue<>();
        for (long start = from; start < to; ) {
            // FIX: to - start may not fit in a long (a span wider than Long.MAX_VALUE), nor may start + rangeSize
            // near Long.MAX_VALUE: compare the distance left as unsigned, and add only when it cannot overflow.
            long end = Long.compareUnsigned(to - start, rangeSize) <= 0 ? to : start + rangeSize;
            ranges.add(new Range(start, end));
            start = end;
        }
        int total = ranges.size();
        BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();
        AtomicBoolean abandoned = new AtomicBoolean();
        List<Thread> dispatchers = new ArrayList<>(slots.length);
        for (int i = 0; i < slots.length; i++) {
            int slot = i;
            // FIX: one dispatcher thread per worker, all taking from one queue: a worker gets its
            // next range as soon as it is free, so every worker is busy at once and a slow range
            // holds up nothing but its own worker.
            dispatchers.add(Thread.ofPlatform().daemon(true).name("process-pool-dispatcher-" + slot)
                    .start(() -> dispatch(slot, ranges, outcomes, abandoned)));
        }
        long primes = 0;
        try {
            for (int done = 0; done < total; done++) {
                Outcome outcome = outcomes.take(); // FIX: results are summed in the order they complete
                if (outcome.failure() != null) {
                    throw outcome.failure();
                }
                primes += outcome.count();
            }
            return primes;
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            close(); // the dispatchers wait on pipes, which only the end of the workers unblocks
            throw new IllegalStateException("interrupted while counting; the pool was closed", interrupted);
        } finally {
            abandoned.set(true);
            for (Thread dispatcher : dispatchers) {
                joinUninterruptibly(dispatcher);
            }
        }
    }

    /** Stops every worker and returns once each has exited; later calls do nothing. */
    @Override
    public void close() {
        shutDown();
    }

    private void shutDown() {
        List<Worker> stopping = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                stopping = null;
            } else {
                closed = true;
                for (Worker worker : slots) {
                    if (worker != null) {
                        stopping.add(worker);
                    }
                }
            }
        }
        if (stopping == null) {
            awaitStopped(); // FIX: a second close() also returns only when the workers are gone
            return;
        }
        // FIX: a caller with its interrupt status set (an interrupted count closes the pool) still gives the
        // workers their moment: the status is cleared for the waits, remembered, and set again at the end.
        boolean interrupted = Thread.interrupted();
        try {
            for (Worker worker : stopping) {
                worker.endInput(); // FIX: a worker exits by itself when its input ends
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(POLITE_EXIT_MILLIS);
            for (Worker worker : stopping) {
                while (true) {
                    try {
                        if (!worker.process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                            worker.process.destroyForcibly(); // FIX: a worker that does not exit is killed
                        }
                        break;
                    } catch (InterruptedException e) {
                        interrupted = true; // keep waiting out the moment: the workers are still exiting
                    }
                }
            }
        } finally {
            for (Worker worker : stopping) {
                interrupted |= worker.kill(); // FIX: wait until every child has really exited
            }
            stopped.countDown();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void dispatch(int slot, Queue<Range> ranges, BlockingQueue<Outcome> outcomes, AtomicBoolean abandoned) {
        while (!abandoned.get()) {
            Range range = ranges.poll();
            if (range == null) {
                return;
            }
            outcomes.add(count(slot, range));
        }
    }

    /** Counts one range on the slot's worker; when the worker dies, on a new worker in its place. */
    private Outcome count(int slot, Range range) {
        String request = "count " + range.from() + " " + range.to();
        for (int attempt = 1; ; attempt++) {
            Worker worker;
            synchronized (this) {
                if (closed) {
                    return Outcome.failed(new IllegalStateException("the pool was closed while counting"));
                }
                worker = slots[slot];
            }
            try {
                return Outcome.counted(worker.ask(request));
            } catch (IOException died) {
                // FIX: the range is not lost with its worker: a new worker takes the slot and the
                // range runs again there, up to MAX_ATTEMPTS times.
                String why = "[" + range.from() + ", " + range.to() + ") failed on " + attempt + " worker(s); last: "
                        + died.getMessage();
                String replaced = replace(slot, worker);
                if (replaced != null) {
                    return Outcome.failed(new IllegalStateException(why + "; " + replaced, died));
                }
                if (attempt >= MAX_ATTEMPTS) {
                    return Outcome.failed(new IllegalStateException(why, died));
                }
            }
        }
    }

    /** Kills a broken worker and starts another in its slot; returns why it could not, or null. */
    private String replace(int slot, Worker broken) {
        broken.kill();
        synchronized (this) {
            if (closed) {
                return "the pool was closed while counting";
            }
            try {
                slots[slot] = Worker.start(command);
                return null;
            } catch (IOException failed) {
                return "could not start another worker: " + failed.getMessage();
            }
        }
    }

    private void awaitStopped() {
        boolean interrupted = false;
        while (true) {
            try {
                stopped.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<String> command(Class<?> workerMain, String... workerArgs) {
        String java = ProcessHandle.current().info().command()
                .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // A worker needs little memory: the simple collector and no perf-data file make it start faster.
        List<String> command = new ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-XX:-UsePerfData",
                "-cp", System.getProperty("java.class.path"), workerMain.getName()));
        command.addAll(List.of(workerArgs));
        return command;
    }

    private record Range(long from, long to) {
    }

    private record Outcome(long count, IllegalStateException failure) {
        static Outcome counted(long count) {
            return new Outcome(count, null);
        }

        static Outcome failed(IllegalStateException failure) {
            return new Outcome(0, failure);
        }
    }

    /** One worker process and the two ends of its pipes. */
    private static final class Worker {
        final Process process;
        final Writer requests;
        final BufferedReader answers;

        private Worker(Process process) {
            this.process = process;
            this.requests = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
            this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        }

        static Worker start(List<String> command) throws IOException {
            return new Worker(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }

        /** Sends one request and waits for its answer; IOException when the worker is gone or broken. */
        long ask(String request) throws IOException {
            requests.write(request + "\n");
            requests.flush(); // FIX: without the flush the request waits in a buffer and nobody answers
            String answer = answers.readLine();
            if (answer == null) {
                throw new EOFException("worker " + process.pid() + " ended without answering `" + request + "`");
            }
            try {
                return Long.parseLong(answer.trim());
            } catch (NumberFormatException notANumber) {
                throw new IOException("worker " + process.pid() + " answered `" + answer + "` to `" + request + "`");
            }
        }

        void endInput() {
            try {
                requests.close();
            } catch (IOException alreadyGone) {
                // the worker has exited already; nothing to tell it
            }
        }

        /** Kills the process and waits until it has exited; returns true if interrupted meanwhile. */
        boolean kill() {
            process.destroyForcibly();
            boolean interrupted = false;
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_MILLIS);
            while (process.isAlive() && System.nanoTime() < deadline) {
                try {
                    process.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            return interrupted;
        }
    }
}

package katas.threadlocalcontext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs requests on a pool, each with its own {@link RequestContext}, and keeps their audit log. Every
 * method may be called from any thread at the same time; the pools are the caller's.
 */
public class RequestServer implements AutoCloseable {

    private final ThreadLocal<RequestContext> context = new ThreadLocal<>(); // FIX: one value per thread
    private final ExecutorService requests;
    private final ExecutorService workers;
    private final AuditSink sink;
    private final long periodNanos;
    private final Object lock = new Object(); // FIX: guards buffer, and closed against audit's check-then-add
    private List<AuditRecord> buffer = new ArrayList<>();
    private volatile boolean closed; // FIX: volatile: the flusher reads it in a loop, close() writes it
    private final Thread flusher;

    /**
     * A server that runs requests on {@code requests}, the tasks they fork on {@code workers}, and writes
     * the audit log to {@code sink} from a background flusher that it starts here.
     *
     * @param requests the pool that runs the requests (not shut down by the server)
     * @param workers the pool that runs the tasks the requests fork (not shut down by the server)
     * @param sink where the audit records go
     * @param flushPeriod how long the flusher may wait between two writes; positive
     */
    public RequestServer(ExecutorService requests, ExecutorService workers, AuditSink sink, Duration flushPeriod) {
        this.requests = Objects.requireNonNull(requests, "requests");
        this.workers = Objects.requireNonNull(workers, "workers");
        this.sink = Objects.requireNonNull(sink, "sink");
        if (flushPeriod.isNegative() || flushPeriod.isZero()) {
            throw new IllegalArgumentException("the flush period must be positive, was " + flushPeriod);
        }
        // FIX: a period longer than a long of nanoseconds holds (292 years) is the longest wait there is
        this.periodNanos = flushPeriod.getSeconds() >= Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE
                : flushPeriod.toNanos();
        flusher = new Thread(this::flushUntilClosed, "audit flusher");
        flusher.setDaemon(true); // FIX: a daemon never keeps the JVM alive; close() flushes what it holds
        flusher.start(); // FIX: last, once every field it reads is set
    }

    /**
     * Runs {@code handler} on the request pool as the request of {@code context}. The rules are in the
     * kata's README.
     *
     * @return the pool's future of the handler: what it returned, or what it threw
     */
    public <T> Future<T> handle(RequestContext context, Callable<T> handler) {
        Objects.requireNonNull(context, "context");
        Objects.requireNonNull(handler, "handler");
        return requests.submit(() -> callAs(context, handler));
    }

    /**
     * Runs {@code task} on the worker pool with the context of the calling thread.
     *
     * @return the pool's future of the task: what it returned, or what it threw
     */
    public <T> Future<T> fork(Callable<T> task) {
        Objects.requireNonNull(task, "task");
        RequestContext captured = context.get(); // FIX: read here, on the forking thread, not in the task
        return workers.submit(() -> callAs(captured, task));
    }

    /** Runs {@code task} with {@code as} as its thread's context, and gives the thread back what it had. */
    private <T> T callAs(RequestContext as, Callable<T> task) throws Exception {
        RequestContext previous = context.get(); // FIX: a pool may run the task on the submitting thread
        use(as);
        try {
            return task.call();
        } finally {
            use(previous); // FIX: in finally: a task that throws must not leave its context to the next one
        }
    }

    private void use(RequestContext value) {
        if (value == null) {
            context.remove(); // FIX: none at all, not the last request's
        } else {
            context.set(value);
        }
    }

    /** The context of the request (or forked task) running on the calling thread; null when there is none. */
    public RequestContext current() {
        return context.get();
    }

    /**
     * Adds a record of {@code message} for the current request to the audit log, without waiting for the sink.
     *
     * @throws IllegalStateException when the calling thread runs no request, or the server is closed
     */
    public void audit(String message) {
        RequestContext now = context.get();
        if (now == null) {
            throw new IllegalStateException("no request runs on thread '" + Thread.currentThread().getName()
                    + "': nothing to audit for");
        }
        AuditRecord record = new AuditRecord(now.user(), now.traceId(), message);
        synchronized (lock) { // FIX: the check and the add are one step, so close() cannot slip between them
            if (closed) {
                throw new IllegalStateException("the server is closed: its audit log takes no more records");
            }
            buffer.add(record);
        }
    }

    private void flushUntilClosed() {
        while (!closed) {
            flushOnce();
            if (!closed) { // FIX: again after the write: the sink may have used up close()'s unpark
                LockSupport.parkNanos(this, periodNanos); // FIX: close() unparks it: no waiting out the period
            }
        }
        flushOnce(); // FIX: what was audited before close() is still written
    }

    private void flushOnce() {
        List<AuditRecord> batch;
        synchronized (lock) {
            if (buffer.isEmpty()) {
                return;
            }
            batch = buffer; // FIX: taken whole and replaced: each record is written once, in order
            buffer = new ArrayList<>();
        }
        try {
            sink.write(batch);
        } catch (Throwable refused) { // FIX: an Error too: a dead flusher would write nothing more
            // The sink lost this batch; the flusher goes on with the next one.
        }
    }

    /**
     * Stops the flusher, once every record audited so far is written. The pools go on running.
     *
     * @throws InterruptedException when the calling thread is interrupted while waiting for the flusher
     */
    @Override
    public void close() throws InterruptedException {
        synchronized (lock) {
            closed = true; // FIX: under the lock: no audit adds a record after this
        }
        LockSupport.unpark(flusher); // FIX: wake it now; a permit given before it parks is kept
        flusher.join(); // FIX: returns once the last batch is written
    }
}

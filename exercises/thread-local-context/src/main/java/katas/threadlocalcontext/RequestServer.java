package katas.threadlocalcontext;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Runs requests on a pool, each with its own {@link RequestContext}, and keeps their audit log. Every
 * method may be called from any thread at the same time; the pools are the caller's.
 */
public class RequestServer implements AutoCloseable {

    /**
     * A server that runs requests on {@code requests}, the tasks they fork on {@code workers}, and writes
     * the audit log to {@code sink} from a background flusher that it starts here.
     *
     * @param requests the pool that runs the requests (not shut down by the server)
     * @param workers the pool that runs the tasks the requests fork (not shut down by the server)
     * @param sink where the audit records go
     * @param flushPeriod how long the flusher may wait between two writes; positive
     * @throws IllegalArgumentException when {@code flushPeriod} is zero or negative (no thread is started then)
     */
    public RequestServer(ExecutorService requests, ExecutorService workers, AuditSink sink, Duration flushPeriod) {
        // TODO: a thread that is not a daemon keeps the JVM alive after main() has ended.
        throw new UnsupportedOperationException("TODO: keep the pools and the sink, and start the flusher");
    }

    /**
     * Runs {@code handler} on the request pool as the request of {@code context}. The rules are in the
     * kata's README.
     *
     * @return the pool's future of the handler: what it returned, or what it threw
     */
    public <T> Future<T> handle(RequestContext context, Callable<T> handler) {
        // TODO: a pool thread runs one request after another: whatever a request leaves on its thread, the
        //  next task on that thread finds there.
        throw new UnsupportedOperationException("TODO: run the handler with its context");
    }

    /**
     * Runs {@code task} on the worker pool with the context of the calling thread.
     *
     * @return the pool's future of the task: what it returned, or what it threw
     */
    public <T> Future<T> fork(Callable<T> task) {
        // TODO: the task runs on another thread, and what one thread holds for itself, another cannot see.
        throw new UnsupportedOperationException("TODO: run the task with the caller's context");
    }

    /** The context of the request (or forked task) running on the calling thread; null when there is none. */
    public RequestContext current() {
        throw new UnsupportedOperationException("TODO: the calling thread's context");
    }

    /**
     * Adds a record of {@code message} for the current request to the audit log, without waiting for the sink.
     *
     * @throws IllegalStateException when the calling thread runs no request, or the server is closed
     */
    public void audit(String message) {
        throw new UnsupportedOperationException("TODO: keep a record for the flusher");
    }

    /**
     * Stops the flusher, once every record audited so far is written. The pools go on running.
     *
     * @throws InterruptedException when the calling thread is interrupted while waiting for the flusher
     */
    @Override
    public void close() throws InterruptedException {
        // TODO: a flag written by one thread and read in a loop by another may never be seen to change.
        // TODO: a flusher asleep for its whole period does not notice that it should stop.
        throw new UnsupportedOperationException("TODO: stop the flusher without losing a record");
    }
}

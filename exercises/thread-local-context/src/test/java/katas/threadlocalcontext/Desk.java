package katas.threadlocalcontext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import katas.testkit.Shapes;
import katas.testkit.TestThreads;
import katas.testkit.ThreadDiagnosis;
import katas.testkit.time.RunningBudget;

/**
 * The help desk of the tests: a request pool and a worker pool of the test's own (daemon threads named
 * "request-..." and "worker-..."), a {@link RecordingSink}, and the server under test. Closing the desk closes
 * the server (bounded) and shuts the pools down.
 */
final class Desk implements AutoCloseable {

    private static final AtomicInteger DESKS = new AtomicInteger();
    private static final List<String> USERS = List.of("alice", "bob", "chandra", "dmitri", "eun-ji", "fatima", "gus",
            "hiroshi", "ines", "jamal", "kofi", "lena", "mateo", "nadia", "oskar", "priya");
    /** How long a test waits for one request or task before it says what the threads were doing. */
    static final Duration PATIENCE = Duration.ofSeconds(5);

    final ThreadPoolExecutor requests;
    final ThreadPoolExecutor workers;
    final RecordingSink sink = new RecordingSink();
    final RequestServer server;
    /** The threads of the test's pools, made as the pools need them. */
    private final Set<Thread> poolThreads;
    /** The threads alive before the server was made. */
    final Set<Thread> before;
    private boolean closed;
    /** Threads the test made while the server ran (a closer), known by identity. */

    private Desk(ThreadPoolExecutor requests, ThreadPoolExecutor workers, Duration period, Set<Thread> poolThreads) {
        this.requests = requests;
        this.workers = workers;
        this.poolThreads = poolThreads;
        this.before = aliveNow();
        this.server = madeOnAnApplicationThread(() -> new RequestServer(requests, workers, sink, period));
    }

    /**
     * Makes the server on a thread that is not a daemon, like an application's main thread: a thread inherits
     * its maker's daemon status, and the test's own threads are daemons, which would hide a flusher that is not.
     */
    static <T> T madeOnAnApplicationThread(Callable<T> make) {
        List<Object> made = new CopyOnWriteArrayList<>();
        Thread main = Thread.ofPlatform().daemon(false).name("main of the application").unstarted(() -> {
            try {
                made.add(make.call());
            } catch (Throwable failure) {
                made.add(new Failed(failure));
            }
        });
        main.start();
        try {
            if (!new RunningBudget(PATIENCE).joinAll(List.of(main))) {
                throw new AssertionError("the server's constructor did not return within " + PATIENCE.toSeconds()
                        + " s. " + ThreadDiagnosis.explain(List.of(main)));
            }
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while the server was made", stopped);
        }
        Object result = made.get(0);
        if (result instanceof Failed failed) {
            throw katas.testkit.Sneaky.raise(failed.failure());
        }
        @SuppressWarnings("unchecked")
        T server = (T) result;
        return server;
    }

    private record Failed(Throwable failure) {
    }

    /** Pools of {@code requestThreads} and {@code workerThreads} threads, made when first needed. */
    static Desk of(int requestThreads, int workerThreads, Duration period) {
        int desk = DESKS.incrementAndGet();
        Holder holder = new Holder();
        ThreadPoolExecutor requests = new ThreadPoolExecutor(requestThreads, requestThreads, 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), holder.factory("request-" + desk + "-"));
        ThreadPoolExecutor workers = new ThreadPoolExecutor(workerThreads, workerThreads, 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), holder.factory("worker-" + desk + "-"));
        return new Desk(requests, workers, period, holder.threads);
    }

    /**
     * A request pool and a worker pool of one thread each that run a task on the submitting thread when their
     * thread is busy (a full pool with {@link ThreadPoolExecutor.CallerRunsPolicy}).
     */
    static Desk callerRuns(Duration period) {
        int desk = DESKS.incrementAndGet();
        Holder holder = new Holder();
        ThreadPoolExecutor requests = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new SynchronousQueue<>(),
                holder.factory("request-" + desk + "-"), new ThreadPoolExecutor.CallerRunsPolicy());
        ThreadPoolExecutor workers = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new SynchronousQueue<>(),
                holder.factory("worker-" + desk + "-"), new ThreadPoolExecutor.CallerRunsPolicy());
        return new Desk(requests, workers, period, holder.threads);
    }

    /** Collects the pool threads made before the desk exists. */
    private static final class Holder {
        private final Set<Thread> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();

        ThreadFactory factory(String prefix) {
            AtomicInteger made = new AtomicInteger();
            return runnable -> {
                Thread thread = new Thread(runnable, prefix + made.incrementAndGet());
                thread.setDaemon(true);
                threads.add(thread);
                return thread;
            };
        }
    }

    /** A context for each of {@code count} requests: users drawn from the desk's list (some twice), trace ids unique. */
    static List<RequestContext> contexts(Shapes round, int count) {
        Random random = round.random();
        List<String> users = round.shuffled("users", USERS);
        List<RequestContext> contexts = new ArrayList<>(count);
        Set<String> traces = new HashSet<>();
        for (int i = 0; i < count; i++) {
            String trace;
            do {
                trace = Long.toHexString(random.nextLong() & 0xFFFF_FFFFL | 0x1_0000_0000L).substring(1);
            } while (!traces.add(trace));
            contexts.add(new RequestContext(users.get(random.nextInt(users.size())), trace));
        }
        return contexts;
    }

    /**
     * One failure of each kind (unchecked, Error, checked), an ExecutionException and a CompletionException around
     * each of them, and a CancellationException, in a random order.
     */
    static List<Throwable> oneFailureOfEachKind(Shapes round, String what) {
        Map<Class<?>, Throwable> kinds = new LinkedHashMap<>();
        for (int i = 0; i < 200 && kinds.size() < 3; i++) {
            Throwable failure = round.failure("failure " + i, what);
            kinds.putIfAbsent(kind(failure), failure);
        }
        kinds.putIfAbsent(RuntimeException.class, new IllegalStateException(what));
        kinds.putIfAbsent(Error.class, new Shapes.KataError(what));
        kinds.putIfAbsent(Exception.class, new java.io.IOException(what));
        List<Throwable> failures = new ArrayList<>(kinds.values());
        // Wrappers the handler throws itself (it called get() or join() on a future of its own): they are what
        // it threw, and reach the caller as they are, not unwrapped (a CompletableFuture's get() unwraps them),
        // whatever they carry: each wrapper once around each kind (unchecked, Error, checked).
        for (Throwable inside : kinds.values()) {
            failures.add(new java.util.concurrent.ExecutionException(what, inside));
            failures.add(new java.util.concurrent.CompletionException(what, inside));
        }
        // A future the handler waited for was cancelled: the caller's future was not, it failed with that.
        failures.add(new java.util.concurrent.CancellationException(what));
        return round.shuffled("failure kinds", failures);
    }

    private static Class<?> kind(Throwable failure) {
        return failure instanceof RuntimeException ? RuntimeException.class
                : failure instanceof Error ? Error.class : Exception.class;
    }

    /** The "who" of a context, for messages: "alice (trace 1f3a09c2)"; "no context" for null. */
    static String who(RequestContext context) {
        return context == null ? "no context" : context.user() + " (trace " + context.traceId() + ")";
    }

    /** The value of a future of the server's pools, waited for at most {@link #PATIENCE}. */
    <T> T get(Future<T> future, String what) throws InterruptedException, ExecutionException {
        try {
            return future.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException late) {
            throw new AssertionError(what + " did not finish within " + PATIENCE.toSeconds() + " s. "
                    + ThreadDiagnosis.explain(poolThreads));
        }
    }

    /** What the task threw, as the pool's future reports it: the cause of its ExecutionException. */
    Throwable failureOf(Future<?> future, String what) throws InterruptedException {
        try {
            Object value = get(future, what);
            throw new AssertionError(what + " should have failed, but returned " + value);
        } catch (ExecutionException failed) {
            return failed.getCause();
        } catch (java.util.concurrent.CancellationException cancelled) {
            throw new AssertionError(what + ": get() threw " + cancelled + " itself, as if the future had been "
                    + "cancelled, but nobody cancelled it: its handler or task threw that exception (a future it "
                    + "waited for was cancelled), so get() throws an ExecutionException whose cause is it, as for "
                    + "anything else it throws (rule 4). A CompletableFuture's get() treats a CancellationException "
                    + "as its own cancellation", cancelled);
        }
    }

    /** Submits a plain task of the test's own (not a request) to the pool: like a health check sharing the pool. */
    <T> T onPool(ThreadPoolExecutor pool, Callable<T> task, String what) throws Exception {
        return get(pool.submit(task), what);
    }

    /**
     * Closes the server on a thread of its own and waits for it at most {@code bound} of running time; null
     * when it returned, or what went wrong.
     */
    String closeWithin(Duration bound) throws InterruptedException {
        AtomicInteger done = new AtomicInteger();
        List<Throwable> thrown = new CopyOnWriteArrayList<>();
        Thread closer = new Thread(() -> {
            try {
                server.close();
                done.set(1);
            } catch (Throwable failure) {
                thrown.add(failure);
            }
        }, "closer");
        madeByTheTest(closer);
        closer.setDaemon(true);
        closer.start();
        RunningBudget budget = new RunningBudget(bound);
        if (!budget.joinAll(List.of(closer))) {
            List<Thread> stuck = new ArrayList<>(List.of(closer));
            stuck.addAll(serversThreads());
            String why = ThreadDiagnosis.explain(stuck);
            closer.interrupt();
            return "close() did not return within " + budget.describe() + ". " + why;
        }
        closed = true;
        return thrown.isEmpty() ? null : "close() threw " + thrown.get(0);
    }

    /**
     * Every thread alive now that was not before the server was made, except the pools' and those the test made
     * itself (known by identity, {@link TestThreads}): whatever their names and thread groups, the server made them.
     */
    List<Thread> serversThreads() {
        List<Thread> started = new ArrayList<>(aliveNow());
        started.removeAll(before);
        started.removeAll(poolThreads);
        started.removeIf(TestThreads::isOwn);
        return started;
    }

    /** A thread the test itself made, left out of {@link #serversThreads()}. */
    Thread madeByTheTest(Thread thread) {
        return TestThreads.own(thread);
    }

    /** Call right before the server is made: remembers the threads alive, to tell the server's apart. */
    static Set<Thread> aliveNow() {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    @Override
    public void close() throws InterruptedException {
        try {
            if (!closed) {
                closed = true;
                sink.release();
                // Not judged here (tests of rule 8 call closeWithin themselves): a close() that hangs costs little.
                closeWithin(Duration.ofMillis(300));
            }
        } finally {
            requests.shutdownNow();
            workers.shutdownNow();
        }
    }

    /** Threads of the pools, for explanations. */
    Collection<Thread> poolThreads() {
        return poolThreads;
    }
}

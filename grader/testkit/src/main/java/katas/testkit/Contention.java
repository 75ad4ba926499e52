package katas.testkit;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import katas.testkit.time.RunningBudget;

/**
 * Runs the same calls from many threads at once, in the way that was measured to make races
 * show up on two cores every time (see TESTING-NOTES): a start gate releases every thread
 * together, a full fence after each call stops the JIT from merging a loop's calls into one,
 * and a {@code Thread.yield()} every 64 calls shuffles the interleaving.
 *
 * <pre>{@code
 * Contention.threads(8).callsEach(20_000).run((thread, call) -> counter.increment());
 * }</pre>
 *
 * <p>The threads are daemons with a bound on the whole run, counted in running time ({@link
 * RunningBudget}): when they do not finish, the run fails with {@link ThreadDiagnosis}'s explanation
 * (deadlock cycle or stall) instead of hanging.
 */
public final class Contention {

    /** One call into the code under test, told which thread and which call this is. */
    @FunctionalInterface
    public interface Call {
        void run(int thread, int call) throws Exception;
    }

    private final int threads;
    private int callsEach = 1;
    private Duration bound = Duration.ofSeconds(10);
    private String name = "contender";

    private Contention(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
        this.threads = threads;
    }

    /** A run with this many threads. */
    public static Contention threads(int threads) {
        return new Contention(threads);
    }

    /** How many calls each thread makes (1 by default). */
    public Contention callsEach(int calls) {
        this.callsEach = calls;
        return this;
    }

    /** How long the whole run may take before it is reported as hung (10 s by default). */
    public Contention within(Duration bound) {
        this.bound = bound;
        return this;
    }

    /** Prefix of the threads' names, shown in hang explanations ("contender" by default). */
    public Contention named(String prefix) {
        this.name = prefix;
        return this;
    }

    /**
     * Runs the calls and returns once every thread has finished. The first exception a call
     * throws is rethrown, wrapped in an {@link AssertionError} that names the thread.
     */
    public void run(Call call) throws InterruptedException {
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            workers.add(Thread.ofPlatform().daemon(true).name(name + "-" + t).start(() -> {
                ready.countDown();
                try {
                    gate.await();
                    for (int i = 0; i < callsEach; i++) {
                        call.run(thread, i);
                        VarHandle.fullFence();
                        if ((i & 63) == 63) {
                            Thread.yield();
                        }
                    }
                } catch (Throwable failure) {
                    firstFailure.compareAndSet(null, new AssertionError(
                            "thread '" + Thread.currentThread().getName() + "' failed: " + failure, failure));
                }
            }));
        }
        ready.await();
        gate.countDown();
        RunningBudget budget = new RunningBudget(bound);
        if (!budget.joinAll(workers)) {
            List<Thread> stuck = workers.stream().filter(ThreadEnd::stillRuns).toList();
            // Explained before anything else: a thread that ends meanwhile was late, not stuck.
            String why = ThreadDiagnosis.explain(stuck);
            if (!why.isEmpty()) {
                stuck.forEach(Thread::interrupt);
                throw new AssertionError(stuck.size() + " of " + threads + " threads did not finish within "
                        + budget.describe() + ". " + why);
            }
        }
        Throwable failure = firstFailure.get();
        if (failure instanceof AssertionError error) {
            throw error;
        }
    }
}

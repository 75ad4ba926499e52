package katas.readwritecache;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import katas.testkit.Sneaky;

/**
 * The slow store behind the cache, as a {@link Loader} the test steers: it counts the loads of each key (the n-th
 * load of {@code k} returns {@code "k#n"}), can hold a load at a gate until the test lets it go, or make it throw.
 * It also looks, from inside every load, whether the loading thread holds the cache's lock: a load must run with
 * no lock held.
 */
final class Store implements Loader<Key, String> {

    /** How long a held load waits for the test before it gives up (the test failed or hung before letting it go). */
    private static final long GATE_SECONDS = 30;

    /** What one planned load does: waits at its gate (if held), then returns its value or throws its failure. */
    static final class Step {
        private final CountDownLatch started = new CountDownLatch(1);
        private final CountDownLatch gate;
        private final Throwable failure;
        private volatile Thread loader;

        private Step(boolean held, Throwable failure) {
            this.gate = new CountDownLatch(held ? 1 : 0);
            this.failure = failure;
        }

        /**
         * Waits until the load started; fails saying why it should have, at once when every one of {@code askers}
         * (the calls that could load) ended without calling the loader.
         */
        Step awaitStarted(String why, java.util.List<? extends Call<?>> askers) throws InterruptedException {
            long deadline = System.nanoTime() + Call.PATIENCE.toNanos();
            while (!started.await(1, TimeUnit.MILLISECONDS)) {
                if (askers.stream().allMatch(Call::ended) && !started()) {
                    throw new AssertionError(askers.get(0) + " " + askers.get(0).outcome()
                            + " and never called the loader; expected: " + why);
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the loader was not called within " + Call.PATIENCE.toSeconds()
                            + " s (" + askers.get(0) + " " + askers.get(0).outcome() + "): " + why);
                }
            }
            return this;
        }

        /** {@link #awaitStarted(String, java.util.List)} for one asker. */
        Step awaitStarted(String why, Call<?> asker) throws InterruptedException {
            return awaitStarted(why, java.util.List.of(asker));
        }

        boolean started() {
            return started.getCount() == 0;
        }

        /** The thread that runs this load, once it started. */
        Thread loader() {
            return loader;
        }

        void release() {
            gate.countDown();
        }
    }

    private final SeenLock lock;
    private final Map<String, AtomicInteger> loads = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, Queue<Step>> plans = new ConcurrentHashMap<>();
    private final Queue<String> lockHeldDuringLoad = new ConcurrentLinkedQueue<>();
    private final AtomicInteger mostInFlightOfOneKey = new AtomicInteger();
    private volatile double failureRate;
    private volatile java.util.function.Supplier<Throwable> failures;

    /** A store that checks, in every load, that the loading thread holds none of {@code lock}. */
    Store(SeenLock lock) {
        this.lock = lock;
    }

    /** The next load of {@code key} not yet planned waits at a gate until {@link Step#release()}. */
    Step hold(String key) {
        return plan(key, new Step(true, null));
    }

    /** The next load of {@code key} not yet planned throws {@code failure}; held at a gate first when {@code held}. */
    Step fail(String key, Throwable failure, boolean held) {
        return plan(key, new Step(held, failure));
    }

    /** From now on, each unplanned load throws a failure from {@code failures} with probability {@code rate}. */
    void failSometimes(double rate, java.util.function.Supplier<Throwable> failures) {
        this.failures = failures;
        this.failureRate = rate;
    }

    private Step plan(String key, Step step) {
        plans.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).add(step);
        return step;
    }

    @Override
    public String load(Key key) throws Exception {
        String name = key.name();
        int n = loads.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        int now = inFlight.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        mostInFlightOfOneKey.accumulateAndGet(now, Math::max);
        try {
            String held = lock == null ? null : lock.heldByMe();
            if (held != null) {
                lockHeldDuringLoad.add("load #" + n + " of " + name + " ran on '" + Thread.currentThread().getName()
                        + "' while it held " + held);
            }
            Queue<Step> planned = plans.get(name);
            Step step = planned == null ? null : planned.poll();
            if (step != null) {
                step.loader = Thread.currentThread();
                step.started.countDown();
                if (!step.gate.await(GATE_SECONDS, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never let load #" + n + " of " + name + " go on");
                }
                if (step.failure != null) {
                    throw Sneaky.raise(step.failure);
                }
            }
            if (step == null && failureRate > 0
                    && java.util.concurrent.ThreadLocalRandom.current().nextDouble() < failureRate) {
                throw Sneaky.raise(failures.get());
            }
            return value(name, n);
        } finally {
            inFlight.get(name).decrementAndGet();
        }
    }

    /** The value the n-th load of {@code key} returns. */
    static String value(String key, int n) {
        return key + "#" + n;
    }

    /** How many times {@code key} was loaded (started) so far. */
    int loads(String key) {
        AtomicInteger count = loads.get(key);
        return count == null ? 0 : count.get();
    }

    /** How many loads of {@code key} run now. */
    int inFlight(String key) {
        AtomicInteger count = inFlight.get(key);
        return count == null ? 0 : count.get();
    }

    /** The most loads of one key that ever ran at the same time. */
    int mostInFlightOfOneKey() {
        return mostInFlightOfOneKey.get();
    }

    /** Null when no load ran with the cache's lock held; otherwise the first that did, in a sentence. */
    String lockHeldDuringALoad() {
        String first = lockHeldDuringLoad.peek();
        return first == null ? null : first + ": a slow load under the lock keeps every other reader and writer "
                + "waiting; load outside the lock (rule 4)";
    }
}

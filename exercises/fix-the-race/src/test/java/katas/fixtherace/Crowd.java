package katas.fixtherace;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import katas.testkit.Shapes;
import katas.testkit.ThreadDiagnosis;
import katas.testkit.ThreadEnd;

/**
 * Threads that call your code at the same time, drawn from the test's {@link Shapes}: how many, what
 * they are called and which thread ids they get. Code must be thread-safe for every caller, so the
 * names are mixed (a web server's, a pool's, "main", anything) and the ids are not simply consecutive
 * (threads are created and thrown away in between): some ids follow one another, some are scattered,
 * and the first two threads' ids are always 256 apart, so that they share their low bits. Threads are
 * daemons or not, and virtual threads join crowds that make a fixed number of calls.
 *
 * <p>A start gate releases every thread at once, and a full fence after each call stops the JIT from
 * merging calls (as the testkit's {@code Contention} does). On a busy machine, threads released
 * together still start one after the other and may each finish before the next one runs; a crowd can
 * therefore also be told to go on until all its threads have been calling at the same time for a while.
 */
final class Crowd {

    /** One call into your code, told which thread (0..size-1) and which of its calls this is. */
    @FunctionalInterface
    interface Call {
        void run(int thread, int call) throws Exception;
    }

    /** All threads waiting this long, none running, means none ever will. */
    private static final long STALL_NANOS = 1_000_000_000L;

    private static final List<String> NAME_STYLES = List.of("http-nio-8080-exec-%d", "pool-%d-thread-1",
            "ForkJoinPool.commonPool-worker-%d", "Thread-%d", "main", "request-%x", "contender-%d", "worker",
            "scheduler-%d", "virtual-%d", "Reference Handler %d", "t%d");

    private final List<String> names;
    private final String ids;
    private final int idStride;
    private final int idJitter;
    private final Random random;
    private int minCalls = 1;
    private int maxCalls = 1;
    private Duration together = Duration.ZERO;
    private Duration bound = Duration.ofSeconds(10);
    private long[] made = new long[0];
    private List<String> kinds = List.of();

    private Crowd(List<String> names, String ids, int idStride, int idJitter, Random random) {
        this.names = names;
        this.ids = ids;
        this.idStride = idStride;
        this.idJitter = idJitter;
        this.random = random;
    }

    /** A crowd of {@code min..max} threads, their names and ids drawn from {@code round}. */
    static Crowd of(Shapes round, int min, int max) {
        int size = round.between("threads", min, max);
        String ids = round.oneOf("thread ids", "one after another", "scattered", "sharing their low bits");
        int stride = switch (ids) {
            case "one after another" -> 1;
            case "scattered" -> 0;
            default -> 1 << round.between("id bits shared", 6, 8);
        };
        return withIds(round, size, ids, stride);
    }

    private static Crowd withIds(Shapes round, int size, String ids, int stride) {
        Random random = round.random();
        List<String> names = new ArrayList<>(size);
        for (int t = 0; t < size; t++) {
            String style = NAME_STYLES.get(random.nextInt(NAME_STYLES.size()));
            names.add(String.format(style, random.nextInt(1_000)));
        }
        return new Crowd(round.shuffled("thread names", names), ids, stride, stride == 0 ? 40 : 0, random);
    }

    /** Each thread makes exactly this many calls (1 by default). */
    Crowd callsEach(int calls) {
        this.minCalls = calls;
        this.maxCalls = calls;
        this.together = Duration.ZERO;
        return this;
    }

    /**
     * Each thread makes at least {@code min} calls and goes on until every thread has been calling for
     * {@code together} at the same time (or until {@code max} calls). On a busy machine threads that start
     * one after the other may never overlap in a fixed number of calls; this makes sure they do.
     */
    Crowd callsEach(int min, int max, Duration together) {
        this.minCalls = min;
        this.maxCalls = max;
        this.together = together;
        return this;
    }

    /** How long the whole run may take before it is reported as hung (10 s by default). */
    Crowd within(Duration bound) {
        this.bound = bound;
        return this;
    }

    int size() {
        return names.size();
    }

    /** Calls made by {@code thread} in the last run. */
    long made(int thread) {
        return made[thread];
    }

    /** Calls made by every thread in the last run. */
    long totalCalls() {
        long total = 0;
        for (long m : made) {
            total += m;
        }
        return total;
    }

    /** "7 threads (ids scattered; 3 daemon, 2 platform, 2 virtual) x 3,000 calls", after a run. */
    String describe() {
        long total = totalCalls();
        String of = String.format("ids %s; %d daemon, %d platform, %d virtual", ids, count("daemon"), count("platform"),
                count("virtual"));
        return minCalls == maxCalls ? String.format("%d threads (%s) x %,d calls", size(), of, minCalls)
                : String.format("%d threads (%s), %,d calls in all", size(), of, total);
    }

    private long count(String kind) {
        return kinds.stream().filter(kind::equals).count();
    }

    /** As {@link #run(Call, BooleanSupplier)}, never stopping early. */
    void run(Call call) throws InterruptedException {
        run(call, () -> false);
    }

    /**
     * Runs the calls and returns once every thread has finished; a run with a time {@code together} stops
     * early when {@code enough} says so (a watch saw a broken rule). The first exception or error a call
     * throws is rethrown, in an {@link AssertionError} that keeps it as the cause.
     */
    void run(Call call, BooleanSupplier enough) throws InterruptedException {
        int size = size();
        CountDownLatch ready = new CountDownLatch(size);
        CountDownLatch gate = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(size);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> firstFailure = new AtomicReference<>();
        long[] calls = new long[size];
        List<Thread> workers = new ArrayList<>(size);
        kinds = drawKinds();
        for (int t = 0; t < size; t++) {
            int thread = t;
            burnThreadIds(t);
            workers.add(builder(kinds.get(t)).name(names.get(t)).unstarted(() -> {
                ready.countDown();
                int i = 0;
                try {
                    gate.await();
                    while (i < minCalls || (i < maxCalls && !stop.get())) {
                        call.run(thread, i);
                        VarHandle.fullFence();
                        if (++i == 1) {
                            running.countDown();
                        }
                    }
                } catch (Throwable failure) {
                    firstFailure.compareAndSet(null, failure);
                    stop.set(true);
                } finally {
                    calls[thread] = i;
                    if (i == 0) {
                        running.countDown();
                    }
                }
            }));
        }
        workers.forEach(Thread::start);
        ready.await();
        gate.countDown();
        long deadline = System.nanoTime() + bound.toNanos();
        long stopAt = together.isZero() ? Long.MAX_VALUE : -1;
        long stalledSince = -1;
        while (true) {
            List<Thread> alive = workers.stream().filter(ThreadEnd::stillRuns).toList();
            if (alive.isEmpty()) {
                break;
            }
            long now = System.nanoTime();
            if (stopAt < 0 && running.getCount() == 0) {
                stopAt = now + together.toNanos();
            }
            if ((stopAt >= 0 && now >= stopAt) || enough.getAsBoolean()) {
                stop.set(true);
            }
            boolean stalled = alive.stream().allMatch(t -> t.getState() == Thread.State.BLOCKED
                    || t.getState() == Thread.State.WAITING);
            stalledSince = !stalled ? -1 : stalledSince < 0 ? now : stalledSince;
            if (stalledSince >= 0 && now - stalledSince > STALL_NANOS) {
                throw stuck(alive, "every one of them has been waiting for a lock (or a signal) for a second, "
                        + "and none of the others is running to let it go. ");
            }
            if (now > deadline) {
                throw stuck(alive, "");
            }
            LockSupport.parkNanos(1_000_000);
        }
        synchronized (calls) {
            made = calls.clone();
        }
        Throwable failure = firstFailure.get();
        if (failure instanceof AssertionError error) {
            throw error;
        }
        if (failure != null) {
            throw new AssertionError("a call threw " + failure, failure);
        }
    }

    private AssertionError stuck(List<Thread> alive, String how) {
        String why = ThreadDiagnosis.explain(alive);
        alive.forEach(Thread::interrupt);
        return new AssertionError(alive.size() + " of " + size() + " threads did not finish: " + how + why);
    }

    /**
     * The kind of each thread: platform threads, daemons or not, and, when every thread makes a fixed number of
     * calls, virtual threads too (a virtual thread that never blocks keeps its carrier, so a crowd that runs
     * until all its threads have overlapped takes platform threads only).
     */
    private List<String> drawKinds() {
        List<String> choices = minCalls == maxCalls ? List.of("daemon", "platform", "virtual")
                : List.of("daemon", "platform");
        List<String> drawn = new ArrayList<>();
        for (int t = 0; t < size(); t++) {
            drawn.add(choices.get(random.nextInt(choices.size())));
        }
        return drawn;
    }

    private static Thread.Builder builder(String kind) {
        return switch (kind) {
            case "virtual" -> Thread.ofVirtual();
            case "platform" -> Thread.ofPlatform().daemon(false);
            default -> Thread.ofPlatform().daemon(true);
        };
    }

    /**
     * Creates (and drops) threads that are never started, so that the next thread's id is not the next number.
     * Threads 0 and 1 always get ids 256 apart (or a multiple of the stride), so that some threads share the
     * low bits of their ids whatever the pattern.
     */
    private void burnThreadIds(int thread) {
        int burn = idStride > 1 ? idStride - 1 : thread == 1 ? 255 : idStride == 0 ? random.nextInt(idJitter + 1) : 0;
        for (int i = 0; i < burn; i++) {
            Thread.ofPlatform().unstarted(() -> { });
        }
    }
}

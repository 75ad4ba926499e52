package katas.parallelprimes;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongPredicate;
import katas.testkit.Sneaky;
import katas.testkit.ThreadDiagnosis;
import katas.testkit.ThreadEnd;

/**
 * What the tests hand to {@code count} as {@code isPrime}: predicates that answer like a primality
 * test and watch how they are called (which numbers, how often, on which threads, how many at the
 * same moment, after count returned). Every wait in them is bounded, so a counter that never runs
 * two calls at once fails with an explanation instead of hanging.
 */
final class Probes {

    /** The longest any probe waits for something a correct counter does at once. */
    static final Duration PATIENCE = Duration.ofSeconds(5);
    /** How long nothing may move before a probe concludes that nothing will. */
    static final Duration STALL = Duration.ofMillis(1_500);

    private Probes() {
    }

    // ---- Answers ----

    /** Trial division by 2 and by the odd numbers up to the square root. */
    static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        if (n < 4) {
            return true;
        }
        if (n % 2 == 0) {
            return false;
        }
        for (long d = 3; d * d <= n; d += 2) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The answer for {@code n}: trial division where it is quick (below ten million), else a
     * pseudo-random yes or no (about one in {@code 7}) that any number gets at once, so that ranges
     * near Long.MAX_VALUE can be counted in a test.
     */
    static LongPredicate answers(long salt) {
        return n -> n < 10_000_000 ? isPrime(n) : mix(n ^ salt) % 7 == 0;
    }

    /** A yes or no for every number, about one yes in {@code oneIn}, different for every salt. */
    static LongPredicate coin(long salt, int oneIn) {
        return n -> Math.floorMod(mix(n ^ salt), oneIn) == 0;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
        z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return z ^ (z >>> 33);
    }

    /** How many numbers of [from, to) the predicate says yes to, one after another. */
    static long sequentialCount(long from, long to, LongPredicate answer) {
        long found = 0;
        for (long n = from; n < to; n++) {
            if (answer.test(n)) {
                found++;
            }
        }
        return found;
    }

    /**
     * Says yes to every number. The full fence keeps the JIT from merging the increments of a loop
     * that calls it into one, so a running total shared without synchronization is updated once per
     * find, where another thread can interleave.
     */
    static boolean yesWithAFence(long n) {
        VarHandle.fullFence();
        return true;
    }

    /**
     * Says yes to every number, and now and then holds each thread (spinning, at most a fraction of
     * a millisecond) until as many threads as there are cores have come, so that they leave together and report
     * their next finds at the same moment: on a busy machine two threads otherwise rarely run at
     * once, and a race that needs them to cannot show. A full fence after every call keeps the JIT
     * from merging the increments of a loop into one.
     */
    static final class Lockstep implements LongPredicate {
        private static final int EVERY = 128;
        private static final int MOST_MEETINGS = 200;
        private static final long WAIT_NANOS = 200_000L;
        private final int threads;
        private final AtomicInteger arrived = new AtomicInteger();
        private final AtomicInteger generation = new AtomicInteger();
        private final ThreadLocal<int[]> calls = ThreadLocal.withInitial(() -> new int[2]);

        Lockstep(int threads) {
            // Only as many threads as there are cores can spin at the same moment.
            this.threads = Math.min(threads, Runtime.getRuntime().availableProcessors());
        }

        @Override
        public boolean test(long n) {
            int[] mine = calls.get();
            if (++mine[0] % EVERY == 0 && mine[1]++ < MOST_MEETINGS && threads > 1) {
                meet();
            }
            VarHandle.fullFence();
            return true;
        }

        private void meet() {
            int g = generation.get();
            if (arrived.incrementAndGet() >= threads) {
                arrived.set(0);
                generation.compareAndSet(g, g + 1);
                return;
            }
            long deadline = System.nanoTime() + WAIT_NANOS;
            while (generation.get() == g) {
                if (System.nanoTime() > deadline) {
                    if (generation.compareAndSet(g, g + 1)) {
                        arrived.set(0);
                    }
                    return;
                }
                Thread.onSpinWait();
            }
        }
    }

    /** Thrown by a probe that wants count to stop: the test expects count to throw it. */
    static final class Stop extends RuntimeException {
        Stop(String message) {
            super(message);
        }
    }

    /** Something a probe does inside a call, before answering: wait, throw, note the time. */
    @FunctionalInterface
    interface Hook {
        void at(long n) throws Exception;
    }

    // ---- The ledger: who asked about which number ----

    /**
     * Records every call: which numbers were asked about and how often, which threads asked, how
     * many calls ran at the same moment, and calls still running or made after count returned.
     */
    static final class Ledger implements LongPredicate {
        private static final int MOST_NUMBERS = 4_000_000;
        private final long from;
        private final long to;
        private final LongPredicate answer;
        private final AtomicIntegerArray calls;
        private final Set<Long> askedOnce = ConcurrentHashMap.newKeySet();
        private final AtomicLong twiceInBigRange = new AtomicLong();
        private final AtomicLong firstTwiceInBigRange = new AtomicLong(-1);
        private final AtomicLong total = new AtomicLong();
        private final AtomicLong outside = new AtomicLong();
        private final AtomicLong firstOutside = new AtomicLong(-1);
        private final AtomicInteger inside = new AtomicInteger();
        private final AtomicInteger peak = new AtomicInteger();
        private final AtomicLong late = new AtomicLong();
        private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
        private final ThreadLocal<Boolean> seen = ThreadLocal.withInitial(() -> false);
        private volatile Hook hook;
        private volatile boolean returned;
        private volatile int insideAtReturn;

        Ledger(long from, long to, LongPredicate answer) {
            this.from = from;
            this.to = to;
            this.answer = answer;
            long size = to - from;
            this.calls = size >= 0 && size <= MOST_NUMBERS ? new AtomicIntegerArray((int) size) : null;
        }

        /** Runs {@code hook} inside every call, before the answer. */
        Ledger hook(Hook hook) {
            this.hook = hook;
            return this;
        }

        @Override
        public boolean test(long n) {
            if (!seen.get()) {
                seen.set(true);
                threads.add(Thread.currentThread());
            }
            int now = inside.incrementAndGet();
            if (now > peak.get()) {
                peak.accumulateAndGet(now, Math::max);
            }
            try {
                if (returned) {
                    late.incrementAndGet();
                }
                total.incrementAndGet();
                record(n);
                Hook h = hook;
                if (h != null) {
                    try {
                        h.at(n);
                    } catch (Exception | Error e) {
                        throw Sneaky.raise(e);
                    }
                }
                return answer.test(n);
            } finally {
                inside.decrementAndGet();
            }
        }

        private void record(long n) {
            if (n < from || n >= to) {
                outside.incrementAndGet();
                firstOutside.compareAndSet(-1, n);
            } else if (calls != null) {
                calls.incrementAndGet((int) (n - from));
            } else if (!askedOnce.add(n)) {
                twiceInBigRange.incrementAndGet();
                firstTwiceInBigRange.compareAndSet(-1, n);
            }
        }

        /** The test calls this as soon as count has returned (or thrown). */
        void countReturned() {
            insideAtReturn = inside.get();
            returned = true;
        }

        /** Every thread that called. */
        Set<Thread> threads() {
            return threads;
        }

        /** The most calls that ran at the same moment. */
        int peak() {
            return peak.get();
        }

        /** All calls so far. */
        long calls() {
            return total.get();
        }

        /** Calls of numbers outside the range so far. */
        long outside() {
            return outside.get();
        }

        /** What went wrong, in the learner's words: empty when every number was asked about exactly once. */
        List<String> problems() {
            List<String> problems = new ArrayList<>();
            if (calls != null) {
                long never = 0;
                long twice = 0;
                long firstNever = -1;
                long firstTwice = -1;
                int mostTimes = 0;
                for (int i = 0; i < calls.length(); i++) {
                    int c = calls.get(i);
                    if (c == 0 && never++ == 0) {
                        firstNever = from + i;
                    } else if (c > 1) {
                        if (twice++ == 0) {
                            firstTwice = from + i;
                        }
                        mostTimes = Math.max(mostTimes, c);
                    }
                }
                if (never > 0) {
                    problems.add(String.format(Locale.ROOT, "%,d of the %,d numbers of [%d, %d) were never asked about "
                            + "(the first is %d): a piece of the range was left out (a gap between two pieces, or a "
                            + "remainder that was dropped)", never, to - from, from, to, firstNever));
                }
                if (twice > 0) {
                    problems.add(String.format(Locale.ROOT, "%,d numbers were asked about more than once (the first "
                            + "is %d, one was asked %d times): pieces overlap, or a piece was tested again", twice,
                            firstTwice, mostTimes));
                }
            } else if (twiceInBigRange.get() > 0) {
                problems.add(String.format(Locale.ROOT, "%,d numbers were asked about more than once (the first is "
                        + "%d): pieces overlap", twiceInBigRange.get(), firstTwiceInBigRange.get()));
            }
            if (outside.get() > 0) {
                problems.add(String.format(Locale.ROOT, "%,d numbers outside [%d, %d) were asked about (the first is "
                        + "%d): a piece runs past the range, or a bound overflowed and wrapped around",
                        outside.get(), from, to, firstOutside.get()));
            }
            if (insideAtReturn > 0) {
                problems.add(String.format(Locale.ROOT, "count returned while %d calls of isPrime were still running: "
                        + "it must wait for every piece it started", insideAtReturn));
            }
            if (late.get() > 0) {
                problems.add(String.format(Locale.ROOT, "%,d calls of isPrime began after count had returned: a piece "
                        + "was still running or started later", late.get()));
            }
            return problems;
        }
    }

    // ---- The gate: how many threads run isPrime at the same moment ----

    /**
     * Holds the first call of every thread until the counter shows how many threads it runs at
     * once: the gate opens when more than {@code threads} threads are held, or when {@code threads}
     * are held and no other thread of the test is running (so no more can come), or when fewer are
     * held and nothing has moved for {@link #STALL}. Waiting threads need no core, so this works on
     * fewer cores than threads. Every call is counted, so the peak covers the whole count.
     */
    static final class Gate implements LongPredicate {
        private static final long MIN_HOLD_NANOS = 60_000_000L;
        private static final long QUIET_NANOS = 40_000_000L;
        private final int threads;
        private final LongPredicate answer;
        private final Thread caller = Thread.currentThread();
        private final Set<Thread> before;
        private final Set<Thread> arrived = ConcurrentHashMap.newKeySet();
        private final Set<Thread> held = ConcurrentHashMap.newKeySet();
        private final AtomicInteger inside = new AtomicInteger();
        private final AtomicInteger peak = new AtomicInteger();
        private final AtomicInteger mostHeld = new AtomicInteger();
        private final CountDownLatch open = new CountDownLatch(1);
        private final AtomicReference<Thread> judge = new AtomicReference<>();
        private volatile String opened = "the gate never opened: isPrime was never called";

        Gate(int threads, LongPredicate answer) {
            this(threads, answer, Set.copyOf(liveThreads()));
        }

        /** A gate that judges every thread started after {@code before} was taken (the counter's too). */
        Gate(int threads, LongPredicate answer, Set<Thread> before) {
            this.threads = threads;
            this.answer = answer;
            this.before = new HashSet<>(before);
            this.before.remove(caller);
        }

        @Override
        public boolean test(long n) {
            int now = inside.incrementAndGet();
            peak.accumulateAndGet(now, Math::max);
            try {
                Thread me = Thread.currentThread();
                if (open.getCount() > 0 && arrived.add(me)) {
                    held.add(me);
                    mostHeld.accumulateAndGet(held.size(), Math::max);
                    startJudge();
                    boolean interrupted = false;
                    while (open.getCount() > 0) {
                        try {
                            open.await(PATIENCE.toMillis() * 2, TimeUnit.MILLISECONDS);
                            break;
                        } catch (InterruptedException e) {
                            interrupted = true; // not ours to act on: keep it for the counter
                        }
                    }
                    held.remove(me);
                    if (interrupted) {
                        me.interrupt();
                    }
                }
                return answer.test(n);
            } finally {
                inside.decrementAndGet();
            }
        }

        private void startJudge() {
            if (judge.get() == null) {
                Thread t = Thread.ofPlatform().daemon(true).name("gate-judge").unstarted(this::judge);
                if (judge.compareAndSet(null, t)) {
                    t.start();
                }
            }
        }

        private void judge() {
            long start = System.nanoTime();
            long quietSince = -1;
            long stalledSince = -1;
            int lastHeld = -1;
            while (true) {
                LockSupport.parkNanos(5_000_000L);
                long now = System.nanoTime();
                int h = held.size();
                if (h > threads) {
                    openWith(String.format(Locale.ROOT, "%d threads were inside isPrime at the same moment", h));
                    return;
                }
                boolean quiet = othersQuiet();
                if (h != lastHeld) {
                    lastHeld = h;
                    stalledSince = now;
                }
                quietSince = quiet ? (quietSince < 0 ? now : quietSince) : -1;
                if (h == threads && now - start >= MIN_HOLD_NANOS && quietSince >= 0 && now - quietSince >= QUIET_NANOS) {
                    openWith(String.format(Locale.ROOT, "%d threads met inside isPrime, and no other thread was about "
                            + "to call it", h));
                    return;
                }
                if (h == threads && now - start >= STALL.toNanos()) {
                    openWith(String.format(Locale.ROOT, "%d threads met inside isPrime, and no more came in %.1f s", h,
                            STALL.toMillis() / 1000.0));
                    return;
                }
                if (h < threads && quiet && now - stalledSince >= STALL.toNanos()) {
                    openWith(String.format(Locale.ROOT, "only %d of %d threads came into isPrime; the counter's other "
                            + "threads (and the caller) waited for %.1f s without calling it", h, threads,
                            STALL.toMillis() / 1000.0));
                    return;
                }
                if (now - start >= PATIENCE.toNanos()) {
                    openWith(String.format(Locale.ROOT, "only %d of %d threads came into isPrime in %d s", h, threads,
                            PATIENCE.toSeconds()));
                    return;
                }
            }
        }

        private void openWith(String why) {
            opened = why;
            open.countDown();
        }

        /** Whether every thread this test started (and the caller) that is not held is waiting or gone. */
        private boolean othersQuiet() {
            for (Thread t : liveThreads()) {
                if (before.contains(t) || held.contains(t) || t == judge.get()) {
                    continue;
                }
                Thread.State state = t.getState();
                if (state == Thread.State.RUNNABLE || state == Thread.State.NEW) {
                    return false;
                }
            }
            return true;
        }

        /** The most calls that ran at the same moment, over the whole count. */
        int peak() {
            return peak.get();
        }

        /** The most threads that were held at the gate together. */
        int met() {
            return mostHeld.get();
        }

        /** Why the gate opened, for failure messages. */
        String opened() {
            return opened;
        }
    }

    /**
     * The threads that ran isPrime or were started since {@code before} (non-daemon ones), other
     * than the caller and the common pool's, that are still alive after waiting for them.
     */
    static List<String> stillAlive(Set<Thread> before, Set<Thread> ran) throws InterruptedException {
        Set<Thread> owned = new HashSet<>(ran);
        for (Thread t : Probes.liveThreads()) {
            if (!before.contains(t) && !t.isDaemon()) {
                owned.add(t);
            }
        }
        owned.remove(Thread.currentThread());
        owned.removeIf(t -> t instanceof ForkJoinWorkerThread w
                && w.getPool() == ForkJoinPool.commonPool());
        long deadline = System.nanoTime() + Probes.PATIENCE.toNanos();
        for (Thread t : owned) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                t.join(Duration.ofNanos(left));
            }
        }
        return owned.stream().filter(ThreadEnd::stillRuns).map(Thread::getName).sorted().toList();
    }

    /** The platform threads alive now. */
    static List<Thread> liveThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] all = new Thread[root.activeCount() + 64];
        int n = root.enumerate(all, true);
        while (n == all.length) {
            all = new Thread[all.length * 2];
            n = root.enumerate(all, true);
        }
        return java.util.Arrays.asList(all).subList(0, n);
    }

    // ---- The stuck thread: does the work flow around a slow number? ----

    /**
     * Trial division, except that the first call on a number at or above {@code stickAt} gets stuck
     * until the other calls have tested all but {@code leeway} numbers of the range (and at least
     * {@code holdMillis} have passed), or until nothing has moved for {@link #STALL}: a counter that
     * balances its load lets its free threads take over the work the stuck thread has not started.
     */
    static final class Stuck implements Hook {
        private final long stickAt;
        private final long goal;
        private final long holdNanos;
        private final AtomicLong tested = new AtomicLong();
        private final AtomicReference<Thread> stuck = new AtomicReference<>();
        private volatile long stuckOn = -1;
        private volatile long testedBefore;
        private volatile long testedAtRelease;
        private volatile boolean released;

        Stuck(long size, long stickAt, long leeway, long holdMillis) {
            this.stickAt = stickAt;
            this.goal = size - 1 - leeway;
            this.holdNanos = holdMillis * 1_000_000L;
        }

        @Override
        public void at(long n) {
            if (n >= stickAt && stuck.get() == null && stuck.compareAndSet(null, Thread.currentThread())) {
                stuckOn = n;
                testedBefore = tested.get();
                long start = System.nanoTime();
                long last = tested.get();
                long lastMoved = start;
                boolean interrupted = false;
                while (true) {
                    LockSupport.parkNanos(2_000_000L);
                    interrupted |= Thread.interrupted();
                    long now = System.nanoTime();
                    long t = tested.get();
                    if (t != last) {
                        last = t;
                        lastMoved = now;
                    }
                    if (t >= goal && now - start >= holdNanos) {
                        released = true;
                        break;
                    }
                    if (t < goal && now - lastMoved >= STALL.toNanos() || now - start >= PATIENCE.toNanos()) {
                        break;
                    }
                }
                testedAtRelease = tested.get();
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            } else {
                tested.incrementAndGet();
            }
        }

        boolean releasedInTime() {
            return released;
        }

        boolean gotStuck() {
            return stuckOn >= 0;
        }

        /** Why the stuck thread was not released, in the learner's terms. */
        String whyNotReleased(long size, int threads) {
            long meanwhile = testedAtRelease - testedBefore;
            if (stuckOn < 0) {
                return "isPrime was never called on a number at or above " + stickAt;
            }
            if (meanwhile == 0) {
                return String.format(Locale.ROOT, "one thread got stuck on %,d, and while it was stuck no other thread "
                        + "tested a single number: the pieces run one after another, so one slow number holds up the "
                        + "whole count", stuckOn);
            }
            return String.format(Locale.ROOT, "one of %d threads got stuck on %,d; meanwhile the other threads tested "
                    + "%,d numbers and then stopped, with %,d of the %,d numbers still untested. The range was divided "
                    + "up front, one share per thread, so the stuck thread's share waited for it. Numbers are not "
                    + "equal work (big ones take longer): cut the range into many more pieces than threads, and let "
                    + "whichever thread is free take the next piece", threads, stuckOn, meanwhile,
                    size - testedAtRelease - 1, size);
        }
    }

    // ---- A count run on a thread of its own, with a bound ----

    /** How a call of count ended. */
    record Outcome(boolean finished, long value, Throwable thrown, boolean interruptedAfter, String hang) {

        boolean returned() {
            return finished && thrown == null;
        }

        /** The thrown exception and its causes, outermost first. */
        List<Throwable> causes() {
            List<Throwable> chain = new ArrayList<>();
            for (Throwable t = thrown; t != null && !chain.contains(t); t = t.getCause()) {
                chain.add(t);
            }
            return chain;
        }

        String describe() {
            if (!finished) {
                return "count did not return within " + PATIENCE.toSeconds() + " s (" + hang + ")";
            }
            return thrown == null ? "count returned " + value : "count threw " + thrown;
        }
    }

    /** A call of count, run on a thread named "caller". */
    @FunctionalInterface
    interface CountCall {
        long call() throws Exception;
    }

    /**
     * Runs the call on a fresh thread and waits for it at most {@link #PATIENCE}; {@code whileRunning}
     * runs on the test's thread meanwhile, given the caller thread.
     */
    static Outcome bounded(CountCall count, java.util.function.Consumer<Thread> whileRunning) {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        Thread caller = Thread.ofPlatform().daemon(true).name("caller").start(() -> {
            long value = 0;
            Throwable thrown = null;
            try {
                value = count.call();
            } catch (Throwable t) {
                thrown = t;
            }
            done.complete(new Outcome(true, value, thrown, Thread.currentThread().isInterrupted(), null));
        });
        whileRunning.accept(caller);
        try {
            return done.get(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException hung) {
            String why = ThreadDiagnosis.explain(List.of(caller));
            return new Outcome(false, 0, null, false, why.isEmpty() ? "no explanation found" : why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    static Outcome bounded(CountCall count) {
        return bounded(count, caller -> { });
    }

    /** Waits (at most {@link #PATIENCE}) until the latch opens or the thread has ended. */
    static void awaitOrEnd(CountDownLatch latch, Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!latch.await(2, TimeUnit.MILLISECONDS) && ThreadEnd.stillRuns(thread) && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
    }

    /** Waits (at most {@link #PATIENCE}) until the thread waits, blocks or ends; false if it never did. */
    static boolean awaitWaiting(Thread thread) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline) {
            Thread.State s = thread.getState();
            if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING || s == Thread.State.BLOCKED
                    || s == Thread.State.TERMINATED) {
                return true;
            }
            LockSupport.parkNanos(1_000_000L);
        }
        return false;
    }

    /** The message of an IllegalArgumentException, with digit group separators removed. */
    static String plainNumbers(String message) {
        return message == null ? "" : message.replaceAll("(?<=\\d)[,_'\\u00a0\\u202f ](?=\\d{3})", "");
    }
}

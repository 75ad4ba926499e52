package katas.parallelprimes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import katas.testkit.KataTest;

/**
 * The tests own the primality test (trial division, slow on purpose: it is the work to share), so
 * they can count who asks about which number, and make threads wait for each other to prove that
 * the work really runs at the same time. No test here measures time: the grader measures speedup.
 */
@DisplayName("ParallelPrimeCounter")
@KataTest
class ParallelPrimeCounterTest {

    /** How long a probe waits for other threads before it concludes they are not coming. */
    private static final Duration PATIENCE = Duration.ofSeconds(5);
    /** How long the race test repeats its rounds. */
    private static final Duration RACE_ROUNDS_FOR = Duration.ofMillis(600);

    @Nested
    @DisplayName("counts correctly")
    class Counting {

        @Test
        @DisplayName("finds the 25 primes below 100")
        void findsThePrimesBelowOneHundred() {
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(2)) {
                assertThat(counter.count(0, 100, ParallelPrimeCounterTest::isPrime))
                        .as("primes in [0, 100): 2, 3, 5, 7, ..., 97")
                        .isEqualTo(25);
            }
        }

        @Test
        @DisplayName("asks isPrime about 0, 1 and 2, as about any other number")
        void asksAboutZeroOneAndTwo() {
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(2)) {
                CallLedger ledger = new CallLedger(0, 3, ParallelPrimeCounterTest::isPrime);
                assertThat(counter.count(0, 3, ledger)).as("primes in [0, 3): only 2").isEqualTo(1);
                assertThat(ledger.problems()).as("isPrime must be asked about 0, 1 and 2 once each").isEmpty();
            }
        }

        @Test
        @DisplayName("counts nothing, and asks nothing, in an empty range")
        void countsNothingInAnEmptyRange() {
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(2)) {
                CallLedger ledger = new CallLedger(7, 7, ParallelPrimeCounterTest::isPrime);
                assertThat(counter.count(7, 7, ledger)).as("[7, 7) holds no number").isZero();
                assertThat(ledger.problems()).as("[7, 7) holds no number to ask about").isEmpty();
            }
        }

        @Test
        @DisplayName("agrees with a sequential count on a large range")
        void agreesWithASequentialCount() {
            long from = 0;
            long to = 100_000;
            long expected = sequentialCount(from, to);
            for (int threads : new int[] {1, 2, 3}) {
                try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
                    long got = counter.count(from, to, ParallelPrimeCounterTest::isPrime);
                    assertThat(got)
                            .as("with %d threads, [%,d, %,d) holds %,d primes but count said %,d (%,d %s)",
                                    threads, from, to, expected, got, Math.abs(expected - got),
                                    got < expected ? "missing: numbers skipped, or primes found by one thread lost "
                                            + "when another added its own to the same total"
                                            : "too many: some numbers were counted twice")
                            .isEqualTo(expected);
                }
            }
        }

        @Test
        @DisplayName("asks isPrime about every number of the range exactly once, and about nothing else")
        void asksAboutEveryNumberExactlyOnce() {
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(4)) {
                CallLedger ledger = new CallLedger(1_000, 101_000, ParallelPrimeCounterTest::isPrime);
                counter.count(1_000, 101_000, ledger);
                assertThat(ledger.problems())
                        .as("the pieces of [1,000, 101,000) must cover it exactly: no gaps, no overlaps")
                        .isEmpty();
            }
        }
    }

    @Nested
    @DisplayName("rejects what it cannot count")
    class BadInput {

        @Test
        @DisplayName("rejects a negative start, naming it")
        void rejectsANegativeStart() {
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(2)) {
                assertThatThrownBy(() -> counter.count(-5, 10, ParallelPrimeCounterTest::isPrime))
                        .as("count(-5, 10, ...) must be refused: primes are counted among 0, 1, 2, ...")
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("-5");
            }
        }

        @Test
        @DisplayName("rejects an end before the start, naming it")
        void rejectsAnEndBeforeTheStart() {
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(2)) {
                assertThatThrownBy(() -> counter.count(10, 3, ParallelPrimeCounterTest::isPrime))
                        .as("count(10, 3, ...) must be refused: the range [10, 3) ends before it starts")
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("3");
            }
        }

        @Test
        @DisplayName("refuses to be built with fewer than one thread")
        void refusesZeroThreads() {
            assertThatThrownBy(() -> new ParallelPrimeCounter(0))
                    .as("a counter with 0 threads could never count anything")
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        @DisplayName("passes a failure of isPrime on to the caller instead of hiding it")
        void passesOnAFailureOfIsPrime() {
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(2)) {
                LongPredicate breaksOn12345 = n -> {
                    if (n == 12_345) {
                        throw new PredicateBroke(n);
                    }
                    return isPrime(n);
                };
                Throwable thrown = catchThrowable(() -> counter.count(0, 50_000, breaksOn12345));
                assertThat(thrown)
                        .as("isPrime threw on 12,345, but count returned normally: an exception thrown in a "
                                + "worker thread must reach the caller (Future.get() rethrows it inside an "
                                + "ExecutionException), or the count is silently wrong")
                        .isNotNull();
                assertThat(causes(thrown))
                        .as("count threw %s, which is neither isPrime's exception nor caused by it", thrown)
                        .anyMatch(PredicateBroke.class::isInstance);
            }
        }
    }

    @Nested
    @DisplayName("shares the work among its threads")
    class InParallel {

        @Test
        @DisplayName("tests numbers on two threads at the same time")
        void testsOnTwoThreadsAtOnce() {
            assertThreadsMeetInsideIsPrime(2);
        }

        @Test
        @DisplayName("uses every thread it was given: four at the same time, even on fewer cores")
        void usesEveryThreadItWasGiven() {
            assertThreadsMeetInsideIsPrime(4);
        }

        private void assertThreadsMeetInsideIsPrime(int threads) {
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
                MeetingProbe probe = new MeetingProbe(threads);
                long got = counter.count(0, 50_000, probe);
                assertThat(probe.peak())
                        .as("counter built with %d threads: isPrime was never running on more than %d of them at "
                                + "once (each thread's first call waited %d s for the others). Either the pieces ran "
                                + "one after another (waiting for one piece's result before handing out the next), "
                                + "or there were fewer pieces or fewer threads than %d",
                                threads, probe.peak(), PATIENCE.toSeconds(), threads)
                        .isGreaterThanOrEqualTo(threads);
                assertThat(got).as("primes in [0, 50,000)").isEqualTo(5_133);
            }
        }

        @Test
        @DisplayName("keeps its other threads busy while one thread is stuck on a slow number")
        void keepsOtherThreadsBusyWhileOneIsStuck() {
            long from = 0;
            long to = 60_000;
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(2)) {
                StuckWorkerProbe probe = new StuckWorkerProbe(from, to, 0.7);
                long got = counter.count(from, to, probe);
                assertThat(probe.releasedInTime()).as(probe.whyNotReleased(to - from)).isTrue();
                assertThat(got).as("primes in [0, 60,000)").isEqualTo(6_057);
            }
        }

        @Test
        @DisplayName("reuses its threads instead of starting one per number")
        void reusesItsThreads() {
            int threads = 2;
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
                CallLedger ledger = new CallLedger(0, 20_000, ParallelPrimeCounterTest::isPrime);
                counter.count(0, 20_000, ledger);
                // Two spare threads are tolerated: a ForkJoinPool may add one while a thread waits in join().
                assertThat(ledger.workerThreads())
                        .as("a counter built with %d threads ran isPrime on %,d different threads (the caller "
                                + "aside) in one count of 20,000 numbers: starting a thread costs far more than "
                                + "testing a number. Keep %d threads and give each of them whole pieces of the "
                                + "range", threads, ledger.workerThreads(), threads)
                        .isLessThanOrEqualTo(threads + 2);
            }
        }

        @Test
        @DisplayName("loses no count when its threads find primes at the same moment")
        void losesNoCountWhenThreadsFindPrimesAtOnce() {
            // Every number "is prime", so the threads report finds as fast as they can. On a busy machine
            // two threads run at the same moment only now and then, so the rounds go on for RACE_ROUNDS_FOR
            // (at least 3 rounds) to give a race many chances. Time only bounds the repetition: nothing is timed.
            long to = 500_000;
            long until = System.nanoTime() + RACE_ROUNDS_FOR.toNanos();
            int round = 0;
            do {
                round++;
                try (ParallelPrimeCounter counter = new ParallelPrimeCounter(round % 2 == 0 ? 4 : 2)) {
                    long got = counter.count(0, to, ParallelPrimeCounterTest::yesWithAFence);
                    assertThat(got)
                            .as("round %d: isPrime said yes to all %,d numbers but count said %,d: %,d finds were "
                                    + "lost. Two threads read the same running total and both wrote back total + 1 "
                                    + "(the race of fix-the-race): let each thread count on its own and add the "
                                    + "counts up once they are done", round, to, got, to - got)
                            .isEqualTo(to);
                }
            } while (round < 3 || System.nanoTime() - until < 0);
        }
    }

    // ---- The tests' own primality test and sequential count ----

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
     * Says yes to every number. The full fence keeps the JIT from merging the increments of a loop
     * that calls it into one, so a running total shared without synchronization is updated once per
     * find, where another thread can interleave.
     */
    static boolean yesWithAFence(long n) {
        VarHandle.fullFence();
        return true;
    }

    static long sequentialCount(long from, long to) {
        long found = 0;
        for (long n = from; n < to; n++) {
            if (isPrime(n)) {
                found++;
            }
        }
        return found;
    }

    static List<Throwable> causes(Throwable thrown) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = thrown; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    static final class PredicateBroke extends RuntimeException {
        PredicateBroke(long n) {
            super("isPrime broke on " + n);
        }
    }

    // ---- Probes: predicates that watch how the counter calls them ----

    /** Records which numbers were asked about, how often, and by which threads. */
    static final class CallLedger implements LongPredicate {
        private final long from;
        private final long to;
        private final LongPredicate answer;
        private final AtomicIntegerArray calls;
        private final AtomicLong outside = new AtomicLong();
        private final AtomicLong firstOutside = new AtomicLong(-1);
        private final Thread caller = Thread.currentThread();
        private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
        private final ThreadLocal<Boolean> seen = ThreadLocal.withInitial(() -> false);

        CallLedger(long from, long to, LongPredicate answer) {
            this.from = from;
            this.to = to;
            this.answer = answer;
            this.calls = new AtomicIntegerArray(Math.toIntExact(to - from));
        }

        @Override
        public boolean test(long n) {
            if (!seen.get()) {
                seen.set(true);
                if (Thread.currentThread() != caller) {
                    workers.add(Thread.currentThread());
                }
            }
            if (n >= from && n < to) {
                calls.incrementAndGet(Math.toIntExact(n - from));
            } else {
                outside.incrementAndGet();
                firstOutside.compareAndSet(-1, n);
            }
            return answer.test(n);
        }

        int workerThreads() {
            return workers.size();
        }

        /** What went wrong, in words; empty when every number was asked about exactly once. */
        List<String> problems() {
            List<String> problems = new ArrayList<>();
            long never = 0;
            long twice = 0;
            long firstNever = -1;
            long firstTwice = -1;
            for (int i = 0; i < calls.length(); i++) {
                int c = calls.get(i);
                if (c == 0 && never++ == 0) {
                    firstNever = from + i;
                } else if (c > 1 && twice++ == 0) {
                    firstTwice = from + i;
                }
            }
            if (never > 0) {
                problems.add(String.format("%,d numbers were never asked about (the first is %d): a piece of "
                        + "[%d, %d) was left out", never, firstNever, from, to));
            }
            if (twice > 0) {
                problems.add(String.format("%,d numbers were asked about more than once (the first is %d): "
                        + "pieces overlap", twice, firstTwice));
            }
            if (outside.get() > 0) {
                problems.add(String.format("%,d numbers outside [%d, %d) were asked about (the first is %d): a "
                        + "piece runs past the range", outside.get(), from, to, firstOutside.get()));
            }
            return problems;
        }
    }

    /**
     * Trial division, except that each thread's first call waits (at most {@link #PATIENCE}) until
     * {@code wanted} threads are inside isPrime together: they can only meet if they run at once.
     */
    static final class MeetingProbe implements LongPredicate {
        private final CountDownLatch allInside;
        private final Set<Thread> arrived = ConcurrentHashMap.newKeySet();
        private final AtomicInteger inside = new AtomicInteger();
        private final AtomicInteger peak = new AtomicInteger();
        private volatile boolean gaveUp;

        MeetingProbe(int wanted) {
            this.allInside = new CountDownLatch(wanted);
        }

        @Override
        public boolean test(long n) {
            peak.accumulateAndGet(inside.incrementAndGet(), Math::max);
            try {
                if (!gaveUp && allInside.getCount() > 0 && arrived.add(Thread.currentThread())) {
                    allInside.countDown();
                    if (!allInside.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                        gaveUp = true; // the others are not coming: do not make every later thread wait too
                    }
                }
            } catch (InterruptedException interrupted) {
                gaveUp = true;
                Thread.currentThread().interrupt();
            } finally {
                inside.decrementAndGet();
            }
            return isPrime(n);
        }

        int peak() {
            return peak.get();
        }
    }

    /**
     * Trial division, except that the first call gets stuck until the other threads have tested a
     * given share of the range (or {@link #PATIENCE} runs out): a counter that balances its load
     * lets the free threads take over the work the stuck one has not started.
     */
    static final class StuckWorkerProbe implements LongPredicate {
        private final long enough;
        private final AtomicReference<Thread> stuck = new AtomicReference<>();
        private final AtomicLong tested = new AtomicLong();
        private final CountDownLatch release = new CountDownLatch(1);
        private volatile long stuckOn = -1;
        private volatile long testedBefore;
        private volatile long testedAtRelease;
        private volatile boolean releasedInTime;

        StuckWorkerProbe(long from, long to, double shareOthersMustTest) {
            this.enough = (long) Math.ceil((to - from) * shareOthersMustTest);
        }

        @Override
        public boolean test(long n) {
            if (stuck.get() == null && stuck.compareAndSet(null, Thread.currentThread())) {
                stuckOn = n;
                testedBefore = tested.get();
                try {
                    releasedInTime = release.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
                testedAtRelease = tested.get();
            } else if (tested.incrementAndGet() >= enough) {
                release.countDown();
            }
            return isPrime(n);
        }

        boolean releasedInTime() {
            return releasedInTime;
        }

        /** Why the stuck thread was not released in time, in the learner's terms. */
        String whyNotReleased(long size) {
            long meanwhile = testedAtRelease - testedBefore;
            if (meanwhile == 0) {
                return String.format("one thread got stuck on %,d, and in the %d s it was stuck no other thread tested "
                        + "a single number: the pieces run one after another (each one awaited before the next is "
                        + "handed out), so one slow number holds up the whole count", stuckOn, PATIENCE.toSeconds());
            }
            return String.format("one thread got stuck on %,d; in the %d s it was stuck, the other threads tested %,d "
                    + "numbers and then found nothing left to do, although %,d of the %,d were still untested. The "
                    + "range was divided up front into one share per thread, so the stuck thread's share waited for "
                    + "it. Real numbers are not equal work either (big ones take longer): cut the range into many more "
                    + "pieces than threads, and let whichever thread is free take the next piece",
                    stuckOn, PATIENCE.toSeconds(), meanwhile, size - testedAtRelease - 1, size);
        }
    }
}

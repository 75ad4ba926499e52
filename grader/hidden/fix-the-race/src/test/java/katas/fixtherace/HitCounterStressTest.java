package katas.fixtherace;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.ThreadEnd;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden: rule 1 under more shapes of contention than the visible tests draw (up to 24 threads, up to a
 * third of them reading, ids that share their low bits), two counters used by the same threads, crowds past the
 * limits of smaller types, more threads than a counter with a fixed number of cells has, and the very first hits
 * of new counters made at the same moment. The first two tests end with a reader that must see one more hit
 * (rule 2), which a counter with unprotected reads fails even on a machine too busy to show the lost updates.
 */
@DisplayName("HitCounter under stress")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HitCounterStressTest {

    @BeforeAll
    static void compileTheReadingLoops() {
        StaleReads.warmUp();
    }

    @Test
    @Order(1)
    @Tag("rule-1")
    @Tag("rule-2")
    @DisplayName("loses no hit, whatever the number, names and ids of the threads")
    void losesNoHit(Shapes shapes) throws Exception {
        shapes.check(3, round -> HitCounterTest.countTogether(round, new HitCounter(), 2, 24, 6));
        HitCounter counter = new HitCounter();
        assertThat(StaleReads.probe(counter, 2)).as("rule 2, a hit shows at once").isNull();
    }

    @Test
    @Order(7)
    @Tag("rule-9")
    @Tag("rule-1")
    @DisplayName("counts every hit of interrupted threads in a crowd, and leaves them interrupted")
    void countsTheHitsOfInterruptedThreads(Shapes shapes) throws Exception {
        // WaitingTest makes a call wait by holding the locks it finds in the counter; a lock no field reaches (a
        // static stripe in a nested class) escapes it. Here the crowd itself makes calls wait, wherever the lock
        // is: threads interrupted before their first hit must wait for it like any other and count every hit.
        // A hit counted without the lock when lockInterruptibly() throws (at once, for a thread already
        // interrupted) races with the hits of every other thread: at least two threads are interrupted, one is
        // not, and they all call together long enough for two of them to meet on two cores of a busy machine. The
        // others are interrupted while they wait, the first time one is seen waiting (red team I: a hit dropped
        // when lockInterruptibly() throws in the middle of a wait).
        shapes.check(3, round -> {
            Crowd crowd = Crowd.of(round, 3, 12).callsEach(round.between("calls each, at least", 2_000, 6_000),
                    2_000_000, Duration.ofMillis(round.between("milliseconds all calling", 30, 60)));
            InterruptedCrowd interrupted = InterruptedCrowd.draw(round, crowd.size(), 2, true);
            HitCounter counter = new HitCounter();
            try (AutoCloseable late = interrupted.whileTheyWait()) {
                crowd.run(interrupted.around((thread, call) -> counter.increment()));
            }
            long flagged = interrupted.count();
            assertThat(counter.get()).as("rule 9: %s, %d of them interrupted before their first hit and %d while they "
                    + "waited for the counter; the counter says %,d: an interrupted thread waits for the counter like "
                    + "any other and its hit is counted (a hit that gives up when lockInterruptibly() throws is lost)",
                    crowd.describe(), flagged, interrupted.countLate(), counter.get()).isEqualTo(crowd.totalCalls());
            assertThat(interrupted.flagLost()).as("rule 9: increment() cleared the interrupt of an interrupted thread "
                    + "(the first was %s): whoever interrupted it would never know", interrupted.flagLost()).isNull();
        });
    }

    @Test
    @Order(2)
    @Tag("rule-1")
    @Tag("rule-2")
    @DisplayName("keeps the hits of two counters apart when the same threads count on both")
    void keepsTwoCountersApart(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            Crowd crowd = Crowd.of(round, 2, 12).callsEach(round.between("calls each, at least", 1_000, 4_000),
                    5_000_000, Duration.ofMillis(round.between("milliseconds all calling", 20, 40)));
            double share = round.between("percent of hits on the first counter", 5, 95) / 100.0;
            HitCounter first = new HitCounter();
            HitCounter second = new HitCounter();
            Random[] randoms = BankAccountTest.randoms(round.random(), crowd.size());
            long[] onFirst = new long[crowd.size()];
            crowd.run((thread, call) -> {
                if (randoms[thread].nextDouble() < share) {
                    first.increment();
                    onFirst[thread]++;
                } else {
                    second.increment();
                }
            });
            long expectedFirst = 0;
            for (long n : onFirst) {
                expectedFirst += n;
            }
            long expectedSecond = crowd.totalCalls() - expectedFirst;
            assertThat(first.get()).as("rule 1: %s counted %,d hits on the first counter and %,d on the second; the "
                    + "first says %,d (each counter counts only its own, and loses none)", crowd.describe(),
                    expectedFirst, expectedSecond, first.get()).isEqualTo(expectedFirst);
            assertThat(second.get()).as("rule 1: %s counted %,d hits on the first counter and %,d on the second; the "
                    + "second says %,d (each counter counts only its own, and loses none)", crowd.describe(),
                    expectedFirst, expectedSecond, second.get()).isEqualTo(expectedSecond);
        });
        HitCounter counter = new HitCounter();
        assertThat(StaleReads.probe(counter, 2)).as("rule 2, a hit shows at once").isNull();
    }

    @Test
    @Order(3)
    @Tag("rule-1")
    @Tag("rule-2")
    // Few threads counting little: the unlocked stub may well keep every hit here, so it earns nothing.
    @Tag("precondition")
    @DisplayName("keeps the hits of threads that have ended, also once they are collected as garbage")
    void keepsTheHitsOfEndedThreads(Shapes shapes) throws Exception {
        int threads = shapes.between("threads", 2, 8);
        int each = shapes.between("hits each", 1, 2_000);
        HitCounter counter = new HitCounter();
        WeakReference<Thread> last = countOnThreadsThatEnd(counter, threads, each);
        long expected = (long) threads * each;
        assertThat(counter.get()).as("rule 1: %d threads counted %,d hits each and ended", threads, each)
                .isEqualTo(expected);
        // A server's pool replaces its threads: once they are gone and collected, their hits must stay.
        for (int i = 0; i < 100 && last.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        boolean collected = last.get() == null;
        assertThat(counter.get()).as("rule 1: %d threads counted %,d hits each and ended; %s, get() says %,d: the hits "
                + "of threads that have ended must stay counted (were they kept in cells that went with the threads, "
                + "such as a WeakHashMap keyed by thread, or a ThreadLocal?)", threads, each, collected
                        ? "once they were collected as garbage" : "after the garbage collector ran", counter.get())
                .isEqualTo(expected);
    }

    /** Room left above the highest count moved on to: more than a long crowd can make (16 x 5,000,000). */
    private static final long HEADROOM = 1L << 27;

    @Test
    @Order(4)
    @Tag("rule-1")
    @Tag("rule-3")
    @DisplayName("loses no hit when many threads count at once past 2,147,483,647, 4,294,967,295, 2^53, every power "
            + "of two up to 2^62 and near Long.MAX_VALUE")
    void losesNoHitPastTheLimits(Shapes shapes) throws Exception {
        // Rule 1 holds at every count, not only near 0: each limit gets its own crowd, raced on a counter whose
        // count was moved on there (a count that cannot be moved on, kept in batches for one, is judged by the
        // limits test alone).
        shapes.check(1, round -> {
            // The limits of smaller types, and a count drawn in every power of two from 2^32 to 2^62: a counter
            // lossy only between two limits (red team E: from 2^34 to 2^52; G: from 2^42 to 2^45) meets a crowd
            // there too.
            // The drawn counts get shorter crowds (at most 100,000 calls a thread: a lost hit shows within a few
            // thousand), to keep the test near its old time.
            // Every power of two a long count has, up to 2^62 (red team H: lossy only from 2^62 on), and the highest
            // count a crowd can reach without passing Long.MAX_VALUE.
            List<Long> limits = new ArrayList<>(List.of((long) Integer.MAX_VALUE, 0xFFFF_FFFFL, 1L << 53));
            int typeLimits = limits.size();
            long highest = Long.MAX_VALUE - HEADROOM;
            for (int bits = 32; bits <= 62; bits++) {
                limits.add(round.between("a count from 2^" + bits, 1L << bits,
                        Math.min(highest, (1L << (bits + 1)) - 1)));
            }
            limits.add(highest);
            for (int i = 0; i < limits.size(); i++) {
                long limit = limits.get(i);
                // 2^62 and the highest count get the long crowds of the type limits too: the last powers of two a
                // long has are where a counter "too big to be busy" would stop being atomic.
                boolean drawn = i >= typeLimits && limit < 1L << 62;
                long target = limit - round.between("hits short of the limit", 0, 300);
                HitCounter counter = DeepFastForward.movedOn(round.between("hits before moving the count on", 1,
                        9_999), target);
                if (counter == null) {
                    continue;
                }
                Crowd crowd = Crowd.of(round, 8, 16);
                if (drawn) {
                    crowd.callsEach(round.between("calls each, at least, at a drawn count", 500, 1_000), 100_000,
                            Duration.ofMillis(round.between("milliseconds all calling, at a drawn count", 5, 10)));
                } else {
                    crowd.callsEach(round.between("calls each, at least", 1_000, 4_000), 5_000_000,
                            Duration.ofMillis(round.between("milliseconds all calling", 20, 40)));
                }
                crowd.run((thread, call) -> counter.increment());
                long got = counter.get();
                assertThat(got).as("rule 1, no hit is lost (at any count): the count was moved on to %,d, then %s "
                        + "made %,d hits; get() says %,d, %,d short: past %,d two threads read the same count and both "
                        + "wrote back count + 1 (each increment must be one atomic step at every count)", target,
                        crowd.describe(), crowd.totalCalls(), got, target + crowd.totalCalls() - got, limit)
                        .isEqualTo(target + crowd.totalCalls());
            }
        });
    }

    @Test
    @Order(5)
    @Tag("rule-1")
    @DisplayName("loses no hit when more threads have counted than a server has workers (33 to 80), any two at once")
    void losesNoHitWithManyThreads(Shapes shapes) throws Exception {
        // A counter that gives each thread a cell of its own, out of a fixed number of cells (by the order in which
        // threads first count, modulo the cells), has two writers in a cell once more threads than cells have
        // counted. The threads first count one after another, in a drawn order; then, for every distance d from 1
        // to threads - 1, the thread that came first at some rank and the one d ranks later count together (the
        // others wait), until both have made enough hits side by side: for any number of cells below the number of
        // threads, some pair shares a cell.
        shapes.check(1, round -> {
            int threads = round.between("threads", 33, 80);
            int least = round.between("hits each of a pair makes, at least", 2_000, 8_000);
            List<Integer> order = round.shuffled("order of the first hits", java.util.stream.IntStream
                    .range(0, threads).boxed().toList());
            Random random = round.random();
            List<Integer> distances = round.shuffled("order of the distances", java.util.stream.IntStream
                    .range(1, threads).boxed().toList());
            HitCounter counter = new HitCounter();
            PairedThreads pairs = new PairedThreads(threads, least, counter);
            try {
                long expected = 0;
                for (int rank = 0; rank < threads; rank++) {
                    pairs.run(order.get(rank), -1);
                    expected++;
                }
                for (int d : distances) {
                    int rank = random.nextInt(threads - d);
                    int a = order.get(rank);
                    int b = order.get(rank + d);
                    expected += pairs.run(a, b);
                    long got = counter.get();
                    if (got != expected) {
                        throw new AssertionError(String.format("rule 1, no hit is lost: %d threads counted, one after "
                                + "another, then two at a time; after the %s and the %s thread to count made hits at "
                                + "the same time, get() says %,d instead of %,d: both wrote the same place (a counter "
                                + "must lose no hit whatever the number of threads: are there fewer cells than threads, "
                                + "each assumed to have one writer?)", threads, ordinal(rank + 1),
                                ordinal(rank + d + 1), got, expected));
                    }
                }
            } finally {
                pairs.close();
            }
        });
    }

    private static String ordinal(int n) {
        String suffix = n % 100 / 10 == 1 ? "th" : switch (n % 10) {
            case 1 -> "st";
            case 2 -> "nd";
            case 3 -> "rd";
            default -> "th";
        };
        return n + suffix;
    }

    /**
     * Threads that each count when told to: one alone (its one hit), or two together, each going on until both have
     * made {@code least} hits and have seen the other's hits come between their own dozens of times (so that they
     * count side by side even on a busy machine; at most 400,000 hits each).
     */
    private static final class PairedThreads implements AutoCloseable {
        private final Thread[] threads;
        private final long[] made;
        private final java.util.concurrent.Semaphore[] go;
        private final java.util.concurrent.Semaphore done = new java.util.concurrent.Semaphore(0);
        private final AtomicInteger reached = new AtomicInteger();
        private final int least;
        private volatile boolean closed;
        private volatile int partner = -1;
        private volatile int pairFirst = -1;
        private final java.util.concurrent.atomic.AtomicLongArray progress =
                new java.util.concurrent.atomic.AtomicLongArray(32);
        private static final int INTERLEAVINGS = 64;
        private static final long MOST_CALLS = 400_000;

        PairedThreads(int count, int least, HitCounter counter) {
            this.least = least;
            threads = new Thread[count];
            made = new long[count];
            go = new java.util.concurrent.Semaphore[count];
            for (int t = 0; t < count; t++) {
                int me = t;
                go[t] = new java.util.concurrent.Semaphore(0);
                threads[t] = Thread.ofPlatform().daemon(true).name("http-nio-8080-exec-" + (t + 1)).start(() -> {
                    while (true) {
                        go[me].acquireUninterruptibly();
                        if (closed) {
                            return;
                        }
                        long calls = 0;
                        if (partner < 0) {
                            counter.increment();
                            calls = 1;
                        } else {
                            // Both go on until each has made its least hits and has seen the other's count move
                            // between two of its own hits many times: they ran side by side, not one after the other.
                            int mine = me == pairFirst ? 0 : 16;
                            long seen = 0;
                            long interleaved = 0;
                            boolean ready = false;
                            while (true) {
                                counter.increment();
                                progress.setRelease(mine, ++calls);
                                long now = progress.getAcquire(16 - mine);
                                if (now != seen) {
                                    seen = now;
                                    interleaved++;
                                }
                                if (!ready && calls >= least && interleaved >= INTERLEAVINGS) {
                                    ready = true;
                                    reached.incrementAndGet();
                                }
                                if (ready && reached.get() >= 2 || calls >= MOST_CALLS) {
                                    break; // (at the most, on a machine too busy to run them side by side)
                                }
                            }
                        }
                        made[me] = calls;
                        done.release();
                    }
                });
            }
        }

        /** Has thread {@code a} count alone ({@code b} < 0) or with {@code b}; the hits they made. */
        long run(int a, int b) throws InterruptedException {
            partner = b;
            pairFirst = a;
            reached.set(0);
            progress.set(0, 0);
            progress.set(16, 0);
            go[a].release();
            if (b >= 0) {
                go[b].release();
            }
            int parties = b >= 0 ? 2 : 1;
            if (!done.tryAcquire(parties, 10, TimeUnit.SECONDS)) {
                throw new AssertionError("threads did not finish counting within 10 s. " + katas.testkit
                        .ThreadDiagnosis.explain(b >= 0 ? List.of(threads[a], threads[b]) : List.of(threads[a])));
            }
            return made[a] + (b >= 0 ? made[b] : 0);
        }

        @Override
        public void close() throws InterruptedException {
            closed = true;
            for (java.util.concurrent.Semaphore s : go) {
                s.release();
            }
            for (Thread thread : threads) {
                thread.join(Duration.ofSeconds(1)); // gone before the next round starts as many
            }
        }
    }

    @Test
    @Order(6)
    @Tag("rule-1")
    @DisplayName("loses none of the first hits of new counters, when several threads make them at the same moment")
    void losesNoFirstHit(Shapes shapes) throws Exception {
        // Whatever a counter sets up on its first hit (made lazily: check-then-act) must not lose a hit of a
        // thread that comes at the same moment. Many new counters, raced from their first hits by threads that spin
        // at a gate opened for all of them at once, a few counters per opening (each thread hits them in the same
        // order, so a pair of threads that meet on one meets on the next ones, a little earlier or later); the
        // opener waits a drawn moment, so that some arrivals fall inside any window.
        int threads = shapes.between("threads", 2, 3);
        int batch = shapes.between("new counters raced after each opening of the gate", 4, 12);
        int batches = shapes.between("openings of the gate", 1_000, 2_000);
        int each = shapes.between("hits each thread makes on each counter", 1, 2);
        Random random = shapes.random();
        int[] delays = new int[batches];
        for (int g = 0; g < batches; g++) {
            delays[g] = random.nextInt(random.nextBoolean() ? 8 : 48);
        }
        HitCounter[] fresh = new HitCounter[batches * batch];
        for (int c = 0; c < fresh.length; c++) {
            fresh[c] = new HitCounter();
        }
        AtomicInteger gate = new AtomicInteger(-1);
        AtomicInteger arrived = new AtomicInteger();
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
        int[] reached = {batches};
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            int thread = t;
            workers[t] = Thread.ofPlatform().daemon(true).name("request-" + shapes.between("thread", 1, 999))
                    .start(() -> {
                        for (int g = 0; g < batches; g++) {
                            if (thread == 0) {
                                while (arrived.get() < g * (threads - 1)) {
                                    spin();
                                }
                                if (System.nanoTime() > deadline && reached[0] == batches) {
                                    reached[0] = g; // enough openings for a busy machine: the others stop here too
                                }
                                gate.set(reached[0] <= g ? Integer.MAX_VALUE : g);
                                if (reached[0] <= g) {
                                    return;
                                }
                                for (int d = 0; d < delays[g]; d++) {
                                    Thread.onSpinWait();
                                }
                            } else {
                                int open;
                                while ((open = gate.get()) < g) {
                                    spin();
                                }
                                if (open == Integer.MAX_VALUE) {
                                    return;
                                }
                            }
                            for (int c = g * batch; c < (g + 1) * batch; c++) {
                                for (int i = 0; i < each; i++) {
                                    fresh[c].increment();
                                }
                            }
                            if (thread != 0) {
                                arrived.incrementAndGet();
                            }
                        }
                    });
        }
        for (Thread worker : workers) {
            worker.join(Duration.ofSeconds(20));
            if (ThreadEnd.stillRuns(worker)) {
                throw new AssertionError("the counting threads did not finish within 20 s. "
                        + katas.testkit.ThreadDiagnosis.explain(List.of(workers)));
            }
        }
        int raced = Math.min(reached[0], batches) * batch;
        for (int c = 0; c < raced; c++) {
            long got = fresh[c].get();
            assertThat(got).as("rule 1, no hit is lost: %d threads, released together, made %s each on new counter "
                    + "#%,d of %,d (its very first hits); get() says %,d: a thread's first hit was lost (was something "
                    + "the counter makes on its first hit made twice, check-then-act, and one copy lost? make it when "
                    + "the counter is made, in a final field)", threads, each == 1 ? "1 hit" : each + " hits", c + 1, raced, got)
                    .isEqualTo((long) threads * each);
        }
    }

    /** Waits a moment for another thread, giving the core away now and then (a busy machine may have only one). */
    private static void spin() {
        if (ThreadLocalRandom.current().nextInt(4_096) == 0) {
            Thread.yield();
        } else {
            Thread.onSpinWait();
        }
    }

    /** Starts {@code threads} threads that count {@code each} hits and end; a weak reference to one of them. */
    private static WeakReference<Thread> countOnThreadsThatEnd(HitCounter counter, int threads, int each)
            throws InterruptedException {
        Thread[] started = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            started[t] = new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    counter.increment();
                }
            }, "short-lived-" + t);
            started[t].start();
        }
        for (Thread thread : started) {
            thread.join();
        }
        return new WeakReference<>(started[threads - 1]);
    }
}

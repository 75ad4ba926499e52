package katas.fixtherace;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Watch;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

@DisplayName("HitCounter")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HitCounterTest {

    @BeforeAll
    static void compileTheReadingLoops() {
        StaleReads.warmUp();
    }

    @Test
    @Order(1)
    @Tag("rule-1")
    @Tag("rule-2")
    @DisplayName("keeps every hit when many threads count at the same time, and shows them all to readers")
    void keepsEveryHitUnderContention(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            HitCounter counter = new HitCounter();
            countTogether(round, counter, 4, 14, 2);
        });
        HitCounter counter = new HitCounter();
        String stale = StaleReads.probe(counter, 3);
        assertThat(stale).as("rule 2, a hit shows at once").isNull();
    }

    @Test
    @Order(2)
    @Tag("rule-2")
    @DisplayName("shows a thread that keeps reading a hit made by another thread")
    void aReaderSeesANewHit(Shapes shapes) throws Exception {
        HitCounter counter = new HitCounter();
        int hits = shapes.between("hits before", 0, 5_000);
        for (int i = 0; i < hits; i++) {
            counter.increment();
        }
        String stale = StaleReads.probe(counter, 3);
        assertThat(stale).as("rule 2, a hit shows at once").isNull();
    }

    /**
     * Has a crowd of {@code min..max} threads, some of them readers (at most {@code maxReaders}), count on
     * {@code counter} together, while a watch and the readers check every read; then checks the count.
     */
    static void countTogether(Shapes round, HitCounter counter, int min, int max, int maxReaders)
            throws InterruptedException {
        Crowd crowd = Crowd.of(round, min, max).callsEach(round.between("calls each, at least", 1_000, 5_000),
                5_000_000, Duration.ofMillis(round.between("milliseconds all calling", 30, 60)));
        int readers = round.between("readers among them", 0, Math.min(maxReaders, crowd.size() - 2));
        int writers = crowd.size() - readers;
        // started[16 w] and finished[16 w]: the hits writer w has begun, and those whose increment() returned
        AtomicLongArray started = new AtomicLongArray(writers * 16);
        AtomicLongArray finished = new AtomicLongArray(writers * 16);
        long[] lastSeen = {0};
        long[] lastByReader = new long[crowd.size()];
        try {
            try (Watch watch = Watch.of("rule 1, no hit is lost (or rule 2, a hit shows at once)", () -> {
                String wrong = check(counter, started, finished, lastSeen[0]);
                lastSeen[0] = counter.get();
                return wrong;
            })) {
                crowd.run((thread, call) -> {
                    if (thread < writers) {
                        started.setRelease(thread * 16, call + 1);
                        counter.increment();
                        finished.setRelease(thread * 16, call + 1);
                    } else {
                        String wrong = check(counter, started, finished, lastByReader[thread]);
                        if (wrong != null) {
                            throw new AssertionError("rule 2, a hit shows at once: reader '" + Thread.currentThread()
                                    .getName() + "': " + wrong);
                        }
                        lastByReader[thread] = Math.max(lastByReader[thread], counter.get());
                    }
                }, () -> watch.firstBroken() != null);
            }
            long expected = 0;
            for (int w = 0; w < writers; w++) {
                expected += crowd.made(w);
            }
            long got = counter.get();
            assertThat(got).as("rule 1, no hit is lost: %s, %d of them counting, made %,d hits; get() says %,d: %,d "
                    + "were lost because two threads read the same count and both wrote back count + 1 (lost update)",
                    crowd.describe(), writers, expected, got, expected - got).isEqualTo(expected);
        } catch (AssertionError lost) {
            throw VolatileAdvice.added(lost, counter);
        }
    }

    /**
     * Reads the counter, which must lie between the hits that had surely returned before and those that had
     * surely begun after (when {@code started} is given), and never below an earlier read {@code last}. Null
     * when all is well, else what was seen.
     */
    static String check(HitCounter counter, AtomicLongArray started, AtomicLongArray finished, long last) {
        long done = sum(finished);
        long now = counter.get();
        long begun = started == null ? Long.MAX_VALUE : sum(started);
        if (now < done) {
            return String.format("get() returned %,d after %,d increment() calls had returned: it missed hits that "
                    + "were complete (a lost update, or a stale copy of the count)", now, done);
        }
        if (now > begun) {
            return String.format("get() returned %,d when only %,d increment() calls had begun", now, begun);
        }
        if (now < last) {
            return String.format("get() returned %,d after an earlier get() had returned %,d: the count went back",
                    now, last);
        }
        return null;
    }

    private static long sum(AtomicLongArray slots) {
        long sum = 0;
        for (int i = 0; i < slots.length(); i += 16) {
            sum += slots.getAcquire(i);
        }
        return sum;
    }

    @Nested
    @DisplayName("from one thread")
    @Tag("precondition")
    class FromOneThread {

        @Test
        @Tag("rule-1")
        @DisplayName("counts every hit, and each counter only its own")
        void countsEveryHitAndOnlyItsOwn(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                int first = round.between("hits on a first counter", 0, 3_000);
                int second = round.between("hits on a second counter", 1, 3_000);
                HitCounter one = new HitCounter();
                for (int i = 0; i < first; i++) {
                    one.increment();
                }
                HitCounter two = new HitCounter();
                assertThat(two.get()).as("rule 1: a new counter, made after another counted %,d hits, must start at "
                        + "0 (is the count a static field, shared by every counter?)", first).isZero();
                for (int i = 0; i < second; i++) {
                    two.increment();
                }
                assertThat(one.get()).as("rule 1: the first counter after %,d hits of its own and %,d of another",
                        first, second).isEqualTo(first);
                assertThat(two.get()).as("rule 1: the second counter after %,d hits of its own and %,d of another",
                        second, first).isEqualTo(second);
            });
        }

        @Test
        @Tag("rule-3")
        @DisplayName("keeps counting past 2,147,483,647 hits")
        void countsPastTheIntRange(Shapes shapes) throws Exception {
            int hits = shapes.between("hits before moving the count on", 1_000, 9_999);
            long target = Integer.MAX_VALUE - shapes.between("hits short of 2,147,483,647", 0, 300);
            int more = shapes.between("hits after", 302, 2_000);
            assertThat(FastForward.countPast(hits, target, more)).as("rule 3, the count goes past 2,147,483,647")
                    .isNull();
        }

        @Test
        @Tag("rule-9")
        @DisplayName("counts the hits of an interrupted thread, and leaves it interrupted")
        void countsHitsOfAnInterruptedThread(Shapes shapes) throws Exception {
            int hits = shapes.between("hits", 1, 500);
            HitCounter counter = new HitCounter();
            boolean stillInterrupted;
            Thread.currentThread().interrupt();
            try {
                for (int i = 0; i < hits; i++) {
                    counter.increment();
                }
            } finally {
                stillInterrupted = Thread.interrupted();
            }
            assertThat(counter.get()).as("rule 9: %,d hits from a thread whose interrupt flag was set (an interrupt "
                    + "asks a thread to stop what it waits for; it must not make a hit disappear)", hits)
                    .isEqualTo(hits);
            assertThat(stillInterrupted).as("rule 9: increment() cleared the thread's interrupt flag; whoever "
                    + "interrupted it would never know (restore it with Thread.currentThread().interrupt())").isTrue();
        }
    }
}

package katas.parallelprimes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongPredicate;
import katas.parallelprimes.Probes.Ledger;
import katas.parallelprimes.Probes.Outcome;
import katas.parallelprimes.Probes.Stop;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.ThreadsLeftBehind;
import katas.testkit.Sneaky;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hidden: ranges of every shape (tiny, smaller than the thread count, around Integer.MAX_VALUE,
 * ending at Long.MAX_VALUE, nearly Long.MAX_VALUE long), bad input, every kind of failure, count
 * after count on one counter, and a caller interrupted while it waits.
 */
@DisplayName("ParallelPrimeCounter at the edges")
@KataTest
// Rule 12 on every path a test takes, not only in the tests about closing (red team I)
@ExtendWith(ThreadsLeftBehind.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ParallelPrimeCounterEdgeCaseTest {

    @Test
    @Order(1)
    @Tag("rule-1")
    @DisplayName("asks about every number exactly once in ranges of every shape, with any number of threads")
    void asksAboutEveryNumberOnceInEveryShape(Shapes shapes) throws Exception {
        shapes.check(10, round -> {
            int threads = round.between("threads", 1, 16);
            long size = switch (round.oneOf("size", "1 to 3", "fewer than the threads", "thousands", "tens of thousands")) {
                case "1 to 3" -> round.between("numbers", 1, 3);
                case "fewer than the threads" -> round.between("numbers", 1, Math.max(1, threads - 1));
                case "thousands" -> round.between("numbers", 1_000, 9_999);
                default -> round.between("numbers", 10_000, 70_000);
            };
            long from = switch (round.oneOf("start", "at 0", "near 0", "in the millions", "around Integer.MAX_VALUE",
                    "around 2^32", "far up")) {
                case "at 0" -> 0;
                case "near 0" -> round.between("from", 1, 20);
                case "in the millions" -> round.between("from", 1_000_000, 9_000_000);
                case "around Integer.MAX_VALUE" -> Integer.MAX_VALUE - round.between("offset", -size, size);
                case "around 2^32" -> (1L << 32) - round.between("offset", -size, size);
                default -> round.between("from", 1L << 40, 1L << 61);
            };
            long to = from + size;
            LongPredicate answer = Probes.answers(round.between("salt", 0, 1 << 30));
            long expected = Probes.sequentialCount(from, to, answer);
            Ledger ledger = new Ledger(from, to, answer);
            long got;
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
                got = counter.count(from, to, ledger);
                ledger.countReturned();
            }
            assertThat(ledger.problems())
                    .as("rule 1: count(%,d, %,d) with %d threads must ask isPrime about each of its %,d numbers "
                            + "exactly once, and return after every call has returned", from, to, threads, size)
                    .isEmpty();
            assertThat(got).as("rule 1: isPrime said yes to %,d numbers of [%,d, %,d), count returned %,d", expected,
                    from, to, got).isEqualTo(expected);
        });
    }

    @Test
    @Order(2)
    @Tag("rule-1")
    @DisplayName("asks isPrime again in every count, even for a range and a predicate it has seen before")
    void asksAgainInEveryCount(Shapes shapes) throws Exception {
        // Once from 0 (small numbers come up in count after count: remembering them is tempting), once anywhere.
        // And once through a predicate of a class of the JDK's (LongPredicate.and): a counter that remembers the
        // answers of predicates from other packages only (red team E) is asked the same question there.
        asksAgainInEveryCount(shapes, "at 0", 0, false);
        asksAgainInEveryCount(shapes, "anywhere", shapes.between("from", 1, 3_000_000), false);
        asksAgainInEveryCount(shapes, "anywhere, through LongPredicate.and", shapes.between("from, through and", 0,
                3_000_000), true);
        asksAgainAfterEqualCounts(shapes);
    }

    /**
     * Count after count of one range with one predicate object on one counter, whose answers stay the same for
     * a few counts and then change: red team G trusted a count's answer once three counts in a row had given it.
     */
    private void asksAgainAfterEqualCounts(Shapes shapes) {
        int threads = shapes.between("threads, equal counts", 1, 4);
        long from = shapes.between("from, equal counts", 0, 3_000_000);
        long to = from + shapes.between("size, equal counts", 3_000, 20_000);
        int counts = shapes.between("counts", 5, 6);
        LongPredicate coin = Probes.coin(shapes.between("salt, equal counts", 0, 1 << 30), 3);
        long turns = from + shapes.between("the number whose answer turns in the last count", 0, to - from - 1);
        AtomicBoolean turned = new AtomicBoolean();
        LongPredicate answer = n -> coin.test(n) != (n == turns && turned.get());
        AtomicReference<Ledger> current = new AtomicReference<>();
        LongPredicate isPrime = n -> current.get().test(n); // one and the same object in every count
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
            for (int i = 1; i <= counts; i++) {
                turned.set(i == counts);
                Ledger ledger = new Ledger(from, to, answer);
                current.set(ledger);
                long got = counter.count(from, to, isPrime);
                ledger.countReturned();
                assertThat(ledger.problems())
                        .as("rule 1: count %d of %d of the same range [%,d, %,d) with the same isPrime on one counter "
                                + "must ask about every number again, even after %d counts that came out the same: "
                                + "isPrime is the tests' own, and its answers may change at any count", i, counts,
                                from, to, i - 1)
                        .isEmpty();
                assertThat(got).as("rule 1: count %d of %d of [%,d, %,d)%s: an answer remembered from earlier counts "
                        + "is not a count", i, counts, from, to, i == counts ? ", after isPrime changed its answer for "
                        + turns : "").isEqualTo(Probes.sequentialCount(from, to, answer));
            }
        }
    }

    private void asksAgainInEveryCount(Shapes shapes, String where, long from, boolean composed) throws Exception {
        int threads = shapes.between("threads, " + where, 1, 6);
        long to = from + shapes.between("size, " + where, 3_000, 30_000);
        AtomicReference<Ledger> current = new AtomicReference<>();
        // One and the same predicate object every time, whose answers change between counts.
        LongPredicate own = n -> current.get().test(n);
        LongPredicate isPrime = composed ? own.and(n -> true) : own;
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
            for (int i = 1; i <= 4; i++) {
                LongPredicate answer = Probes.coin(shapes.between("salt " + i + ", " + where, 0, 1 << 30),
                        shapes.between("one yes in " + i + ", " + where, 2, 9));
                Ledger ledger = new Ledger(from, to, answer);
                current.set(ledger);
                long got;
                if (i < 4) {
                    got = counter.count(from, to, isPrime);
                } else {
                    try (ParallelPrimeCounter another = new ParallelPrimeCounter(threads)) {
                        got = another.count(from, to, isPrime);
                    }
                }
                ledger.countReturned();
                assertThat(ledger.problems())
                        .as("rule 1: count %d of the same range [%,d, %,d) with the same isPrime%s%s must ask about "
                                + "every number again: isPrime is the tests' own, and its answers may change", i, from,
                                to, composed ? " (of class " + isPrime.getClass().getName() + ")" : "",
                                i == 4 ? " (on a new counter)" : "")
                        .isEmpty();
                assertThat(got).as("rule 1: count %d of [%,d, %,d): an answer remembered from an earlier count is not "
                        + "a count", i, from, to).isEqualTo(Probes.sequentialCount(from, to, answer));
            }
        }
    }

    @Test
    @Order(2)
    @Tag("rule-1")
    @DisplayName("asks isPrime again in every count of a range millions of numbers long, whose answer for one number changed in between")
    void asksAgainInBigCounts(Shapes shapes) throws Exception {
        int threads = shapes.between("threads", 1, 4);
        long size = shapes.between("size", 1_000_000L, 3_000_000L);
        long from = shapes.chance("the range starts at 0", 0.5) ? 0 : shapes.between("from", 1L, 1L << 40);
        long to = from + size;
        long changed = from + shapes.between("the number whose answer changes", 0L, size - 1);
        LongPredicate coin = Probes.coin(shapes.between("salt", 0, 1 << 30), shapes.between("one yes in", 2, 9));
        AtomicBoolean turned = new AtomicBoolean();
        LongPredicate answer = n -> coin.test(n) != (n == changed && turned.get());
        LongAdder calls = new LongAdder();
        // One and the same predicate object for both counts: between them, its answer for one number turns.
        LongPredicate isPrime = n -> {
            calls.increment();
            return answer.test(n);
        };
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
            for (int i = 1; i <= 2; i++) {
                long expected = Probes.sequentialCount(from, to, answer);
                calls.reset();
                long got = counter.count(from, to, isPrime);
                assertThat(calls.sum())
                        .as("rule 1: count %d of the same %,d numbers [%,d, %,d) with the same isPrime must ask about "
                                + "each of them once: isPrime is the tests' own, and its answers may change between counts, "
                                + "in big ranges too", i, size, from, to)
                        .isEqualTo(size);
                assertThat(got)
                        .as("rule 1: count %d of [%,d, %,d), after isPrime changed its answer for %,d: an answer "
                                + "remembered from an earlier count is not a count", i, from, to, changed)
                        .isEqualTo(expected);
                turned.set(true);
            }
        }
    }

    @Test
    @Order(2)
    @Tag("rule-1")
    @DisplayName("counts what the isPrime it is given says, whatever its class: also one named like the grader's own trial division")
    void countsWhatItsIsPrimeSaysWhateverItsClass(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            int threads = round.between("threads", 1, 4);
            long from = round.between("from", 0L, 5_000_000L);
            long size = round.between("size", 20_000L, 200_000L);
            long to = from + size;
            BitSet flipped = new BitSet();
            int flips = round.between("numbers answered the other way", 1, 8);
            for (int f = 0; f < flips; f++) {
                flipped.set((int) round.between("answered the other way, " + f, 0L, size - 1));
            }
            long expected = Probes.sequentialCount(from, to, new Asked(from, flipped, null));
            for (boolean own : List.of(true, false)) {
                LongAdder calls = new LongAdder();
                Asked isPrime = own ? new TrialDivision.Own(from, flipped, calls) : new Asked(from, flipped, calls);
                long got;
                try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
                    got = counter.count(from, to, isPrime);
                }
                assertThat(calls.sum())
                        .as("rule 1: count [%,d, %,d) with an isPrime of class %s must ask it about each of its %,d "
                                + "numbers once: do not replace it with a sieve, whatever its name", from, to,
                                isPrime.getClass().getName(), size)
                        .isEqualTo(size);
                assertThat(got)
                        .as("rule 1: the count of [%,d, %,d) by an isPrime of class %s, which answers %d of those numbers "
                                + "unlike a prime test: count what it says, not what you know about primes", from, to,
                                isPrime.getClass().getName(), flipped.cardinality())
                        .isEqualTo(expected);
            }
        });
    }

    @Test
    @Order(3)
    @Tag("rule-1")
    @DisplayName("returns only after every call of isPrime has returned, also when some calls are slow")
    void returnsAfterEveryCall(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int threads = round.between("threads", 1, 6);
            long from = round.between("from", 0, 2_000_000);
            long size = round.between("size", 5_000, 40_000);
            long to = from + size;
            long slowA = from + round.between("slow number", 0, size - 1);
            long slowB = round.chance("the last number is slow too", 0.5) ? to - 1 : from;
            long slowMillis = round.between("slow for ms", 20, 120);
            LongPredicate answer = Probes.answers(round.between("salt", 0, 1 << 30));
            Ledger ledger = new Ledger(from, to, answer).hook(n -> {
                if (n == slowA || n == slowB) {
                    Thread.sleep(slowMillis);
                }
            });
            long got;
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
                got = counter.count(from, to, ledger);
                ledger.countReturned();
            }
            assertThat(ledger.problems())
                    .as("rule 1: isPrime took %d ms on %,d and %,d; count must still ask about each number once and "
                            + "wait for every call", slowMillis, slowA, slowB)
                    .isEmpty();
            assertThat(got).as("rule 1: the count of [%,d, %,d)", from, to)
                    .isEqualTo(Probes.sequentialCount(from, to, answer));
        });
    }

    @Test
    @Order(4)
    @Tag("rule-10")
    @DisplayName("covers ranges that end at or just below Long.MAX_VALUE, without overflowing")
    void coversRangesEndingAtLongMax(Shapes shapes) throws Exception {
        shapes.check(5, round -> {
            int threads = round.between("threads", 1, 9);
            long size = round.chance("short range", 0.3) ? round.between("size", 1, 2L * threads + 1)
                    : round.between("size", 1_000, 150_000);
            long to = Long.MAX_VALUE - (round.chance("ends at Long.MAX_VALUE", 0.5) ? 0 : round.between("below", 1, 40));
            long from = to - size;
            LongPredicate answer = Probes.coin(round.between("salt", 0, 1 << 30), 3);
            Ledger ledger = new Ledger(from, to, answer);
            long got;
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
                got = counter.count(from, to, ledger);
                ledger.countReturned();
            }
            assertThat(ledger.problems())
                    .as("rule 10: [Long.MAX_VALUE - %,d, Long.MAX_VALUE - %d) with %d threads: every number asked "
                            + "about once. Near Long.MAX_VALUE, from + to, start + pieceSize or size * i overflow and "
                            + "wrap around to negative numbers", Long.MAX_VALUE - from, Long.MAX_VALUE - to, threads)
                    .isEmpty();
            assertThat(got).as("rule 10: the count of [Long.MAX_VALUE - %,d, Long.MAX_VALUE - %d)",
                    Long.MAX_VALUE - from, Long.MAX_VALUE - to).isEqualTo(Probes.sequentialCount(from, to, answer));
        });
    }

    @Test
    @Order(5)
    @Tag("rule-10")
    @DisplayName("splits ranges nearly Long.MAX_VALUE long without overflowing (isPrime stops them early)")
    void splitsHugeRanges(Shapes shapes) throws Exception {
        // [0, Long.MAX_VALUE) and [1, Long.MAX_VALUE) every time: size + pieces - 1 overflows there
        shapes.check(1, round -> splitsHugeRange(round, 0, Long.MAX_VALUE));
        shapes.check(1, round -> splitsHugeRange(round, 1, Long.MAX_VALUE));
        shapes.check(3, round -> {
            long from;
            long to;
            switch (round.oneOf("range", "from near 0 to near the top", "the upper half", "from near 0 to the top")) {
                case "from near 0 to near the top" -> {
                    from = round.between("from", 0, 1_000);
                    to = Long.MAX_VALUE - round.between("below the top", 1, 1_000);
                }
                case "the upper half" -> {
                    from = Long.MAX_VALUE / 2 + round.between("above the middle", 0, 1_000);
                    to = Long.MAX_VALUE - round.between("below the top", 0, 1_000);
                }
                default -> {
                    from = round.between("from", 0, 1_000);
                    to = Long.MAX_VALUE;
                }
            }
            splitsHugeRange(round, from, to);
        });
    }

    private void splitsHugeRange(Shapes round, long from, long to) {
        int threads = round.between("threads", 2, 6);
        long calls = round.between("calls before isPrime stops the count", 2_000, 6_000);
        Stop stop = new Stop("the test stops this count: the range is too big to finish");
        Ledger ledger = new Ledger(from, to, n -> false);
        ledger.hook(n -> {
            if (ledger.calls() > calls || ledger.outside() > 0) {
                throw stop;
            }
        });
        Outcome outcome;
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
            outcome = Probes.bounded(() -> counter.count(from, to, ledger));
        }
        assertThat(ledger.problems())
                .as("rule 10: count(%,d, %,d) with %d threads (isPrime threw after %,d calls): the pieces of a "
                        + "range this long must stay inside it. size * i / pieces, from + to or start + pieceSize "
                        + "overflow here; compute offsets that stay below the size (size / pieces * i + ...)",
                        from, to, threads, calls)
                .isEmpty();
        assertThat(outcome.causes())
                .as("rule 6: isPrime threw %s; %s", stop, outcome.describe())
                .contains(stop);
    }

    @Test
    @Order(6)
    @Tag("rule-6")
    @DisplayName("passes every failure of isPrime to the caller, wherever and however often it fails")
    void passesEveryFailureOn(Shapes shapes) throws Exception {
        shapes.check(8, round -> passesOn(round, Failures.draw(round, "failure", "isPrime broke")));
        // And once an InterruptedException, every time (red team J: "restored" on the caller, whom nobody
        // interrupted, so that its next count on that thread threw at once)
        shapes.check(1, round -> passesOn(round, Failures.of("an InterruptedException", "isPrime's own wait was "
                + "interrupted")));
    }

    private static void passesOn(Shapes round, Throwable failure) throws Exception {
        int threads = round.between("threads", 1, 8);
        long from = round.between("from", 0, 2_000_000);
        long size = round.between("size", 1, 40_000);
        String where = round.oneOf("fails on", "the first number", "the last number", "one number",
                "every number", "every number from one on");
        long at = from + switch (where) {
            case "the first number", "every number" -> 0;
            case "the last number" -> size - 1;
            default -> round.between("offset", 0, size - 1);
        };
        boolean onwards = where.startsWith("every");
        LongPredicate breaks = n -> {
            if (n == at || onwards && n >= at) {
                throw Sneaky.raise(failure);
            }
            return Probes.isPrime(n);
        };
        Outcome outcome;
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
            outcome = Probes.bounded(() -> counter.count(from, from + size, breaks));
        }
        assertThat(outcome.finished())
                .as("rule 6: isPrime threw %s (on %s, %,d), and %s", failure, where, at, outcome.describe())
                .isTrue();
        assertThat(outcome.causes())
                .as("rule 6: isPrime threw %s on %s of [%,d, %,d) (%,d), but %s: count must throw that failure, or "
                        + "an exception caused by it", failure, where, from, from + size, at, outcome.describe())
                .contains(failure);
        assertThat(outcome.interruptedAfter())
                .as("rule 6: isPrime threw %s on a thread of the counter, and count left its caller's thread "
                        + "interrupted, though nobody interrupted it: the caller's next wait of any kind (its next "
                        + "count too) would throw at once. What isPrime throws is its failure, passed on as the "
                        + "cause, not a signal for the caller", failure).isFalse();
    }

    @Test
    @Order(7)
    @Tag("rule-7")
    @DisplayName("counts right, count after count, on one counter: after counts that worked, failed or were refused")
    void countsCountAfterCount(Shapes shapes) throws Exception {
        int threads = shapes.between("threads", 1, 6);
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
            for (int i = 1; i <= 8; i++) {
                String what = shapes.oneOf("count " + i, "works", "works", "fails", "is refused", "is empty");
                long from = shapes.between("from " + i, 0, 5_000_000);
                long size = shapes.between("size " + i, 1_000, 30_000);
                LongPredicate answer = Probes.answers(shapes.between("salt " + i, 0, 1 << 30));
                switch (what) {
                    case "fails" -> {
                        Throwable failure = Failures.draw(shapes, "failure " + i, "isPrime broke");
                        long at = from + shapes.between("fails at " + i, 0, size - 1);
                        Outcome o = Probes.bounded(() -> counter.count(from, from + size, n -> {
                            if (n == at) {
                                throw Sneaky.raise(failure);
                            }
                            return answer.test(n);
                        }));
                        assertThat(o.causes()).as("rule 6: count %d, isPrime threw %s: %s", i, failure, o.describe())
                                .contains(failure);
                    }
                    case "is refused" -> assertThatThrownBy(() -> counter.count(from + size, from, answer))
                            .as("rule 9: count %d, [%,d, %,d)", i, from + size, from)
                            .isInstanceOf(IllegalArgumentException.class);
                    case "is empty" -> assertThat(counter.count(from, from, answer))
                            .as("rule 9: count %d, the empty range [%,d, %,d)", i, from, from).isZero();
                    default -> {
                        Ledger ledger = new Ledger(from, from + size, answer);
                        Outcome o = Probes.bounded(() -> counter.count(from, from + size, ledger));
                        ledger.countReturned();
                        assertThat(o.returned()).as("rule 7: count %d on a counter that has counted before: %s", i,
                                o.describe()).isTrue();
                        assertThat(ledger.problems()).as("rule 7: count %d on a counter that has counted before", i)
                                .isEmpty();
                        assertThat(o.value()).as("rule 7: count %d, [%,d, %,d), on a counter that has counted before",
                                i, from, from + size).isEqualTo(Probes.sequentialCount(from, from + size, answer));
                    }
                }
            }
        }
    }

    @Test
    @Order(8)
    @Tag("rule-11")
    @DisplayName("interrupted while it waits, the caller gets the whole count or an exception, and stays interrupted")
    void keepsAnInterruptedCallerInterrupted(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int threads = round.between("threads", 1, 6);
            long from = round.between("from", 0, 2_000_000);
            long size = round.between("size", 5_000, 40_000);
            long holdFrom = from + round.between("calls wait from offset", 0, size / 2);
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Ledger ledger = new Ledger(from, from + size, n -> true).hook(n -> {
                if (n >= holdFrom) {
                    held.countDown();
                    boolean interrupted = false;
                    while (true) {
                        try {
                            if (release.await(Probes.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                                break;
                            }
                            break;
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
                Outcome outcome = Probes.bounded(() -> counter.count(from, from + size, ledger), caller -> {
                    try {
                        Probes.awaitOrEnd(held, caller);
                        Probes.awaitWaiting(caller);
                        caller.interrupt();
                        caller.join(300);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        release.countDown();
                    }
                });
                assertThat(outcome.finished()).as("rule 11: the caller was interrupted while count waited, and %s",
                        outcome.describe()).isTrue();
                if (outcome.returned()) {
                    assertThat(outcome.value())
                            .as("rule 11: count returned %,d after its thread was interrupted, but isPrime says yes to "
                                    + "all %,d numbers of the range: an interrupted wait is not the end of the count. "
                                    + "Throw (and keep the thread interrupted), or finish the count", outcome.value(),
                                    size)
                            .isEqualTo(size);
                }
                assertThat(outcome.interruptedAfter())
                        .as("rule 11: %s after its thread was interrupted, but the thread was no longer marked "
                                + "interrupted: code that catches InterruptedException and does not rethrow it must "
                                + "call Thread.currentThread().interrupt(), so the caller's code still sees it",
                                outcome.describe())
                        .isTrue();
                LongPredicate answer = Probes.answers(round.between("salt", 0, 1 << 30));
                Ledger next = new Ledger(from, from + size, answer);
                Outcome again = Probes.bounded(() -> counter.count(from, from + size, next));
                next.countReturned();
                assertThat(again.returned()).as("rule 7: the count after an interrupted one: %s", again.describe())
                        .isTrue();
                assertThat(next.problems()).as("rule 7: the count after an interrupted one").isEmpty();
                assertThat(again.value()).as("rule 7: the count after an interrupted one")
                        .isEqualTo(Probes.sequentialCount(from, from + size, answer));
            }
        });
    }

    @Test
    @Order(9)
    @Tag("rule-9")
    @DisplayName("refuses every negative start and every end before its start, naming it, asking nothing")
    void refusesBadRanges(Shapes shapes) throws Exception {
        shapes.check(8, round -> {
            long from;
            long to;
            long named;
            switch (round.oneOf("bad", "negative start", "end before start", "end negative")) {
                case "negative start" -> {
                    from = round.oneOf("from", -1L, Long.MIN_VALUE, -round.between("below zero", 2L, Long.MAX_VALUE));
                    to = round.oneOf("to", 0L, Long.MAX_VALUE, round.between("to", 0L, 1_000_000L));
                    named = from;
                }
                case "end before start" -> {
                    from = round.oneOf("from", Long.MAX_VALUE, round.between("from", 1L, Long.MAX_VALUE));
                    to = from - round.between("end before start by", 1L, Math.min(from, 1L << 40));
                    named = to;
                }
                default -> {
                    from = round.between("from", 0L, Long.MAX_VALUE);
                    to = round.oneOf("to", -1L, Long.MIN_VALUE, -round.between("below zero", 2L, 1_000_000L));
                    named = to;
                }
            }
            Ledger isPrime = new Ledger(0, 0, n -> true);
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(round.between("threads", 1, 8))) {
                assertThatThrownBy(() -> counter.count(from, to, isPrime))
                        .as("rule 9: count(%d, %d, isPrime) must throw an IllegalArgumentException naming %d", from,
                                to, named)
                        .isInstanceOf(IllegalArgumentException.class)
                        .satisfies(e -> assertThat(Probes.plainNumbers(e.getMessage()))
                                .as("rule 9: the message must name the bad bound %d", named)
                                .contains(Long.toString(named)));
                assertThat(isPrime.calls()).as("rule 9: a refused range asks isPrime nothing").isZero();
            }
        });
    }

    @Test
    @Order(10)
    @Tag("rule-9")
    @DisplayName("counts 0 in an empty range, anywhere up to Long.MAX_VALUE, asking isPrime nothing")
    void countsNothingInEmptyRanges(Shapes shapes) throws Exception {
        shapes.check(5, round -> {
            long at = round.oneOf("at", 0L, 1L, 2L, Long.MAX_VALUE, round.between("at", 3L, Long.MAX_VALUE - 1));
            Ledger isPrime = new Ledger(at, at, n -> true);
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(round.between("threads", 1, 8))) {
                assertThat(counter.count(at, at, isPrime)).as("rule 9: [%d, %d) holds no number", at, at).isZero();
                assertThat(isPrime.calls()).as("rule 9: [%d, %d) holds no number to ask about", at, at).isZero();
            }
        });
    }

    @Test
    @Order(11)
    @Tag("rule-9")
    @Tag("precondition")
    @DisplayName("refuses to be built with fewer than one thread")
    void refusesFewerThanOneThread(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int threads = round.oneOf("threads", 0, -1, Integer.MIN_VALUE, -round.between("below zero", 2, 1 << 30));
            assertThatThrownBy(() -> new ParallelPrimeCounter(threads))
                    .as("rule 9: new ParallelPrimeCounter(%d) must throw an IllegalArgumentException naming %d",
                            threads, threads)
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(Probes.plainNumbers(e.getMessage()))
                            .as("rule 9: the message must name the thread count %d", threads)
                            .contains(Integer.toString(threads)));
        });
    }

    @Test
    @Order(12)
    @Tag("rule-9")
    @DisplayName("refuses a negative start also when the range is empty or runs backwards, naming the start")
    void refusesNegativeStartsOfEmptyAndBackwardRanges(Shapes shapes) throws Exception {
        shapes.check(4, round -> {
            long from = round.oneOf("from", -1L, Long.MIN_VALUE, -round.between("below zero", 2L, Long.MAX_VALUE));
            long before = from == Long.MIN_VALUE ? 0 : round.between("end before start by", 1L,
                    Math.min(1L << 40, from - Long.MIN_VALUE));
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(round.between("threads", 1, 8))) {
                for (long to : new long[] {from, from - before}) {
                    Ledger isPrime = new Ledger(0, 0, n -> true);
                    assertThatThrownBy(() -> counter.count(from, to, isPrime))
                            .as("rule 9: count(%d, %d, isPrime): a negative from is refused whatever to is, also "
                                    + "when the range is empty; check the bounds before anything else", from, to)
                            .isInstanceOf(IllegalArgumentException.class)
                            .satisfies(e -> assertThat(Probes.plainNumbers(e.getMessage()))
                                    .as("rule 9: the message must name the bad bound from = %d", from)
                                    .contains(Long.toString(from)));
                    assertThat(isPrime.calls()).as("rule 9: a refused range asks isPrime nothing").isZero();
                }
            }
        });
    }

    @Test
    @Order(13)
    @Tag("rule-6")
    @Tag("rule-1")
    @DisplayName("asks no number twice when isPrime fails, for every kind of failure, and a failure once is a failure")
    void asksNoNumberTwiceWhenIsPrimeFails(Shapes shapes) throws Exception {
        for (String kind : Failures.KINDS) {
            for (boolean once : new boolean[] {true, false}) {
                shapes.check(1, round -> {
                    int threads = round.between("threads", 1, 8);
                    long from = round.between("from", 0, 2_000_000);
                    int size = (int) round.between("size", 1, 40_000);
                    long at = from + round.between("fails at offset", 0, size - 1);
                    Throwable failure = Failures.of(kind, "isPrime broke");
                    AtomicIntegerArray asked = new AtomicIntegerArray(size);
                    AtomicBoolean thrown = new AtomicBoolean();
                    LongPredicate breaks = n -> {
                        if (n >= from && n < from + size) {
                            asked.incrementAndGet((int) (n - from));
                        }
                        if (n == at && (!once || thrown.compareAndSet(false, true))) {
                            throw Sneaky.raise(failure);
                        }
                        return Probes.isPrime(n);
                    };
                    Outcome outcome;
                    try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
                        outcome = Probes.bounded(() -> counter.count(from, from + size, breaks));
                    }
                    String how = once ? "the first time it was asked about " + at + " (and would have answered a "
                            + "second time)" : "every time it was asked about " + at;
                    assertThat(outcome.causes())
                            .as("rule 6: isPrime threw %s (%s) %s, but %s: a failure is not something to try again, "
                                    + "count must throw it or an exception caused by it%s", kind, failure, how,
                                    outcome.describe(), Failures.KINDS.indexOf(kind) >= 3 ? ". isPrime is not yours: "
                                    + "an exception it throws is its failure, even of a kind your own code uses as a "
                                    + "signal (a piece that stops itself, a future's wrapper, an interrupt)" : "")
                            .contains(failure);
                    List<Long> twice = new ArrayList<>();
                    for (int i = 0; i < size && twice.size() < 5; i++) {
                        if (asked.get(i) > 1) {
                            twice.add(from + i);
                        }
                    }
                    assertThat(twice)
                            .as("rule 1: isPrime threw %s %s, and count asked these numbers again: each number is "
                                    + "asked exactly once per count, a failure included", kind, how)
                            .isEmpty();
                });
            }
        }
    }

    @Test
    @Order(14)
    @Tag("rule-11")
    @DisplayName("keeps the caller interrupted when it was interrupted before count or during isPrime's first call")
    void keepsAnEarlyInterrupt(Shapes shapes) throws Exception {
        for (boolean before : new boolean[] {true, false}) {
            shapes.check(2, round -> keepsAnEarlyInterrupt(round, before));
        }
    }

    private void keepsAnEarlyInterrupt(Shapes round, boolean before) {
        int threads = round.between("threads", 1, 6);
        long from = round.between("from", 0, 2_000_000);
        long size = round.between("size", 2_000, 30_000);
        AtomicReference<Thread> caller = new AtomicReference<>();
        AtomicBoolean first = new AtomicBoolean(true);
        LongPredicate answer = Probes.answers(round.between("salt", 0, 1 << 30));
        LongPredicate isPrime = n -> {
            if (!before && first.compareAndSet(true, false)) {
                caller.get().interrupt();
            }
            return answer.test(n);
        };
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
            Outcome outcome = Probes.bounded(() -> {
                caller.set(Thread.currentThread());
                if (before) {
                    Thread.currentThread().interrupt();
                }
                return counter.count(from, from + size, isPrime);
            });
            String when = before ? "was already interrupted when it called count"
                    : "was interrupted during isPrime's first call";
            assertThat(outcome.finished()).as("rule 11: the caller %s, and %s", when, outcome.describe())
                    .isTrue();
            if (outcome.returned()) {
                assertThat(outcome.value())
                        .as("rule 11: the caller %s, and count returned %,d: a count that returns must be whole",
                                when, outcome.value())
                        .isEqualTo(Probes.sequentialCount(from, from + size, answer));
            }
            assertThat(outcome.interruptedAfter())
                    .as("rule 11: the caller %s; %s, and the thread was no longer marked interrupted. "
                            + "Thread.interrupted() clears the mark: test with isInterrupted(), or interrupt the "
                            + "thread again before you throw or return", when, outcome.describe())
                    .isTrue();
        }
    }
}

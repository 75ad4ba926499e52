package katas.parallelprimes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongPredicate;
import katas.parallelprimes.Probes.Gate;
import katas.parallelprimes.Probes.Ledger;
import katas.parallelprimes.Probes.Outcome;
import katas.parallelprimes.Probes.Stuck;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Sneaky;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The tests own {@code isPrime}: they count who asks about which number, hold threads inside it to
 * see how many run at once, make it slow or make it throw. Every shape (thread counts, ranges,
 * where a number is slow, what is thrown) is drawn from a seed that a failure prints, so that
 * {@code mvn test -Dkatas.seed=N} replays it. No test measures time: the grader measures speedup.
 */
@DisplayName("ParallelPrimeCounter")
@KataTest
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class ParallelPrimeCounterTest {

    static final int CORES = Runtime.getRuntime().availableProcessors();

    @Nested
    @Order(2)
    @DisplayName("counts")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class Counting {

        @Test
        @Order(1)
        @Tag("rule-1")
        @DisplayName("asks isPrime about every number of the range exactly once, and counts its yes answers")
        void asksAboutEveryNumberOnce(Shapes shapes) throws Exception {
            shapes.check(6, round -> {
                int threads = round.between("threads", 1, 8);
                long size = round.chance("tiny range", 0.3) ? round.between("size", 1, 2 * threads + 3)
                        : round.between("size", 1_000, 60_000);
                long from = switch (round.oneOf("start", "near 0", "in the millions", "around Integer.MAX_VALUE")) {
                    case "near 0" -> round.between("from", 0, 40);
                    case "in the millions" -> round.between("from", 1_000_000, 9_000_000);
                    default -> Integer.MAX_VALUE - round.between("below Integer.MAX_VALUE", -size, size);
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
                                + "exactly once, and return only when every call has returned", from, to, threads, size)
                        .isEmpty();
                assertThat(got)
                        .as("rule 1: isPrime said yes to %,d numbers of [%,d, %,d), but count returned %,d", expected,
                                from, to, got)
                        .isEqualTo(expected);
            });
        }
    }

    @Nested
    @Order(1)
    @DisplayName("shares the work among its threads")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class Sharing {

        @Test
        @Order(2)
        @Tag("rule-3")
        @DisplayName("tests numbers on all of its threads at the same moment, even on fewer cores")
        void runsOnAllItsThreadsAtOnce(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                int threads = round.between("threads", 2, 6);
                long size = threads * round.between("numbers per thread", 10_000, 25_000) + round.between("more", 0, 999);
                long from = round.between("from", 0, 2_000_000);
                LongPredicate answer = Probes.answers(round.between("salt", 0, 1 << 30));
                Gate gate = new Gate(threads, answer);
                long got;
                try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
                    got = counter.count(from, from + size, gate);
                }
                assertThat(gate.met())
                        .as("rule 3: a counter built with %d threads never had more than %d of them in isPrime at the "
                                + "same moment (%s). Either the pieces ran one after another (the result of one awaited "
                                + "before the next was handed out), or there were fewer pieces or fewer threads than %d",
                                threads, gate.met(), gate.opened(), threads)
                        .isGreaterThanOrEqualTo(threads);
                assertThat(got).as("rule 1: the count of [%,d, %,d)", from, from + size)
                        .isEqualTo(Probes.sequentialCount(from, from + size, answer));
            });
        }

        @Test
        @Order(1)
        @Tag("rule-4")
        @DisplayName("never runs isPrime on more threads at once than it was given")
        void neverRunsOnMoreThreadsThanGiven(Shapes shapes) throws Exception {
            shapes.check(1, round -> atMostThreads(round, round.between("threads, fewer than cores", 1,
                    Math.max(1, CORES - 1))));
            shapes.check(1, round -> atMostThreads(round, round.between("threads", 2, CORES + 3)));
        }

        private void atMostThreads(Shapes round, int threads) {
            long size = threads * round.between("numbers per thread", 1_000, 3_000) + round.between("more", 0, 999);
            long from = round.between("from", 0, 2_000_000);
            Gate gate = new Gate(threads, Probes.answers(round.between("salt", 0, 1 << 30)));
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
                counter.count(from, from + size, gate);
            }
            assertThat(gate.peak())
                    .as("rule 4: a counter built with %d threads (on %d cores) ran isPrime on %d threads at the same "
                            + "moment (%s): use exactly the threads you were given, no more (not one per core, not a "
                            + "spare, not a new thread per piece or per number)", threads, CORES, gate.peak(),
                            gate.opened())
                    .isLessThanOrEqualTo(threads);
        }

        @Test
        @Order(3)
        @Tag("rule-2")
        @DisplayName("loses no find when all of its threads find primes at the same moment")
        void losesNoFind(Shapes shapes) throws Exception {
            // isPrime says yes to every number, so every thread reports a find on every call, and it makes
            // the threads meet now and then so that they report at the same moment (Probes.Lockstep): on a
            // busy machine two threads otherwise run at the same moment only now and then.
            shapes.check(2, round -> {
                int threads = round.between("threads", 2, 6);
                long size = round.between("size", 150_000, 300_000);
                long from = round.between("from", 0, 1_000_000);
                Probes.Lockstep lockstep = new Probes.Lockstep(threads);
                try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
                    for (int count = 1; count <= 2; count++) {
                        long got = counter.count(from, from + size, lockstep);
                        assertThat(got)
                                .as("rule 2: count %d: isPrime said yes to all %,d numbers, but count returned %,d: "
                                        + "%,d finds were lost. Two threads read the same running total and both "
                                        + "wrote back total + 1 (lost update): let each piece count on its own and add "
                                        + "up the pieces' results once they are done", count, size, got, size - got)
                                .isEqualTo(size);
                    }
                }
            });
        }

        @Test
        @Order(4)
        @Tag("rule-5")
        @DisplayName("keeps its other threads busy while one of them is stuck on a slow number")
        void keepsItsOtherThreadsBusy(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                int threads = round.between("threads", 2, 4);
                long size = round.between("size", 60_000, 120_000);
                long from = round.between("from", 0, 300_000);
                long stickAt = from + round.between("stuck at offset", 0, size / 2);
                LongPredicate answer = Probes.answers(round.between("salt", 0, 1 << 30));
                Stuck stuck = new Stuck(size, stickAt, size / (2L * threads), 0);
                Ledger ledger = new Ledger(from, from + size, answer).hook(stuck);
                long got;
                try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
                    got = counter.count(from, from + size, ledger);
                    ledger.countReturned();
                }
                assertThat(stuck.releasedInTime())
                        .as("rule 5: %s", stuck.whyNotReleased(size, threads))
                        .isTrue();
                assertThat(ledger.problems()).as("rule 1: every number asked about exactly once").isEmpty();
                assertThat(got).as("rule 1: the count of [%,d, %,d)", from, from + size)
                        .isEqualTo(Probes.sequentialCount(from, from + size, answer));
            });
        }
    }

    @Nested
    @Order(3)
    @DisplayName("when isPrime fails")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class Failures {

        @Test
        @Order(1)
        @Tag("rule-6")
        @DisplayName("passes any failure of isPrime to the caller: an unchecked exception, an Error, a checked exception")
        void passesEveryKindOfFailureOn(Shapes shapes) throws Exception {
            for (Throwable failure : oneOfEachKind(shapes)) {
                int threads = shapes.between("threads", 1, 6);
                long size = shapes.between("size", 2_000, 60_000);
                long from = shapes.between("from", 0, 1_000_000);
                long failAt = from + switch (shapes.oneOf("fails on", "the first number", "the last number", "any")) {
                    case "the first number" -> 0;
                    case "the last number" -> size - 1;
                    default -> shapes.between("offset", 0, size - 1);
                };
                LongPredicate breaks = n -> {
                    if (n == failAt) {
                        throw Sneaky.raise(failure);
                    }
                    return Probes.isPrime(n);
                };
                Outcome outcome;
                try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
                    outcome = Probes.bounded(() -> counter.count(from, from + size, breaks));
                }
                assertThat(outcome.finished())
                        .as("rule 6: isPrime threw %s on %,d, and %s: a failure in a worker must end the count",
                                failure, failAt, outcome.describe())
                        .isTrue();
                assertThat(outcome.thrown())
                        .as("rule 6: isPrime threw %s on %,d of [%,d, %,d), but count returned %,d as if nothing had "
                                + "happened: the failure was lost in a worker thread", failure, failAt, from,
                                from + size, outcome.value())
                        .isNotNull();
                assertThat(outcome.causes())
                        .as("rule 6: isPrime threw %s, but count threw %s, which is neither that failure nor caused "
                                + "by it", failure, outcome.thrown())
                        .contains(failure);
            }
        }

        @Test
        @Order(2)
        @Tag("rule-7")
        @DisplayName("counts right again on the same counter after a count that failed")
        void countsRightAgainAfterAFailure(Shapes shapes) throws Exception {
            int threads = shapes.between("threads", 1, 5);
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
                for (int i = 1; i <= 3; i++) {
                    long from = shapes.between("from " + i, 0, 3_000_000);
                    long size = shapes.between("size " + i, 5_000, 40_000);
                    Throwable failure = shapes.failure("failure " + i, "isPrime broke");
                    long failAt = from + shapes.between("fails at " + i, 0, size - 1);
                    Outcome failed = Probes.bounded(() -> counter.count(from, from + size, n -> {
                        if (n == failAt) {
                            throw Sneaky.raise(failure);
                        }
                        return Probes.isPrime(n);
                    }));
                    assertThat(failed.causes()).as("rule 6: count %d, isPrime threw %s: %s", i, failure,
                            failed.describe()).contains(failure);
                    LongPredicate answer = Probes.answers(shapes.between("salt " + i, 0, 1 << 30));
                    Ledger ledger = new Ledger(from, from + size, answer);
                    Outcome next = Probes.bounded(() -> counter.count(from, from + size, ledger));
                    ledger.countReturned();
                    assertThat(next.returned())
                            .as("rule 7: after a count on this counter failed with %s, the next count of [%,d, %,d) "
                                    + "must work, but %s", failure, from, from + size, next.describe())
                            .isTrue();
                    assertThat(ledger.problems()).as("rule 7: the count after a failure").isEmpty();
                    assertThat(next.value()).as("rule 7: the count of [%,d, %,d) after a count that failed", from,
                            from + size).isEqualTo(Probes.sequentialCount(from, from + size, answer));
                }
            }
        }

        private List<Throwable> oneOfEachKind(Shapes shapes) {
            List<Throwable> failures = new ArrayList<>();
            Set<Class<?>> kinds = new HashSet<>();
            for (int i = 0; kinds.size() < 3 && i < 100; i++) {
                Throwable failure = shapes.failure("failure " + (kinds.size() + 1), "isPrime broke");
                if (kinds.add(failure.getClass())) {
                    failures.add(failure);
                }
            }
            return failures;
        }
    }

    @Nested
    @Order(4)
    @DisplayName("refuses what it cannot count")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class BadInput {

        @Test
        @Order(1)
        @Tag("rule-9")
        @DisplayName("refuses a negative start or an end before the start, naming it, without asking isPrime anything")
        void refusesBadRanges(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                long from;
                long to;
                long named;
                if (round.chance("negative start", 0.5)) {
                    from = round.oneOf("from", -1L, Long.MIN_VALUE, -round.between("below zero", 2L, 1_000_000_000L));
                    to = round.between("to", 0, 1_000_000);
                    named = from;
                } else {
                    from = round.between("from", 1, 1_000_000_000);
                    to = from - round.between("end before start by", 1, 2 * from);
                    named = to;
                }
                Ledger isPrime = new Ledger(0, 0, Probes::isPrime);
                try (ParallelPrimeCounter counter = new ParallelPrimeCounter(round.between("threads", 1, 4))) {
                    assertThatThrownBy(() -> counter.count(from, to, isPrime))
                            .as("rule 9: count(%d, %d, isPrime) must throw an IllegalArgumentException that names %d",
                                    from, to, named)
                            .isInstanceOf(IllegalArgumentException.class)
                            .satisfies(e -> assertThat(Probes.plainNumbers(e.getMessage()))
                                    .as("rule 9: the message of the exception must name the bad bound %d", named)
                                    .contains(Long.toString(named)));
                    assertThat(isPrime.calls())
                            .as("rule 9: count(%d, %d, isPrime) must refuse the range before asking isPrime anything",
                                    from, to)
                            .isZero();
                    assertThat(counter.count(7, 100, Probes::isPrime))
                            .as("rule 9: after refusing [%d, %d), the counter must still count the 22 primes in [7, 100)",
                                    from, to)
                            .isEqualTo(22);
                }
            });
        }

        @Test
        @Order(2)
        @Tag("rule-9")
        @Tag("precondition")
        @DisplayName("refuses to be built with fewer than one thread")
        void refusesFewerThanOneThread(Shapes shapes) {
            int threads = shapes.oneOf("threads", 0, -1, Integer.MIN_VALUE, -shapes.between("below zero", 2, 1_000));
            assertThatThrownBy(() -> new ParallelPrimeCounter(threads))
                    .as("rule 9: a counter with %d threads could never count anything: new ParallelPrimeCounter(%d) "
                            + "must throw an IllegalArgumentException that names %d", threads, threads, threads)
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(Probes.plainNumbers(e.getMessage()))
                            .as("rule 9: the message must name the thread count %d", threads)
                            .contains(Integer.toString(threads)));
        }
    }

    @Nested
    @Order(5)
    @DisplayName("when closed")
    class Closing {

        @Test
        @Tag("rule-12")
        @DisplayName("ends every thread it started, those of every count")
        void endsItsThreads(Shapes shapes) throws Exception {
            int threads = shapes.between("threads", 1, 6);
            int counts = shapes.between("counts", 2, 3);
            Set<Thread> before = new HashSet<>(Probes.liveThreads());
            Set<Thread> ran = new HashSet<>();
            try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
                for (int i = 1; i <= counts; i++) {
                    long from = shapes.between("from " + i, 0, 2_000_000);
                    long to = from + shapes.between("size " + i, 10_000, 40_000);
                    Ledger ledger = new Ledger(from, to, Probes::isPrime);
                    counter.count(from, to, ledger);
                    ran.addAll(ledger.threads());
                }
            }
            List<String> alive = Probes.stillAlive(before, ran);
            assertThat(alive)
                    .as("rule 12: close() returned, but %d threads that the counter started were still alive %d s "
                            + "later: %s. Threads that are never stopped outlive the counter, and live non-daemon "
                            + "threads keep the JVM from exiting: close() must stop every thread the counter started",
                            alive.size(), Probes.PATIENCE.toSeconds(), alive)
                    .isEmpty();
        }
    }
}

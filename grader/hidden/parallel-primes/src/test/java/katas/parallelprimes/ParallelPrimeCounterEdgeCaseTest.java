package katas.parallelprimes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import katas.parallelprimes.Probes.CallLedger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import katas.testkit.KataTest;

/** Hidden: edge cases of the range, the bounds near Long.MAX_VALUE, bad input, failures, reuse. */
@DisplayName("ParallelPrimeCounter at the edges")
@KataTest
class ParallelPrimeCounterEdgeCaseTest {

    @ParameterizedTest(name = "[{0}, {1}) with {2} threads holds {3} primes")
    @CsvSource({
        "0, 1, 1, 0", "0, 1, 4, 0", "1, 2, 3, 0", "2, 3, 2, 1", "0, 2, 8, 0", "0, 3, 8, 1",
        "0, 10, 16, 4", "3, 5, 1, 1", "4, 5, 2, 0", "10, 13, 8, 1", "0, 100, 7, 25", "97, 98, 3, 1"})
    @DisplayName("counts tiny ranges around 0, 1 and 2 exactly, with any number of threads")
    void countsTinyRanges(long from, long to, int threads, long primes) {
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
            CallLedger ledger = new CallLedger(from, to, TrialDivision.IS_PRIME);
            long got = counter.count(from, to, ledger);
            assertThat(ledger.problems()).as("isPrime must be asked about each of [%d, %d) once", from, to).isEmpty();
            assertThat(got).as("primes in [%d, %d) with %d threads", from, to, threads).isEqualTo(primes);
        }
    }

    @ParameterizedTest(name = "[{0}, {0}) with {1} threads")
    @CsvSource({"0, 1", "0, 4", "1, 2", "2, 3", "1000000, 8", "9223372036854775807, 2"})
    @DisplayName("counts nothing, and asks nothing, in an empty range")
    void countsNothingInAnEmptyRange(long at, int threads) {
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
            CallLedger ledger = new CallLedger(at, at, TrialDivision.IS_PRIME);
            assertThat(counter.count(at, at, ledger)).as("[%d, %d) holds no number", at, at).isZero();
            assertThat(ledger.problems()).as("[%d, %d) holds no number to ask about", at, at).isEmpty();
        }
    }

    @ParameterizedTest(name = "the last {0} numbers below Long.MAX_VALUE with {1} threads")
    @CsvSource({"1, 1", "1, 4", "7, 8", "1000, 3", "100003, 2", "100003, 5"})
    @DisplayName("covers a range that ends at Long.MAX_VALUE exactly, without overflowing")
    void coversARangeEndingAtLongMax(long size, int threads) {
        long to = Long.MAX_VALUE;
        long from = to - size;
        // Trial division of numbers this big takes seconds each: here "prime" means "divisible by 3".
        LongPredicate divisibleBy3 = n -> n % 3 == 0;
        long expected = 0;
        for (long n = from; n < to; n++) {
            expected += n % 3 == 0 ? 1 : 0;
        }
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
            CallLedger ledger = new CallLedger(from, to, divisibleBy3);
            long got = counter.count(from, to, ledger);
            assertThat(ledger.problems())
                    .as("[Long.MAX_VALUE - %d, Long.MAX_VALUE) with %d threads: every number must be asked about "
                            + "once. Near Long.MAX_VALUE, from + to, start + chunkSize or (to - from) * i overflow "
                            + "and wrap around to negative numbers", size, threads)
                    .isEmpty();
            assertThat(got).as("numbers divisible by 3 in [Long.MAX_VALUE - %d, Long.MAX_VALUE)", size)
                    .isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "count({0}, {1}) is refused, naming {2}")
    @CsvSource({
        "-1, 10, -1", "-10, -5, -10", "-9223372036854775808, 0, -9223372036854775808",
        "5, 4, 4", "0, -1, -1", "1000, 0, 0", "9223372036854775807, 0, 0"})
    @DisplayName("rejects a negative start or an end before the start with a clear message")
    void rejectsBadRanges(long from, long to, String named) {
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(2)) {
            CallLedger ledger = new CallLedger(0, 0, TrialDivision.IS_PRIME);
            assertThatThrownBy(() -> counter.count(from, to, ledger))
                    .as("count(%d, %d, ...) must throw an IllegalArgumentException whose message names %s",
                            from, to, named)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(named);
            assertThat(ledger.problems()).as("a refused range must not be tested at all").isEmpty();
        }
    }

    @ParameterizedTest(name = "[{0}, {1}) with {2} threads")
    @CsvSource({
        "0, 100000, 2", "1000000, 1080000, 3", "123457, 203457, 5", "0, 60000, 1", "999999, 1000001, 4",
        "2000000, 2050000, 16"})
    @DisplayName("agrees with the hidden sequential count on large ranges")
    void agreesWithTheSequentialCount(long from, long to, int threads) {
        long expected = TrialDivision.sequentialCount(from, to);
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(threads)) {
            long got = counter.count(from, to, TrialDivision.IS_PRIME);
            assertThat(got)
                    .as("[%,d, %,d) with %d threads holds %,d primes, count said %,d", from, to, threads, expected, got)
                    .isEqualTo(expected);
        }
    }

    @Test
    @DisplayName("gives the right answer to many counts in a row on one counter")
    void answersManyCountsInARow() {
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(3)) {
            for (int i = 0; i < 20; i++) {
                long from = 1_000L * i * i;
                long to = from + 2_000 + 499L * i;
                long expected = TrialDivision.sequentialCount(from, to);
                assertThat(counter.count(from, to, TrialDivision.IS_PRIME))
                        .as("count number %d, [%,d, %,d), on a counter that has already counted %d times",
                                i + 1, from, to, i)
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    @DisplayName("the default counter counts correctly with one thread per core")
    void defaultCounterCountsCorrectly() {
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter()) {
            assertThat(counter.count(0, 100_000, TrialDivision.IS_PRIME))
                    .as("primes in [0, 100,000) with new ParallelPrimeCounter()")
                    .isEqualTo(9_592);
        }
    }

    @Test
    @DisplayName("passes a failure of isPrime on to the caller, and counts right again afterwards")
    void passesOnAFailureAndRecovers() {
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(3)) {
            LongPredicate breaksOn = n -> {
                if (n == 33_333) {
                    throw new IsPrimeBroke(n);
                }
                return TrialDivision.isPrime(n);
            };
            Throwable thrown = catchThrowable(() -> counter.count(0, 50_000, breaksOn));
            assertThat(thrown)
                    .as("isPrime threw on 33,333, but count returned normally: the failure was lost in a worker")
                    .isNotNull();
            assertThat(causes(thrown))
                    .as("count threw %s, which is neither isPrime's exception nor caused by it", thrown)
                    .anyMatch(IsPrimeBroke.class::isInstance);
            assertThat(counter.count(0, 50_000, TrialDivision.IS_PRIME))
                    .as("after a count that failed, the same counter must still count [0, 50,000) right")
                    .isEqualTo(5_133);
        }
    }

    @Test
    @DisplayName("passes a failure on without hanging when isPrime fails on every number")
    void passesOnFailuresOfEveryPiece() {
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter(2)) {
            LongPredicate breaksOnFirst = n -> {
                throw new IsPrimeBroke(n);
            };
            Throwable thrown = catchThrowable(() -> counter.count(10, 20_000, breaksOnFirst));
            assertThat(causes(thrown))
                    .as("isPrime threw on every number, and count threw %s instead", thrown)
                    .anyMatch(IsPrimeBroke.class::isInstance);
        }
    }

    static List<Throwable> causes(Throwable thrown) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = thrown; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    static final class IsPrimeBroke extends RuntimeException {
        IsPrimeBroke(long n) {
            super("isPrime broke on " + n);
        }
    }
}

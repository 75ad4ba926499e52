package katas.fixtherace;

import static org.assertj.core.api.Assertions.assertThat;

import katas.testkit.Contention;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.DisplayName;

/** Hidden: the lost-update race under several shapes of contention, each repeated. */
@DisplayName("HitCounter under stress")
class HitCounterStressTest {

    @ParameterizedTest(name = "{0} threads x {1} hits, {2} rounds")
    // The last row runs long enough for a time-sliced (loaded, or one-core) machine to preempt a thread
    // inside hits++ many times: short rounds catch the race on two idle cores, only long ones on a busy one.
    @CsvSource({"2, 50000, 3", "8, 20000, 5", "32, 2000, 5", "4, 1000000, 1"})
    @DisplayName("loses no hit, whatever the number of threads")
    void losesNoHit(int threads, int callsEach, int rounds) throws InterruptedException {
        for (int round = 1; round <= rounds; round++) {
            HitCounter counter = new HitCounter();
            Contention.threads(threads).callsEach(callsEach).run((t, i) -> counter.increment());
            long expected = (long) threads * callsEach;
            assertThat(counter.get())
                    .as("round %d: expected %,d hits, got %,d: %,d increments were lost (two threads read the "
                            + "same count and both wrote back count + 1)", round, expected, counter.get(),
                            expected - counter.get())
                    .isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "{0} readers")
    @CsvSource({"4"})
    @DisplayName("never shows a count going backwards to a reader running alongside the writers")
    void readersSeeAMonotonicCount(int readers) throws InterruptedException {
        HitCounter counter = new HitCounter();
        long[] lastSeen = new long[readers];
        long[] wentBack = new long[1];
        int writers = 4;
        Contention.threads(writers + readers).callsEach(20_000).run((t, i) -> {
            if (t < writers) {
                counter.increment();
            } else {
                long now = counter.get();
                if (now < lastSeen[t - writers]) {
                    synchronized (wentBack) {
                        wentBack[0]++;
                    }
                }
                lastSeen[t - writers] = now;
            }
        });
        assertThat(counter.get())
                .as("expected %,d hits, got %,d (lost updates)", writers * 20_000L, counter.get())
                .isEqualTo(writers * 20_000L);
        assertThat(wentBack[0]).as("a reader saw the count go down %d times", wentBack[0]).isZero();
    }
}

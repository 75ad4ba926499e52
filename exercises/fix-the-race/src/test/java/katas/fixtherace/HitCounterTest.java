package katas.fixtherace;

import static org.assertj.core.api.Assertions.assertThat;

import katas.testkit.Contention;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import katas.testkit.KataTest;

@DisplayName("HitCounter")
@KataTest
class HitCounterTest {

    @Nested
    @DisplayName("from one thread")
    class SingleThreaded {

        @Test
        @DisplayName("counts every hit")
        void countsEveryHit() {
            HitCounter counter = new HitCounter();
            for (int i = 0; i < 1_000; i++) {
                counter.increment();
            }
            assertThat(counter.get()).isEqualTo(1_000);
        }

        @Test
        @DisplayName("starts at zero")
        void startsAtZero() {
            assertThat(new HitCounter().get()).isZero();
        }
    }

    @Nested
    @DisplayName("under contention")
    class UnderContention {

        @Test
        @DisplayName("keeps every hit when eight threads count at the same time")
        void keepsEveryHitWhenEightThreadsCountAtOnce() throws InterruptedException {
            int threads = 8;
            int callsEach = 20_000;
            for (int round = 1; round <= 3; round++) {
                HitCounter counter = new HitCounter();
                Contention.threads(threads).callsEach(callsEach).run((t, i) -> counter.increment());
                long expected = (long) threads * callsEach;
                long lost = expected - counter.get();
                assertThat(counter.get())
                        .as("round %d: expected %,d hits, got %,d: %,d increments were lost because two "
                                + "threads read the same value of `hits` and both wrote back value + 1 (lost update)",
                                round, expected, counter.get(), lost)
                        .isEqualTo(expected);
            }
        }
    }
}

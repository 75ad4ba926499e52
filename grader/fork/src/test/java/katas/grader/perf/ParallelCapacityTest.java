package katas.grader.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Trials with given times stand in for the machine: the probe's arithmetic, not the machine, is under test. */
@DisplayName("The parallel capacity probe")
class ParallelCapacityTest {

    /** Hands out the given times in turn (the first "together" is the untimed warm-up). */
    private record Given(Iterator<Long> aloneTimes, Iterator<Long> togetherTimes) implements ParallelCapacity.Trials {

        static Given times(List<Long> alone, List<Long> together) {
            return new Given(alone.iterator(), together.iterator());
        }

        @Override
        public long alone() {
            return aloneTimes.next();
        }

        @Override
        public long together(int threads) {
            return togetherTimes.next();
        }
    }

    @Test
    @DisplayName("finds three cores' worth when three units take together what one takes alone")
    void findsFullCapacity() throws InterruptedException {
        Given trials = Given.times(List.of(40L, 40L, 40L, 40L, 40L), List.of(90L, 40L, 40L, 40L, 40L, 40L));
        assertThat(new ParallelCapacity(trials).measure(3)).isEqualTo(3.0);
    }

    @Test
    @DisplayName("finds one core's worth when three units take three times as long together")
    void findsOneCoreWhenTheUnitsQueue() throws InterruptedException {
        Given trials = Given.times(List.of(40L, 40L, 40L, 40L, 40L), List.of(120L, 120L, 120L, 120L, 120L, 120L));
        assertThat(new ParallelCapacity(trials).measure(3)).isEqualTo(1.0);
    }

    @Test
    @DisplayName("keeps the fastest round of each, which other work on the machine disturbed least")
    void keepsTheFastestRounds() throws InterruptedException {
        Given trials = Given.times(List.of(55L, 40L, 70L, 48L, 41L), List.of(500L, 95L, 80L, 44L, 160L, 90L));
        assertThat(new ParallelCapacity(trials).measure(2)).isEqualTo(2 * 40.0 / 44.0);
    }

    @Test
    @DisplayName("does not probe a single thread: one thread is one core's worth")
    void oneThreadIsOneCore() throws InterruptedException {
        Given none = Given.times(List.of(), List.of());
        assertThat(new ParallelCapacity(none).measure(1)).isEqualTo(1);
    }
}

package katas.testkit.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("RunningBudget")
class RunningBudgetTest {

    private static final long SLICE = RunningBudget.SLICE.toNanos();
    private static final long LATE = RunningBudget.LATE.toNanos();

    @Test
    @DisplayName("is spent by slices that end on time, and then asks for no more waiting")
    void isSpentBySlicesOnTime() {
        RunningBudget budget = new RunningBudget(Duration.ofMillis(250));
        assertThat(budget.nextSliceNanos()).isEqualTo(SLICE);
        budget.spent(SLICE, SLICE);
        budget.spent(SLICE, SLICE);
        assertThat(budget.exhausted()).isFalse();
        assertThat(budget.nextSliceNanos()).as("only what is left").isEqualTo(Duration.ofMillis(50).toNanos());
        budget.spent(budget.nextSliceNanos(), Duration.ofMillis(50).toNanos());
        assertThat(budget.exhausted()).isTrue();
        assertThat(budget.nextSliceNanos()).isZero();
        assertThat(budget.uncounted()).isZero();
        assertThat(budget.describe()).isEqualTo("250 ms");
    }

    @Test
    @DisplayName("counts a slice that ends a little late in full: waking up late on a busy machine is normal")
    void countsALateSliceInFull() {
        RunningBudget budget = new RunningBudget(Duration.ofSeconds(1));
        budget.spent(SLICE, SLICE + LATE);
        assertThat(budget.uncounted()).isZero();
        budget.spent(SLICE, SLICE + LATE);
        budget.spent(SLICE, SLICE + LATE);
        assertThat(budget.exhausted()).as("3 x 350 ms counted").isTrue();
    }

    @Test
    @DisplayName("does not count a pause of the whole JVM inside a slice beyond the slice and its lateness")
    void leavesAPauseUncounted() {
        RunningBudget budget = new RunningBudget(Duration.ofSeconds(10));
        budget.spent(SLICE, Duration.ofSeconds(12).toNanos());
        assertThat(budget.exhausted()).as("a 12 s pause in a 10 s bound").isFalse();
        assertThat(budget.uncounted()).isEqualTo(Duration.ofSeconds(12).minusNanos(SLICE + LATE));
        assertThat(budget.describe()).isEqualTo("10 s (and 11.7 s of pauses when nothing ran, not counted)");
        for (int i = 0; i < 100 && !budget.exhausted(); i++) {
            budget.spent(budget.nextSliceNanos(), budget.nextSliceNanos());
        }
        assertThat(budget.exhausted()).isTrue();
    }

    @Test
    @DisplayName("leaves at most 30 s uncounted in all, so threads that starve the waiter still end in a hang")
    void capsWhatIsLeftUncounted() {
        RunningBudget budget = new RunningBudget(Duration.ofSeconds(10));
        for (int i = 0; i < 20; i++) {
            budget.spent(SLICE, Duration.ofSeconds(2).toNanos());
        }
        assertThat(budget.uncounted()).isEqualTo(RunningBudget.MOST_UNCOUNTED);
        assertThat(budget.exhausted()).as("40 s on the wall clock, 30 s of it uncounted").isTrue();
    }

    @Test
    @DisplayName("takes a wait that returned early, or a clock that went backwards, for what it is")
    void handlesShortAndNegativeWaits() {
        RunningBudget budget = new RunningBudget(Duration.ofMillis(200));
        budget.spent(SLICE, -5);
        budget.spent(SLICE, 10);
        assertThat(budget.exhausted()).isFalse();
        assertThat(budget.nextSliceNanos()).isEqualTo(SLICE);
        assertThat(new RunningBudget(Duration.ZERO).exhausted()).isTrue();
    }
}

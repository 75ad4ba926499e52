package katas.grader.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import katas.testkit.perf.SpeedupWorkload;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The speedup meter")
class SpeedupMeterTest {

    /** Sums 0..n; the candidate can be told to answer wrong or to crawl. */
    record Sum(boolean wrong, long sleepMillis) implements SpeedupWorkload<Integer, Long> {
        @Override
        public Integer input(int trial) {
            return 200_000 + trial;
        }

        @Override
        public Long baseline(Integer n) {
            long s = 0;
            for (int i = 0; i < n; i++) {
                s += i;
            }
            return s;
        }

        @Override
        public Long candidate(Integer n) throws InterruptedException {
            Thread.sleep(sleepMillis);
            return baseline(n) + (wrong ? 1 : 0);
        }
    }

    @Test
    @DisplayName("takes the median of the per-pair ratios")
    void takesTheMedian() {
        assertThat(SpeedupMeter.median(List.of(3.0, 1.0, 2.0))).isEqualTo(2.0);
        assertThat(SpeedupMeter.median(List.of(4.0, 1.0, 2.0, 3.0))).isEqualTo(2.5);
    }

    @Test
    @DisplayName("checks every timed answer against the baseline's and awards nothing for a wrong one")
    void rejectsAWrongAnswer() {
        Measurement m = new SpeedupMeter().measure(new Sum(true, 0), 3);
        assertThat(m.failure()).contains("your version answered").contains("sequential baseline answered");
        assertThat(m.speedup()).isZero();
    }

    @Test
    @DisplayName("measures at least three pairs and at most as many as asked, after a warm-up")
    void measuresBetweenThreeAndTheAskedPairs() {
        Measurement m = new SpeedupMeter().measure(new Sum(false, 0), 6);
        assertThat(m.failure()).isNull();
        assertThat(m.ratios()).hasSizeBetween(SpeedupMeter.MIN_PAIRS, 6);
    }

    /** A baseline that sleeps 40 ms and a candidate that sleeps 20 ms: ratios of about 2 that agree. */
    record Steady() implements SpeedupWorkload<Integer, Integer> {
        @Override
        public Integer input(int trial) {
            return trial;
        }

        @Override
        public Integer baseline(Integer trial) throws InterruptedException {
            Thread.sleep(40);
            return trial;
        }

        @Override
        public Integer candidate(Integer trial) throws InterruptedException {
            Thread.sleep(20);
            return trial;
        }
    }

    @Test
    @DisplayName("stops after three pairs whose ratios agree, since more would not move the median")
    void stopsEarlyWhenTheRatiosAgree() {
        Measurement m = new SpeedupMeter().measure(new Steady(), 5);
        assertThat(m.failure()).isNull();
        assertThat(m.ratios()).hasSize(SpeedupMeter.MIN_PAIRS);
        assertThat(m.speedup()).isBetween(1.6, 2.1);
    }

    @Test
    @DisplayName("judges ratios to agree when three of them, and most, lie within 8% of their median")
    void agreementIsRelativeToTheMedian() {
        assertThat(SpeedupMeter.agree(List.of(1.85, 1.90, 1.95))).isTrue();
        assertThat(SpeedupMeter.agree(List.of(1.50, 1.90, 1.95))).isFalse();
        assertThat(SpeedupMeter.agree(List.of(1.66, 1.21, 1.69, 1.72))).as("one odd ratio in four").isTrue();
        assertThat(SpeedupMeter.agree(List.of(1.2, 1.9))).as("fewer than three").isFalse();
    }
}

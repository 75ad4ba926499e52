package katas.grader.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import katas.testkit.perf.SpeedupWorkload;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The speedup meter")
class SpeedupMeterTest {

    // The tests pass KATA_CORES=2 (the last argument), so the target is targetPerCore x 2 on any machine.

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
        Measurement m = new SpeedupMeter().measure(new Sum(true, 0), 3, 0.9, 2);
        assertThat(m.failure()).contains("your version answered").contains("sequential baseline answered");
        assertThat(m.speedup()).isZero();
    }

    @Test
    @DisplayName("measures at least two pairs and at most as many as asked, after a warm-up")
    void measuresBetweenTwoAndTheAskedPairs() {
        Measurement m = new SpeedupMeter().measure(new Sum(false, 0), 6, 0.9, 2);
        assertThat(m.failure()).isNull();
        assertThat(m.ratios()).hasSizeBetween(SpeedupMeter.CLEAR_PAIRS, 6);
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
    @DisplayName("stops after two pairs that agree well above the target: a third could not change the score")
    void stopsEarlyWhenTheRatiosAgreeWellAboveTheTarget() {
        Measurement m = new SpeedupMeter().measure(new Steady(), 5, 0.75, 2);
        assertThat(m.failure()).isNull();
        assertThat(m.ratios()).hasSize(SpeedupMeter.CLEAR_PAIRS);
        assertThat(m.speedup()).isBetween(1.6, 2.1);
    }

    @Test
    @DisplayName("takes a third pair when two agreeing ratios pass the target by less than the 8% margin")
    void takesAThirdPairNearTheTarget() {
        Measurement m = new SpeedupMeter().measure(new Steady(), 5, 0.95, 2);
        assertThat(m.ratios()).hasSizeGreaterThanOrEqualTo(SpeedupMeter.MIN_PAIRS);
    }

    @Test
    @DisplayName("measures every pair when the speedup lies between 1x and the target, where points depend on it")
    void measuresEveryPairForPartialCredit() {
        Measurement m = new SpeedupMeter().measure(new Steady(), 5, 1.5, 2);
        assertThat(m.ratios()).hasSize(5);
    }

    @Test
    @DisplayName("calls the score decided when three ratios, and most, agree within 8% on one side of the band")
    void decidedWhenMostRatiosAgreeOutsideThePartialBand() {
        assertThat(SpeedupMeter.decided(List.of(1.85, 1.90, 1.95), 1.8)).isTrue();
        assertThat(SpeedupMeter.decided(List.of(1.50, 1.90, 1.95), 1.8)).as("disagree").isFalse();
        assertThat(SpeedupMeter.decided(List.of(1.66, 1.21, 1.69, 1.72), 1.5)).as("one odd ratio in four").isTrue();
        assertThat(SpeedupMeter.decided(List.of(1.2, 1.9), 1.5)).as("fewer than three").isFalse();
        assertThat(SpeedupMeter.decided(List.of(1.55, 1.54, 1.58), 1.8)).as("partial credit").isFalse();
        assertThat(SpeedupMeter.decided(List.of(0.98, 0.97, 0.99), 1.8)).as("no speedup").isTrue();
    }

    @Test
    @DisplayName("calls the score decided after two pairs only when both clear the target, or 1x, by more than 8%")
    void decidedAfterTwoPairsOnlyWithAClearMargin() {
        assertThat(SpeedupMeter.decided(List.of(1.74, 1.71), 1.5)).as("clear pass").isTrue();
        assertThat(SpeedupMeter.decided(List.of(1.88, 1.86), 1.8)).as("pass within the margin").isFalse();
        assertThat(SpeedupMeter.decided(List.of(1.74, 1.55), 1.5)).as("one near the target").isFalse();
        assertThat(SpeedupMeter.decided(List.of(2.4, 1.7), 1.5)).as("disagree").isFalse();
        assertThat(SpeedupMeter.decided(List.of(0.85, 0.88), 1.5)).as("clearly no speedup").isTrue();
        assertThat(SpeedupMeter.decided(List.of(0.97, 0.98), 1.5)).as("about 1x").isFalse();
        assertThat(SpeedupMeter.decided(List.of(1.3, 1.31), 1.5)).as("partial credit").isFalse();
    }

    @Test
    @DisplayName("calibrates the machine's parallel capacity first, unless KATA_CORES fixes the cores")
    void calibratesUnlessKataCoresIsSet() {
        Measurement calibrated = new SpeedupMeter().measure(new Steady(), 5, 0.75, 0);
        assertThat(calibrated.capacity()).isPositive();
        assertThat(calibrated.parallelism()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(new SpeedupMeter().measure(new Steady(), 5, 0.75, 2).capacity()).isZero();
    }
}

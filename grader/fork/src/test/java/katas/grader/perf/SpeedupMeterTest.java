package katas.grader.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import katas.testkit.perf.SpeedupWorkload;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The meter runs on a virtual clock here: a workload "takes" the time it adds to the clock, so every
 * ratio is exact and no test depends on how busy the machine is.
 */
@DisplayName("The speedup meter")
class SpeedupMeterTest {

    // The tests pass KATA_CORES=2 (the last argument), so the target is targetPerCore x 2.

    private final AtomicLong clock = new AtomicLong();
    private final AtomicInteger probed = new AtomicInteger();

    private SpeedupMeter meter() {
        return new SpeedupMeter(clock::get, threads -> {
            probed.incrementAndGet();
            return threads;
        });
    }

    /** A baseline and a candidate that take the given milliseconds of virtual time, pair after pair. */
    private final class Timed implements SpeedupWorkload<Integer, Integer> {
        private final long baselineMillis;
        private final long[] candidateMillis;
        private final boolean wrong;

        Timed(long baselineMillis, boolean wrong, long... candidateMillis) {
            this.baselineMillis = baselineMillis;
            this.candidateMillis = candidateMillis;
            this.wrong = wrong;
        }

        @Override
        public Integer input(int trial) {
            return trial;
        }

        @Override
        public Integer baseline(Integer trial) {
            clock.addAndGet(baselineMillis * 1_000_000);
            return trial;
        }

        @Override
        public Integer candidate(Integer trial) {
            clock.addAndGet(candidateMillis[Math.min(trial, candidateMillis.length - 1)] * 1_000_000);
            return wrong ? trial + 1 : trial;
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
        Measurement m = meter().measure(new Timed(40, true, 20), 3, 0.9, 2);
        assertThat(m.failure()).contains("your version answered").contains("sequential baseline answered");
        assertThat(m.speedup()).isZero();
    }

    @Test
    @DisplayName("divides the baseline's time by the candidate's, pair by pair, after an untimed warm-up pair")
    void measuresRatiosAfterAWarmUp() {
        Measurement m = meter().measure(new Timed(40, false, 400, 20, 25, 32, 16, 10), 5, 1.5, 2);
        assertThat(m.ratios()).containsExactly(2.0, 1.6, 1.25, 2.5, 4.0);
        assertThat(m.speedup()).isEqualTo(2.0);
        assertThat(m.baselineMillis()).isEqualTo(40);
    }

    @Test
    @DisplayName("stops after two pairs that agree well above the target: a third could not change the score")
    void stopsEarlyWhenTheRatiosAgreeWellAboveTheTarget() {
        Measurement m = meter().measure(new Timed(40, false, 20), 5, 0.75, 2);
        assertThat(m.failure()).isNull();
        assertThat(m.ratios()).hasSize(SpeedupMeter.CLEAR_PAIRS);
        assertThat(m.speedup()).isEqualTo(2.0);
    }

    @Test
    @DisplayName("takes a third pair when two agreeing ratios pass the target by less than the 8% margin")
    void takesAThirdPairNearTheTarget() {
        Measurement m = meter().measure(new Timed(40, false, 20), 5, 0.95, 2);
        assertThat(m.ratios()).hasSize(SpeedupMeter.MIN_PAIRS);
    }

    @Test
    @DisplayName("measures every pair when the speedup lies between 1x and the target, where points depend on it")
    void measuresEveryPairForPartialCredit() {
        Measurement m = meter().measure(new Timed(40, false, 20), 5, 1.5, 2);
        assertThat(m.ratios()).hasSize(5);
    }

    @Test
    @DisplayName("measures as many pairs again after a near miss, and counts the median of them all")
    void measuresAgainAfterANearMiss() {
        // 5 pairs at 1.67x against a 1.70x target (short by 2%), then a machine back to its usual speed: 1.82x
        Measurement m = meter().measure(new Timed(100, false, 60, 60, 60, 60, 60, 60, 55), 5, 0.85, 2);
        assertThat(m.ratios()).hasSize(10);
        assertThat(m.speedup()).isGreaterThanOrEqualTo(1.70);
    }

    @Test
    @DisplayName("keeps a steady near miss a miss: more pairs, the same median")
    void keepsASteadyNearMissShort() {
        Measurement m = meter().measure(new Timed(100, false, 60), 5, 0.85, 2);
        assertThat(m.ratios()).hasSize(10);
        assertThat(m.speedup()).isCloseTo(100 / 60.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    @DisplayName("measures no more pairs for a speedup clearly short of the target")
    void measuresNoMoreForAClearMiss() {
        Measurement m = meter().measure(new Timed(100, false, 66), 5, 0.85, 2); // 1.52x: 11% short
        assertThat(m.ratios()).hasSize(5);
    }

    @Test
    @DisplayName("tells a near miss from a clear one by the 8% margin below the target")
    void nearMissIsWithinTheMargin() {
        assertThat(SpeedupMeter.nearMiss(List.of(1.69), 1.70)).isTrue();
        assertThat(SpeedupMeter.nearMiss(List.of(1.57), 1.70)).isTrue();
        assertThat(SpeedupMeter.nearMiss(List.of(1.56), 1.70)).isFalse();
        assertThat(SpeedupMeter.nearMiss(List.of(1.70), 1.70)).isFalse();
    }

    @Test
    @DisplayName("stops a candidate that crawls at four times the baseline's time, and says it is too slow")
    void stopsACrawlingCandidate() {
        SpeedupWorkload<Integer, Integer> crawler = new SpeedupWorkload<>() {
            @Override
            public Integer input(int trial) {
                return trial;
            }

            @Override
            public Integer baseline(Integer trial) {
                return trial;
            }

            @Override
            public Integer candidate(Integer trial) throws InterruptedException {
                Thread.sleep(60_000);
                return trial;
            }
        };
        long start = System.nanoTime();
        Measurement m = meter().measure(crawler, 5, 0.9, 2);
        assertThat(m.failure()).contains("took more than 4 times as long as the sequential baseline");
        assertThat(System.nanoTime() - start).as("stopped at the bound").isLessThan(30_000_000_000L);
    }

    @Test
    @DisplayName("calibrates the machine when the candidate is too slow before the first calibration, so that a busy "
            + "machine makes the part not measurable instead of a zero")
    void calibratesATooSlowCandidate() {
        SpeedupWorkload<Integer, Integer> crawler = new SpeedupWorkload<>() {
            @Override
            public Integer input(int trial) {
                return trial;
            }

            @Override
            public Integer baseline(Integer trial) {
                return trial;
            }

            @Override
            public Integer candidate(Integer trial) throws InterruptedException {
                Thread.sleep(60_000);
                return trial;
            }
        };
        // A machine whose two cores work like one: the grader's load average of 19 in the round-5 red team.
        Measurement m = new SpeedupMeter(clock::get, threads -> {
            probed.incrementAndGet();
            return 1.0;
        }).measure(crawler, 5, 0.9, 0);
        assertThat(m.failure()).contains("took more than 4 times as long as the sequential baseline");
        assertThat(probed).hasValue(1);
        assertThat(m.capacity()).isEqualTo(1.0);
        assertThat(SpeedupTarget.of(0.9, 2, 0, 2, m.capacity()).measurable()).isFalse();
    }

    @Test
    @DisplayName("calibrates again after the pairs when the speedup falls short, and counts the lower reading")
    void calibratesAgainWhenShort() {
        java.util.Iterator<Double> readings = List.of(2.0, 1.1).iterator();
        Measurement m = new SpeedupMeter(clock::get, threads -> {
            probed.incrementAndGet();
            return readings.next();
        }).measure(new Timed(40, false, 33), 5, 0.75, 0); // 1.21x against 1.5x: the machine went busy meanwhile
        assertThat(probed).hasValue(2);
        assertThat(m.capacity()).isEqualTo(1.1);
        assertThat(SpeedupTarget.of(0.75, 2, 0, 2, m.capacity()).measurable()).isFalse();
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
        // 40x: above the target on any machine up to 53 cores, so no second calibration
        Measurement calibrated = meter().measure(new Timed(40, false, 1), 5, 0.75, 0);
        assertThat(probed).hasValue(1);
        assertThat(calibrated.capacity()).isPositive();
        assertThat(calibrated.parallelism()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(meter().measure(new Timed(40, false, 20), 5, 0.75, 2).capacity()).isZero();
        assertThat(probed).hasValue(1);
    }
}

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
    @DisplayName("measures as many pairs as asked, after a warm-up")
    void measuresEveryPair() {
        Measurement m = new SpeedupMeter().measure(new Sum(false, 0), 4);
        assertThat(m.failure()).isNull();
        assertThat(m.ratios()).hasSize(4);
    }
}

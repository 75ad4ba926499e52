package katas.grader.perf;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The speedup target")
class SpeedupTargetTest {

    private static final Offset<Double> EXACT = Offset.offset(1e-9);

    @Test
    @DisplayName("counts every core present when the calibration found about as many")
    void countsTheCoresPresent() {
        SpeedupTarget target = SpeedupTarget.of(0.9, 2, 0, 2, 1.93);
        assertThat(target.speedup()).isCloseTo(1.8, EXACT);
        assertThat(target.basis()).isEqualTo("2 cores");
        assertThat(target.reduced()).isFalse();
        assertThat(target.measurable()).isTrue();
    }

    @Test
    @DisplayName("keeps the full count for a low reading within idle cores' noise (1.62 of 2 was seen once)")
    void ignoresNoiseOnIdleCores() {
        SpeedupTarget target = SpeedupTarget.of(0.9, 2, 0, 2, 1.62);
        assertThat(target.speedup()).isCloseTo(1.8, EXACT);
        assertThat(target.basis()).isEqualTo("2 cores");
    }

    @Test
    @DisplayName("counts what hyper-threads delivered, not how many there are: 4 logical cores that work like 2")
    void countsWhatHyperThreadsDeliver() {
        SpeedupTarget target = SpeedupTarget.of(0.9, 4, 0, 4, 2.27);
        assertThat(target.cores()).isCloseTo(2.2, EXACT);
        assertThat(target.speedup()).isCloseTo(1.98, EXACT);
        assertThat(target.basis()).isEqualTo("4 logical cores that worked like 2.2");
        assertThat(target.reduced()).isTrue();
    }

    @Test
    @DisplayName("never counts more cores than the workload uses: 8 worker processes on 16 cores")
    void neverCountsMoreThanTheWorkloadUses() {
        SpeedupTarget target = SpeedupTarget.of(0.75, 16, 0, 8, 7.8);
        assertThat(target.speedup()).isCloseTo(6.0, EXACT);
        assertThat(target.basis()).isEqualTo("8 workers on 16 cores");
        assertThat(target.reduced()).isTrue();
    }

    @Test
    @DisplayName("takes KATA_CORES as given: an instructor's count is neither capped nor calibrated")
    void takesKataCoresAsGiven() {
        SpeedupTarget target = SpeedupTarget.of(0.9, 8, 4, 8, 3.1);
        assertThat(target.speedup()).isCloseTo(3.6, EXACT);
        assertThat(target.basis()).isEqualTo("4 cores");
    }

    @Test
    @DisplayName("calls a machine that delivers less than 1.5 cores' worth unmeasurable, like one core")
    void tooLittleParallelWorkIsNotMeasurable() {
        assertThat(SpeedupTarget.of(0.9, 2, 0, 2, 1.18).measurable()).isFalse();
        assertThat(SpeedupTarget.of(0.9, 1, 0, 1, 0).measurable()).isFalse();
        assertThat(SpeedupTarget.of(0.9, 2, 0, 2, 0).measurable()).as("no calibration ran").isTrue();
    }
}

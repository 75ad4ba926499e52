package katas.grader.parts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import katas.grader.perf.Measurement;
import katas.grader.perf.SpeedupTarget;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Speedup scoring")
class SpeedupVerdictTest {

    /** 0.9 x 2 cores: a 1.8x target. */
    private static final SpeedupTarget TWO_CORES = SpeedupTarget.of(0.9, 2, 0, 2, 0);

    private static Measurement measured(double speedup) {
        return new Measurement("primes in [0, 1000)", List.of(speedup, speedup), speedup, 1000, 1000 / speedup, null, 2);
    }

    @Test
    @DisplayName("gives nothing at 1x or below, everything at the target, and a straight line between, rounded down")
    void isLinearBetweenOneAndTheTarget() {
        assertThat(new SpeedupVerdict(measured(1.0), TWO_CORES).score(30)).isZero();
        assertThat(new SpeedupVerdict(measured(0.7), TWO_CORES).score(30)).isZero();
        assertThat(new SpeedupVerdict(measured(1.4), TWO_CORES).score(30)).isEqualTo(15);
        assertThat(new SpeedupVerdict(measured(1.45), TWO_CORES).score(30)).isEqualTo(16);
        assertThat(new SpeedupVerdict(measured(1.7999), TWO_CORES).score(30)).isEqualTo(29);
        assertThat(new SpeedupVerdict(measured(1.8), TWO_CORES).score(30)).isEqualTo(30);
        assertThat(new SpeedupVerdict(measured(2.9), TWO_CORES).score(30)).isEqualTo(30);
    }

    @Test
    @DisplayName("gives nothing for a speedup the cores present cannot give, and says the work was not the same")
    void givesNothingBeyondWhatTheCoresCanGive() {
        SpeedupVerdict remembered = new SpeedupVerdict(measured(99.89), TWO_CORES);
        assertThat(remembered.score(30)).isZero();
        assertThat(remembered.beyondTheCores()).isTrue();
        assertThat(remembered.summary()).startsWith("measured 99.89x on 2 cores, more than 2 cores can give")
                .contains("remembering none from an earlier count");
        assertThat(new SpeedupVerdict(measured(3.0), TWO_CORES).beyondTheCores()).as("1.5 x 2 cores").isFalse();
        assertThat(new SpeedupVerdict(measured(3.01), TWO_CORES).score(30)).isZero();
    }

    @Test
    @DisplayName("gives nothing when an answer was wrong, however fast")
    void givesNothingForAWrongAnswer() {
        Measurement wrong = new Measurement("x", List.of(5.0), 5.0, 10, 2, "your version answered 3", 2);
        assertThat(new SpeedupVerdict(wrong, TWO_CORES).score(30)).isZero();
    }

    @Test
    @DisplayName("states the speedup, the target, the cores and the spread in one line")
    void summarisesInOneLine() {
        assertThat(new SpeedupVerdict(measured(1.93), TWO_CORES).summary())
                .isEqualTo("1.93x on 2 cores (target 1.80x, spread 0.00 over 2 pairs)");
    }

    @Test
    @DisplayName("names the calibrated cores in its line when the machine delivered fewer than it has")
    void namesTheCalibratedCores() {
        SpeedupTarget hyperThreads = SpeedupTarget.of(0.9, 4, 0, 4, 2.07);
        assertThat(new SpeedupVerdict(measured(1.93), hyperThreads).summary())
                .isEqualTo("1.93x on 4 logical cores that worked like 2.0 (target 1.80x, spread 0.00 over 2 pairs)");
    }
}

package katas.grader.scoring;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import katas.grader.perf.Measurement;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Speedup scoring")
class ScorerTest {

    private static Measurement measured(double speedup) {
        return new Measurement("primes in [0, 1000)", List.of(speedup, speedup), speedup, 1000, 1000 / speedup, null, 2);
    }

    @Test
    @DisplayName("gives nothing at 1x or below, everything at the target, and a straight line between")
    void isLinearBetweenOneAndTheTarget() {
        assertThat(new SpeedupVerdict(measured(1.0), 2, 1.8).score(30)).isZero();
        assertThat(new SpeedupVerdict(measured(0.7), 2, 1.8).score(30)).isZero();
        assertThat(new SpeedupVerdict(measured(1.4), 2, 1.8).score(30)).isCloseTo(15, Offset.offset(1e-9));
        assertThat(new SpeedupVerdict(measured(1.8), 2, 1.8).score(30)).isEqualTo(30);
        assertThat(new SpeedupVerdict(measured(3.5), 2, 1.8).score(30)).isEqualTo(30);
    }

    @Test
    @DisplayName("gives nothing when an answer was wrong, however fast")
    void givesNothingForAWrongAnswer() {
        Measurement wrong = new Measurement("x", List.of(5.0), 5.0, 10, 2, "your version answered 3", 2);
        assertThat(new SpeedupVerdict(wrong, 2, 1.8).score(30)).isZero();
    }

    @Test
    @DisplayName("states the speedup, the target, the cores and the spread in one line")
    void summarisesInOneLine() {
        assertThat(new SpeedupVerdict(measured(1.93), 2, 1.8).summary())
                .isEqualTo("1.93x on 2 cores (target 1.80x, spread 0.00 over 2 pairs)");
    }
}

package katas.grader.parts;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Points")
class PointsTest {

    @Test
    @DisplayName("share a part by the tests passed, rounded down, so only every test earns full points")
    void shareRoundsDown() {
        assertThat(Points.share(40, 7, 9)).isEqualTo(31);
        assertThat(Points.share(40, 9, 9)).isEqualTo(40);
        assertThat(Points.share(60, 59, 60)).isEqualTo(59);
        assertThat(Points.share(100, 199, 200)).isEqualTo(99);
        assertThat(Points.share(40, 0, 9)).isZero();
        assertThat(Points.share(40, 3, 0)).isZero();
    }

    @Test
    @DisplayName("give all of a fraction's points only at a fraction of 1, however close a smaller one comes")
    void fractionNeedsAllOfIt() {
        assertThat(Points.fraction(30, 0.5)).isEqualTo(15);
        assertThat(Points.fraction(30, 1 - 1e-15)).isEqualTo(29);
        assertThat(Points.fraction(30, 1)).isEqualTo(30);
        assertThat(Points.fraction(30, 2.5)).isEqualTo(30);
        assertThat(Points.fraction(30, -1)).isZero();
        assertThat(Points.fraction(30, Double.NaN)).isZero();
    }

    @Test
    @DisplayName("call a part full, partial or none by its whole points")
    void statusFollowsThePoints() {
        assertThat(Points.status(40, 40)).isEqualTo(PartStatus.FULL);
        assertThat(Points.status(39, 40)).isEqualTo(PartStatus.PARTIAL);
        assertThat(Points.status(0, 40)).isEqualTo(PartStatus.NONE);
    }
}

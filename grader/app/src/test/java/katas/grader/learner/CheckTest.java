package katas.grader.learner;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("./grade check's verdict")
class CheckTest {

    @Test
    @DisplayName("passes only when every kata checked is at full marks")
    void passesOnlyAtFullMarks() {
        assertThat(Check.passed(Results.grade(Results.kata("a", 40, 60)))).isTrue();
        assertThat(Check.passed(Results.grade(Results.kata("a", 40, 60), Results.kata("b", 40, 59)))).isFalse();
        assertThat(Check.passed(Results.grade())).isFalse();
        assertThat(Check.verdict(Results.grade(Results.kata("a", 40, 60), Results.kata("b", 12, 0))))
                .containsExactly("check: a passed (100/100)", "check: b failed (12/100)");
    }

    @Test
    @DisplayName("passes a kata at full marks on every part this checkout can grade, and says what was not graded")
    void passesWithoutHiddenTests() {
        var grade = Results.grade(Results.solvedWithoutHiddenTests("a"));

        assertThat(Check.passed(grade)).isTrue();
        assertThat(Check.verdict(grade)).containsExactly("check: a passed (40/100: full marks on every part graded "
                + "here; the rest cannot be graded in this checkout)");
    }
}

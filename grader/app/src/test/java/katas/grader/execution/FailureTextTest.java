package katas.grader.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class FailureTextTest {

    @Test
    @DisplayName("a reason kept in a value that must be null reads as 'rule: reason', quotes and all inside kept")
    void oneLineReason() {
        String assertj = failureOf("a thread kept calling get() and saw \"3\" after 4 hits", "rule 2, a hit shows at once");

        assertThat(FailureText.readable(assertj))
                .isEqualTo("rule 2, a hit shows at once: a thread kept calling get() and saw \"3\" after 4 hits");
    }

    @Test
    @DisplayName("a reason of many lines keeps its lines and their own indentation, without AssertJ's")
    void manyLineReason() {
        String assertj = failureOf("these tellers wait in a circle:\n  Ada holds Eli\n  Bo holds Ada", "rule 4");

        assertThat(FailureText.readable(assertj))
                .isEqualTo("rule 4: these tellers wait in a circle:\n  Ada holds Eli\n  Bo holds Ada");
    }

    @Test
    @DisplayName("a value that is not text is shown as AssertJ shows it")
    void otherValues() {
        Throwable failure = catchThrowable(() -> assertThat((Object) List.of(3)).as("left over").isNull());

        assertThat(FailureText.readable(failure.getMessage())).isEqualTo("left over: [3]");
    }

    @Test
    @DisplayName("every other message is left as it is, and no message stays none")
    void othersUntouched() {
        Throwable equality = catchThrowable(() -> assertThat(3).as("rule 1").isEqualTo(4));

        assertThat(FailureText.readable(equality.getMessage())).isEqualTo(equality.getMessage());
        assertThat(FailureText.readable("expected: null\n but was: \"x\"")).isEqualTo("expected: null\n but was: \"x\"");
        assertThat(FailureText.readable(null)).isNull();
    }

    private static String failureOf(String value, String rule) {
        return catchThrowable(() -> assertThat(value).as(rule).isNull()).getMessage();
    }
}

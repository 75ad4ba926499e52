package katas.grader.learner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("./grade interview's task and kata")
class InterviewBriefTest {

    @Test
    @DisplayName("is the README without its Hints section and without links to solutions/")
    void spoilerFree() {
        String brief = KataBrief.of("""
                # Kata 2: fix-the-race

                ## Story

                Hits are lost; see [the answer](../../solutions/fix-the-race/HitCounter.java) or not.

                ## Hints

                <details><summary>Hint 1: where is the race?</summary>
                `hits++` is three steps.
                </details>

                ## Further reading

                - Reference: solutions/fix-the-race/
                - Next kata: [break-the-deadlock](../break-the-deadlock/README.md)
                """);
        assertThat(brief).contains("## Story", "Hits are lost; see the answer or not.", "## Further reading",
                "[break-the-deadlock](../break-the-deadlock/README.md)")
                .doesNotContain("Hint", "hits++", "solutions/");
    }

    @Test
    @DisplayName("is picked among the unsolved katas, the same again from the same seed")
    void picks() {
        List<String> order = List.of("start-and-join", "fix-the-race", "break-the-deadlock");
        GradeState state = GradeState.empty().withGrade(Results.kata("start-and-join", 40, 60), Instant.EPOCH);
        for (long seed = 0; seed < 50; seed++) {
            KataPicker.Pick pick = KataPicker.pick(order, state, seed);
            assertThat(pick.kata()).isNotEqualTo("start-and-join");
            assertThat(pick.among()).isEqualTo(2);
            assertThat(KataPicker.pick(order, state, seed)).isEqualTo(pick);
        }
        GradeState allSolved = state.withGrade(Results.kata("fix-the-race", 40, 60), Instant.EPOCH)
                .withGrade(Results.kata("break-the-deadlock", 40, 60), Instant.EPOCH);
        assertThat(KataPicker.pick(order, allSolved, 7).allSolved()).isTrue();
    }
}

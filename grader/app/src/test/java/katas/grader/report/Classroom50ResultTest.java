package katas.grader.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import katas.grader.GradeResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The Classroom 50 result")
class Classroom50ResultTest {

    private static final Map<String, String> ENV = Map.of("CLASSROOM", "cs-concurrency", "ASSIGNMENT", "katas",
            "SUBMISSION_TAG", "submit/2026-11-30T10-00-00Z-abc1234", "OWNER", "ada", "USERNAME", "ada",
            "ASSIGNMENT_TYPE", "individual", "COMMIT_URL", "https://example.org/commit/abc1234",
            "RELEASE_URL", "https://example.org/releases/submit", "REVIEW_URL", "");

    @Test
    @DisplayName("of every shape of grade is valid, one test per part, and adds up to the console's total")
    void everyShape() {
        GradeResult grade = Grades.everything();

        JsonNode result = Classroom50Rules.read(Classroom50Result.render(grade, Classroom50Identity.fromEnv(ENV)));

        assertThat(Classroom50Rules.problems(result)).isEmpty();
        assertThat(result.get("score").asInt()).isEqualTo(grade.points());
        assertThat(result.get("max-score").asInt()).isEqualTo(grade.max());
        assertThat(result.get("tests")).extracting(t -> t.get("test-name").asText()).contains(
                "fix-the-race: Hidden stress tests", "parallel-primes: Speedup", "broken-kata: the kata can be graded");
        assertThat(iterable(result.fieldNames())).containsExactly("schema", "classroom", "assignment",
                "assignment_type", "owner", "submission", "commit", "release", "review", "datetime", "score",
                "max-score", "tests");
    }

    @Test
    @DisplayName("takes its identity from Classroom 50's variables; the review link falls back to the commit")
    void identity() {
        JsonNode result = Classroom50Rules.read(Classroom50Result.render(Grades.everything(),
                Classroom50Identity.fromEnv(ENV)));

        assertThat(result.get("classroom").asText()).isEqualTo("cs-concurrency");
        assertThat(result.get("submission").asText()).isEqualTo("submit/2026-11-30T10-00-00Z-abc1234");
        assertThat(result.get("owner").asText()).isEqualTo("ada");
        assertThat(result.get("review").asText()).isEqualTo("https://example.org/commit/abc1234");
        assertThat(result.get("datetime").asText()).isEqualTo("2026-11-20T10:00:00Z");
    }

    @Test
    @DisplayName("outside Classroom 50 is still valid, with placeholders that are plainly no submission")
    void withoutClassroom50() {
        JsonNode result = Classroom50Rules.read(Classroom50Result.render(Grades.everything(),
                Classroom50Identity.fromEnv(Map.of())));

        assertThat(Classroom50Rules.problems(result)).isEmpty();
        assertThat(result.get("submission").asText()).isEqualTo("submit/local");
    }

    @Test
    @DisplayName("gives a kata that does not compile the compiler's whole output, every part 0 of its points")
    void doesNotCompile() {
        JsonNode result = Classroom50Rules.read(Classroom50Result.render(Grades.grade(Grades.doesNotCompile()),
                Classroom50Identity.fromEnv(ENV)));

        assertThat(result.get("max-score").asInt()).isEqualTo(100);
        for (JsonNode test : result.get("tests")) {
            assertThat(test.get("passed").asBoolean()).isFalse();
            assertThat(test.get("score").asInt()).isZero();
            assertThat(test.get("message").asText()).contains("does not compile", "';' expected",
                    "balance -= amount");
        }
    }

    @Test
    @DisplayName("caps a long message and keeps it valid UTF-8")
    void capsMessages() {
        String huge = "x".repeat(Classroom50Result.MESSAGE_LIMIT - 1) + "\ud83d\ude00" + "y".repeat(10_000);
        var kata = Grades.doesNotCompile();
        var grade = Grades.grade(new katas.grader.scoring.KataResult(kata.id(), kata.title(), kata.subject(),
                kata.status(), huge, kata.parts(), kata.incidents(), kata.notes(), 1, List.of()));

        JsonNode result = Classroom50Rules.read(Classroom50Result.render(grade, Classroom50Identity.fromEnv(ENV)));

        String message = result.get("tests").get(0).get("message").asText();
        assertThat(message.length()).isLessThan(Classroom50Result.MESSAGE_LIMIT + 100);
        assertThat(message).doesNotContain("\ufffd").contains("cut");
    }

    private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
        return () -> it;
    }
}

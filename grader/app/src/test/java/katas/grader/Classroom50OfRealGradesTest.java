package katas.grader;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import katas.grader.discovery.KitLayout;
import katas.grader.report.Classroom50Report;
import katas.grader.report.Classroom50Rules;
import katas.testkit.KataTest;
import katas.testkit.TimeBound;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Classroom 50 result of real grades of a small kit: the untouched stub, the reference solution,
 * code that does not compile, each with and without the hidden tests in the checkout. Each is valid
 * against the schema, adds up, and keeps the same maximum.
 */
@KataTest
@TimeBound(seconds = 300)
@DisplayName("The Classroom 50 result of real grades")
class Classroom50OfRealGradesTest {

    static final Map<String, String> ENV = Map.of("CLASSROOM", "cs-concurrency", "ASSIGNMENT", "katas",
            "SUBMISSION_TAG", "submit/2026-11-30T10-00-00Z-abc1234", "OWNER", "ada", "ASSIGNMENT_TYPE", "individual",
            "COMMIT_URL", "https://example.org/c/abc1234", "RELEASE_URL", "https://example.org/r/1");
    static final String BROKEN = """
            package hostile;

            public class Calculator {
                public int answer() {
                    return fortyTwo;
                }

                private String missing() {
                    return 42;
                }
            }
            """;

    @TempDir
    static Path dir;
    static JsonNode withHidden;
    static JsonNode withoutHidden;

    @BeforeAll
    static void gradeTwice() throws Exception {
        Path kit = dir.resolve("kit");
        MiniKit mini = new MiniKit(kit).kata("stub", "fake-results").kata("reference", "good").kata("broken", "good");
        for (String id : List.of("stub", "reference", "broken")) {
            mini.withInstructorMaterial(id, "good");
            withHiddenPart(mini.exercise(id));
        }
        Files.writeString(mini.exercise("broken").resolve("src/main/java/hostile/Calculator.java"), BROKEN);
        withHidden = grade(kit, dir.resolve("reports-with-hidden"));
        delete(kit.resolve("grader/hidden"));
        delete(kit.resolve("solutions"));
        Files.createDirectories(kit.resolve("grader/hidden"));
        withoutHidden = grade(kit, dir.resolve("reports-without-hidden"));
    }

    /** A visible part of 40 and a hidden one of 60, as most katas of the kit have. */
    private static void withHiddenPart(Path exercise) throws IOException {
        Path manifest = exercise.resolve("kata.json");
        Files.writeString(manifest, Files.readString(manifest).replace(
                "\"points\": 100 } ]", "\"points\": 40 },\n    { \"id\": \"hidden\", \"title\": \"Hidden tests\", "
                        + "\"kind\": \"tests\", \"source\": \"hidden\", \"points\": 60 } ]"));
    }

    private static JsonNode grade(Path kit, Path reports) throws Exception {
        new Grader().grade(GradeRequest.builder().layout(KitLayout.of(kit)).build(),
                new Listeners(List.of(new Classroom50Report(reports, ENV))));
        return Classroom50Rules.read(Files.readString(reports.resolve(Classroom50Report.FILE)));
    }

    private static void delete(Path path) throws IOException {
        try (Stream<Path> walk = Files.walk(path)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static JsonNode test(JsonNode result, String name) {
        for (JsonNode test : result.get("tests")) {
            if (test.get("test-name").asText().equals(name)) {
                return test;
            }
        }
        throw new AssertionError("no test " + name + " in " + result.toPrettyString());
    }

    @Test
    @DisplayName("is valid and adds up, with the hidden tests and without them")
    void valid() {
        assertThat(Classroom50Rules.problems(withHidden)).as(withHidden.toPrettyString()).isEmpty();
        assertThat(Classroom50Rules.problems(withoutHidden)).as(withoutHidden.toPrettyString()).isEmpty();
    }

    @Test
    @DisplayName("gives the reference solution full points and the untouched stub none")
    void referenceAndStub() {
        assertThat(test(withHidden, "reference: Visible tests").get("passed").asBoolean()).isTrue();
        assertThat(test(withHidden, "reference: Hidden tests").get("score").asInt()).isEqualTo(60);
        assertThat(test(withHidden, "stub: Visible tests").get("passed").asBoolean()).isFalse();
        assertThat(test(withHidden, "stub: Visible tests").get("score").asInt()).isZero();
        assertThat(test(withHidden, "stub: Hidden tests").get("score").asInt()).isZero();
        assertThat(withHidden.get("score").asInt()).isEqualTo(100);
    }

    @Test
    @DisplayName("gives code that does not compile 0 in every part, with every compiler error in the message")
    void doesNotCompile() {
        for (String part : List.of("broken: Visible tests", "broken: Hidden tests")) {
            JsonNode test = test(withHidden, part);
            assertThat(test.get("score").asInt()).isZero();
            assertThat(test.get("max-score").asInt()).isPositive();
            // Both errors, not only the first line.
            assertThat(test.get("message").asText()).contains("does not compile", "cannot find symbol (symbol: ",
                    "incompatible types");
        }
    }

    @Test
    @DisplayName("keeps the same maximum whether the hidden tests are present or the code compiles")
    void constantMaximum() {
        assertThat(withHidden.get("max-score").asInt()).isEqualTo(300);
        assertThat(withoutHidden.get("max-score").asInt()).isEqualTo(300);
        for (String kata : List.of("stub", "reference", "broken")) {
            for (String part : List.of(": Visible tests", ": Hidden tests")) {
                assertThat(test(withoutHidden, kata + part).get("max-score"))
                        .isEqualTo(test(withHidden, kata + part).get("max-score"));
            }
        }
        JsonNode unseen = test(withoutHidden, "reference: Hidden tests");
        assertThat(unseen.get("score").asInt()).isZero();
        assertThat(unseen.get("passed").asBoolean()).isFalse();
        assertThat(unseen.get("message").asText()).contains("not in this checkout");
    }
}

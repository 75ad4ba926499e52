package katas.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The port of the reporter's arithmetic, on results whose totals are worked out by hand. */
class ReporterModelTest {
    static String encode(String json) {
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    static final String PARTIAL = """
            {"version":1,"status":"fail","max_score":100,"tests":[
              {"name":"Visible tests","status":"pass","score":40,"message":"","test_code":"","filename":"","line_no":0,"duration":1},
              {"name":"Hidden tests","status":"fail","score":30,"message":"3 of 6 failed","test_code":"","filename":"","line_no":0,"duration":1}]}""";
    static final String FULL = """
            {"version":1,"status":"pass","max_score":100,"tests":[
              {"name":"Visible tests","status":"pass","score":30,"message":"","test_code":"","filename":"","line_no":0,"duration":1},
              {"name":"Speedup","status":"pass","score":70,"message":"1.9x","test_code":"","filename":"","line_no":0,"duration":1}]}""";

    @Test
    @DisplayName("Classroom records the sum of the scores over the sum of max_score: partial credit counts")
    void sumsFractionalScores() {
        List<ReporterModel.Runner> runners = ReporterModel.read("fix_the_race,parallel_primes",
                Map.of("FIX_THE_RACE_RESULTS", encode(PARTIAL), "PARALLEL_PRIMES_RESULTS", encode(FULL)));

        ReporterModel.Totals totals = ReporterModel.classroomTotals(runners);

        assertThat(totals.totalPoints()).isEqualTo(170.0);
        assertThat(totals.maxPoints()).isEqualTo(200.0);
        assertThat(totals.notice()).isEqualTo("Points 170/200");
        assertThat(ReporterModel.stepFails(runners)).as("a kata below full points fails the reporter's step").isTrue();
    }

    @Test
    @DisplayName("The reporter's console table counts passed tests, not scores (its issue #10)")
    void consoleTableIgnoresScores() {
        ReporterModel.Runner partial = ReporterModel.read("fix_the_race", Map.of("FIX_THE_RACE_RESULTS", encode(PARTIAL))).get(0);

        assertThat(ReporterModel.consoleTableScore(partial)).as("1 of 2 tests passed x 100").isEqualTo(50.0);
        assertThat(ReporterModel.classroomTotals(List.of(partial)).totalPoints()).as("what Classroom records").isEqualTo(70.0);
    }

    @Test
    @DisplayName("A runner without its <RUNNER>_RESULTS variable makes the reporter fail, and no score is sent")
    void missingVariableFails() {
        assertThatThrownBy(() -> ReporterModel.read("fix_the_race,parallel_primes", Map.of("FIX_THE_RACE_RESULTS", encode(FULL))))
                .hasMessageContaining("PARALLEL_PRIMES_RESULTS");
    }

    @Test
    @DisplayName("Runner names are trimmed and upper-cased to find their variable, as the reporter does")
    void runnerNamesAreTrimmedAndUpperCased() {
        List<ReporterModel.Runner> runners = ReporterModel.read(" fix_the_race", Map.of("FIX_THE_RACE_RESULTS", encode(FULL)));
        assertThat(ReporterModel.classroomTotals(runners).totalPoints()).isEqualTo(100.0);
    }

    @Test
    @DisplayName("A test without a score turns Classroom's total into NaN: the contract forbids it")
    void missingScoreIsNaN() {
        String noScore = """
                {"version":1,"status":"fail","max_score":100,"tests":[{"name":"Visible tests","status":"fail"}]}""";
        List<ReporterModel.Runner> runners = ReporterModel.read("k", Map.of("K_RESULTS", encode(noScore)));

        assertThat(ReporterModel.classroomTotals(runners).notice()).isEqualTo("Points NaN/100");
        assertThat(ReporterModel.contractProblems("k", runners.get(0).results())).anyMatch(p -> p.contains("no finite score"));
    }

    @Test
    @DisplayName("Fractional scores add up in IEEE doubles, as in JavaScript: round them in the grader")
    void doublesAddUpLikeJavaScript() {
        assertThat(ReporterModel.js(0.1 + 0.2)).isEqualTo("0.30000000000000004");
        assertThat(ReporterModel.js(87.5)).isEqualTo("87.5");
        assertThat(ReporterModel.js(500.0)).isEqualTo("500");
    }

    @Test
    @DisplayName("The contract check accepts a good result and names every broken promise of a bad one")
    void contractCheck() {
        assertThat(ReporterModel.contractProblems("ok", Kit.json(PARTIAL))).isEmpty();
        assertThat(ReporterModel.contractProblems("ok", Kit.json(FULL))).isEmpty();

        String bad = """
                {"version":2,"status":"pass","max_score":10,"tests":[{"name":"a","status":"passed","score":12}]}""";
        assertThat(ReporterModel.contractProblems("bad", Kit.json(bad)))
                .anyMatch(p -> p.contains("version"))
                .anyMatch(p -> p.contains("status \"passed\""))
                .anyMatch(p -> p.contains("more than max_score"));
    }
}

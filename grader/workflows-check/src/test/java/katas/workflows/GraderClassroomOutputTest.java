package katas.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real grader through the Classroom workflow's grade step: what ./grade --classroom writes
 * decodes, through the reporter's own arithmetic, to the totals ./grade reports in results.json,
 * out of the points of kata.json. Skipped where ./grade is not in the checkout yet.
 *
 * <p>One kata only (the first in teaching order), graded twice: the stub as it is (partial credit
 * or none) and the reference solution (full points).
 */
class GraderClassroomOutputTest {
    static final Duration BOUND = Duration.ofMinutes(10);

    @TempDir
    Path temp;
    Path root;
    String kata;

    @BeforeEach
    void needsTheGrader() {
        root = Kit.root();
        assumeTrue(Files.isRegularFile(root.resolve("grade")), "./grade is not in this checkout yet");
        assumeTrue(Kit.onPath("bash") && Kit.onPath("timeout") && Kit.onPath("base64"), "needs bash and GNU coreutils");
        List<String> katas = Kit.kataIds();
        assumeTrue(!katas.isEmpty(), "no kata yet");
        kata = katas.get(0);
    }

    Map<String, String> githubFiles(Path dir) throws IOException {
        Files.createDirectories(dir);
        Map<String, String> env = new HashMap<>();
        env.put("GITHUB_OUTPUT", Files.createFile(dir.resolve("output")).toString());
        env.put("GITHUB_ENV", Files.createFile(dir.resolve("env")).toString());
        env.put("GITHUB_STEP_SUMMARY", Files.createFile(dir.resolve("summary.md")).toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("KATA_CORES", null);
        return env;
    }

    @Test
    @DisplayName("the stub, through the workflow's grade step: the reporter's total is ./grade's")
    void stubThroughTheGradeStep() throws IOException {
        Path dir = temp.resolve("stub");
        Map<String, String> env = githubFiles(dir);
        env.put("KATAS", kata);
        env.put("GRADE_TIMEOUT", "9m");
        env.put("GRADE_REPORTS", dir.resolve("reports").toString());
        env.put("KATA_CORES_OVERRIDE", "");
        env.put("PRIVATE_MATERIAL", Files.isDirectory(root.resolve("grader/hidden")) ? "present" : "absent");
        String script = Kit.stepWithId(Kit.yaml(Kit.workflow(Kit.CLASSROOM)), "run-autograding-tests", "grade").orElseThrow().path("run").asText();
        Path step = dir.resolve("step.sh");
        Files.writeString(step, script);

        Shell.Result run = Shell.run(List.of("bash", "-e", step.toString()), root, env, BOUND);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        Map<String, String> exported = read(dir.resolve("env"));
        String runners = outputs(dir.resolve("output")).get("runners");
        assertThat(runners).isEqualTo(kata.replace('-', '_'));
        checkAgainstResultsJson(ReporterModel.read(runners, exported), dir.resolve("reports/results.json"));
        assertThat(dir.resolve("summary.md")).as("the scoreboard goes to the job summary").isNotEmptyFile();
    }

    @Test
    @DisplayName("the reference solution: full points in the runner result, the reporter and results.json")
    void solutionGetsFullPoints() throws IOException {
        Path dir = temp.resolve("solution");
        Map<String, String> env = githubFiles(dir);
        assumeTrue(Kit.isFullKit(), "no solutions/ in a student template");

        Shell.Result run = Shell.run(List.of("bash", "./grade", "--classroom", "--solutions", "--reports", dir.resolve("reports").toString(), kata), root, env, BOUND);

        assertThat(run.exitCode()).as(run.toString()).isZero();
        String runner = kata.replace('-', '_');
        String value = outputs(dir.resolve("reports/classroom-outputs.txt")).get(runner);
        assertThat(value).as("./grade --classroom wrote " + runner + "=<base64> to classroom-outputs.txt").isNotBlank();
        assertThat(dir.resolve("output")).as("and nothing to GITHUB_OUTPUT").isEmptyFile();
        List<ReporterModel.Runner> runners = ReporterModel.read(runner, Map.of(runner.toUpperCase(java.util.Locale.ROOT) + "_RESULTS", value));
        ReporterModel.Totals totals = checkAgainstResultsJson(runners, dir.resolve("reports/results.json"));
        assertThat(totals.totalPoints()).as("the reference solution's points").isEqualTo(totals.maxPoints());
        assertThat(runners.get(0).results().path("status").asText()).isEqualTo("pass");
    }

    ReporterModel.Totals checkAgainstResultsJson(List<ReporterModel.Runner> runners, Path resultsJson) {
        assertThat(runners).hasSize(1);
        ReporterModel.Runner runner = runners.get(0);
        assertThat(ReporterModel.contractProblems(runner.name(), runner.results())).isEmpty();
        ReporterModel.Totals totals = ReporterModel.classroomTotals(runners);
        assertThat(totals.maxPoints()).as("max_score is the sum of the points of " + kata + "'s parts in kata.json").isEqualTo(Kit.kataPoints(kata));

        assertThat(resultsJson).as("./grade wrote results.json").isRegularFile();
        double[] graded = kataScore(Kit.json(resultsJson), kata)
                .orElseThrow(() -> new AssertionError("results.json has no object with \"id\": \"" + kata
                        + "\" and a numeric score: adapt GraderClassroomOutputTest.kataScore to the grader's format"));
        assertThat(totals.totalPoints()).as("Classroom's total (" + totals.notice() + ") against ./grade's score for " + kata)
                .isCloseTo(graded[0], org.assertj.core.data.Offset.offset(0.005));
        if (!Double.isNaN(graded[1])) {
            assertThat(totals.maxPoints()).as("Classroom's maximum against ./grade's").isEqualTo(graded[1]);
        }
        return totals;
    }

    /**
     * The kata's score (and maximum, NaN when absent) in results.json: the first object anywhere in
     * it whose "id" or "kata" is the kata id and that has a numeric score field.
     */
    static Optional<double[]> kataScore(JsonNode node, String kataId) {
        if (node.isObject() && (kataId.equals(node.path("id").asText(null)) || kataId.equals(node.path("kata").asText(null)))) {
            for (String scoreField : List.of("score", "points", "earned", "total")) {
                if (node.path(scoreField).isNumber()) {
                    double max = Double.NaN;
                    for (String maxField : List.of("maxScore", "max_score", "maxPoints", "max", "outOf")) {
                        if (node.path(maxField).isNumber()) {
                            max = node.path(maxField).asDouble();
                            break;
                        }
                    }
                    return Optional.of(new double[] {node.path(scoreField).asDouble(), max});
                }
            }
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                Optional<double[]> found = kataScore(child, kataId);
                if (found.isPresent()) {
                    return found;
                }
            }
        }
        return Optional.empty();
    }

    static Map<String, String> read(Path keyValueFile) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (String line : Files.readAllLines(keyValueFile)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return values;
    }

    static Map<String, String> outputs(Path githubOutput) throws IOException {
        return read(githubOutput);
    }
}

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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the Classroom workflow's grade step, exactly as written in classroom.yml, with bash -e (as
 * GitHub does) against a stand-in ./grade that writes what a scenario needs. Checks that the
 * reporter then finds one <RUNNER>_RESULTS per kata and computes the grader's totals, that missing
 * results send no score, and that a hanging grader is stopped at the bound.
 */
class ClassroomGradeStepTest {
    /**
     * A stand-in for ./grade: records its arguments, KATA_CORES and which runner files it was given; in
     * FAKE_MODE=forge plays learner code that found the runner's files on disk and appends to them; then
     * writes the prepared results into the reports folder, as the grader does after every fork ended.
     */
    static final String FAKE_GRADE = """
            #!/usr/bin/env bash
            printf '%s\\n' "$@" > args.txt
            echo "KATA_CORES=${KATA_CORES:-unset}" > cores.txt
            echo "${GITHUB_OUTPUT:-unset} ${GITHUB_ENV:-unset} ${GITHUB_PATH:-unset} ${GITHUB_STEP_SUMMARY:-unset}" > runner-files.txt
            if [ "${FAKE_MODE:-}" = hang ]; then sleep 120; fi
            if [ "${FAKE_MODE:-}" = forge ]; then
              printf 'fix_the_race=eyJmb3JnZWQiOnRydWV9\\ncomplete=true\\n' >> "$FORGE_OUTPUT"
              printf 'BASH_ENV=/tmp/evil\\nNODE_OPTIONS=--require /tmp/evil.js\\nFIX_THE_RACE_RESULTS=eyJmb3JnZWQiOnRydWV9\\n' >> "$FORGE_ENV"
              echo '::set-output name=complete::true'
            fi
            reports=""
            katas=()
            while [ $# -gt 0 ]; do
              case "$1" in --reports) reports="$2"; shift ;; --*) ;; *) katas+=("$1") ;; esac
              shift
            done
            mkdir -p "$reports"
            for kata in "${katas[@]}"; do
              if [ -f "results/$kata.b64" ]; then echo "${kata//-/_}=$(cat "results/$kata.b64")" >> "$reports/classroom-outputs.txt"; fi
            done
            if [ "${FAKE_MODE:-}" = forge ]; then echo 'parallel_primes=not base64!' >> "$reports/classroom-outputs.txt"; fi
            echo '# Concurrency katas' > "$reports/summary.md"
            exit "${FAKE_EXIT:-0}"
            """;

    @TempDir
    Path repo;
    Path output;
    Path environment;
    Path summary;
    String script;

    @BeforeEach
    void fakeRepository() throws IOException {
        assumeTrue(Kit.onPath("bash") && Kit.onPath("timeout") && Kit.onPath("base64"),
                "needs bash, timeout and base64 (GNU coreutils), as on GitHub's Linux runners");
        JsonNode classroom = Kit.yaml(Kit.workflow(Kit.CLASSROOM));
        script = Kit.stepWithId(classroom, "run-autograding-tests", "grade").orElseThrow().path("run").asText();
        kata("parallel-primes", 2);
        kata("fix-the-race", 1);
        Files.createDirectories(repo.resolve("results"));
        Path grade = repo.resolve("grade");
        Files.writeString(grade, FAKE_GRADE);
        grade.toFile().setExecutable(true);
        output = Files.createFile(repo.resolve("github_output"));
        environment = Files.createFile(repo.resolve("github_env"));
        summary = Files.createFile(repo.resolve("github_step_summary"));
    }

    void kata(String id, int order) throws IOException {
        Path dir = Files.createDirectories(repo.resolve("exercises").resolve(id));
        Files.writeString(dir.resolve("kata.json"), "{ \"id\": \"" + id + "\", \"order\": " + order + ", \"parts\": [] }\n");
    }

    void result(String kata, String json) throws IOException {
        Files.writeString(repo.resolve("results").resolve(kata + ".b64"), ReporterModelTest.encode(json) + "\n");
    }

    Shell.Result runStep(Map<String, String> extra, Duration bound) throws IOException {
        Path file = repo.resolve("step.sh");
        Files.writeString(file, script);
        Map<String, String> env = new HashMap<>();
        env.put("GITHUB_OUTPUT", output.toString());
        env.put("GITHUB_ENV", environment.toString());
        env.put("GITHUB_STEP_SUMMARY", summary.toString());
        env.put("KATAS", "");
        env.put("GRADE_TIMEOUT", "20m");
        env.put("GRADE_REPORTS", repo.resolve("grade-reports").toString());
        env.put("KATA_CORES_OVERRIDE", "");
        env.put("PRIVATE_MATERIAL", "present");
        env.put("KATA_CORES", null);
        env.putAll(extra);
        return Shell.run(List.of("bash", "-e", file.toString()), repo, env, bound);
    }

    /** GITHUB_ENV as the next steps see it. */
    Map<String, String> exported() throws IOException {
        Map<String, String> vars = new LinkedHashMap<>();
        for (String line : Files.readAllLines(environment)) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                vars.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return vars;
    }

    String outputValue(String name) throws IOException {
        String value = null;
        for (String line : Files.readAllLines(output)) {
            if (line.startsWith(name + "=")) {
                value = line.substring(name.length() + 1);
            }
        }
        return value;
    }

    @Test
    @DisplayName("every kata in teaching order, one <RUNNER>_RESULTS each: the reporter's total is the grader's")
    void handsEveryKataToTheReporter() throws IOException {
        result("fix-the-race", ReporterModelTest.PARTIAL);
        result("parallel-primes", ReporterModelTest.FULL);

        Shell.Result run = runStep(Map.of(), Duration.ofSeconds(60));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(Files.readAllLines(repo.resolve("args.txt"))).containsExactly("--classroom", "--reports", repo.resolve("grade-reports").toString(), "fix-the-race", "parallel-primes");
        assertThat(outputValue("runners")).isEqualTo("fix_the_race,parallel_primes");
        assertThat(outputValue("complete")).isEqualTo("true");
        assertThat(exported()).containsOnlyKeys("FIX_THE_RACE_RESULTS", "PARALLEL_PRIMES_RESULTS");

        List<ReporterModel.Runner> runners = ReporterModel.read(outputValue("runners"), exported());
        assertThat(ReporterModel.classroomTotals(runners).notice()).isEqualTo("Points 170/200");
    }

    @Test
    @DisplayName("KATAS picks the katas to grade, and only those reach the reporter")
    void katasPicksTheKatas() throws IOException {
        result("fix-the-race", ReporterModelTest.PARTIAL);
        result("parallel-primes", ReporterModelTest.FULL);

        Shell.Result run = runStep(Map.of("KATAS", " parallel-primes "), Duration.ofSeconds(60));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(Files.readAllLines(repo.resolve("args.txt"))).endsWith("parallel-primes").doesNotContain("fix-the-race");
        assertThat(outputValue("runners")).isEqualTo("parallel_primes");
        assertThat(ReporterModel.classroomTotals(ReporterModel.read(outputValue("runners"), exported())).notice()).isEqualTo("Points 100/100");
    }

    @Test
    @DisplayName("a grader that fails: no score is sent, not even for the katas it wrote, and the step says which and why")
    void missingResultSendsNoScore() throws IOException {
        result("fix-the-race", ReporterModelTest.PARTIAL);

        Shell.Result run = runStep(Map.of("FAKE_EXIT", "3"), Duration.ofSeconds(60));

        assertThat(run.exitCode()).as(run.toString()).isNotZero();
        assertThat(outputValue("complete")).isEqualTo("false");
        assertThat(run.output()).contains("::error title=Grader failed::./grade exited with 3")
                .contains("no result for: fix-the-race parallel-primes").contains("Nothing was sent to GitHub Classroom");
    }

    @Test
    @DisplayName("hidden tests configured but missing: graded for feedback, no score sent")
    void failedPrivateMaterialSendsNoScore() throws IOException {
        result("fix-the-race", ReporterModelTest.PARTIAL);
        result("parallel-primes", ReporterModelTest.FULL);

        Shell.Result run = runStep(Map.of("PRIVATE_MATERIAL", "failed"), Duration.ofSeconds(60));

        assertThat(run.exitCode()).isNotZero();
        assertThat(outputValue("complete")).isEqualTo("false");
        assertThat(run.output()).contains("hidden tests were configured but are missing");
    }

    @Test
    @DisplayName("a grader that hangs is stopped at GRADE_TIMEOUT, and the step ends with a plain reason")
    void hangingGraderIsStopped() throws IOException {
        Shell.Result run = runStep(Map.of("FAKE_MODE", "hang", "GRADE_TIMEOUT", "2s"), Duration.ofSeconds(45));

        assertThat(run.timedOut()).as("the step ended by itself").isFalse();
        assertThat(run.took()).isLessThan(Duration.ofSeconds(30));
        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("Grading ran out of time");
        assertThat(outputValue("complete")).isEqualTo("false");
    }

    @Test
    @DisplayName("the variable KATA_CORES reaches the grader as KATA_CORES, and is left unset when empty")
    void passesKataCores() throws IOException {
        result("fix-the-race", ReporterModelTest.FULL);
        result("parallel-primes", ReporterModelTest.FULL);

        runStep(Map.of(), Duration.ofSeconds(60));
        assertThat(repo.resolve("cores.txt")).content().isEqualToIgnoringNewLines("KATA_CORES=unset");

        runStep(Map.of("KATA_CORES_OVERRIDE", "2"), Duration.ofSeconds(60));
        assertThat(repo.resolve("cores.txt")).content().isEqualToIgnoringNewLines("KATA_CORES=2");
    }

    @Test
    @DisplayName("runs ./grade without the runner's files, and discards what learner code appends to them on disk")
    void learnerCodeCannotForgeTheOutputs() throws IOException {
        result("fix-the-race", ReporterModelTest.PARTIAL);
        result("parallel-primes", ReporterModelTest.FULL);
        Files.writeString(output, "earlier=1\n");

        Shell.Result run = runStep(Map.of("FAKE_MODE", "forge", "FORGE_OUTPUT", output.toString(), "FORGE_ENV",
                environment.toString()), Duration.ofSeconds(60));

        assertThat(Files.readString(repo.resolve("runner-files.txt")).strip()).isEqualTo("unset unset unset unset");
        assertThat(run.output()).contains("::error title=Workflow files changed::the code under grading wrote into "
                + "the workflow's files: discarded");
        assertThat(Files.readString(environment)).doesNotContain("BASH_ENV", "NODE_OPTIONS", "eyJmb3JnZWQiOnRydWV9");
        assertThat(Files.readString(output)).startsWith("earlier=1\n").doesNotContain("eyJmb3JnZWQiOnRydWV9");
        assertThat(exported()).containsOnlyKeys("FIX_THE_RACE_RESULTS");
        assertThat(run.output()).contains("no result for: parallel-primes");
        assertThat(outputValue("complete")).isEqualTo("false");
        String log = run.output();
        int stop = log.indexOf("::stop-commands::");
        String token = log.substring(stop + "::stop-commands::".length()).lines().findFirst().orElseThrow();
        assertThat(token).matches("[0-9a-f]{32}");
        assertThat(log.indexOf("::set-output")).as("learner output is fenced").isBetween(stop, log.indexOf("::" + token + "::"));
        assertThat(Files.readString(summary)).contains("# Concurrency katas");
    }
}

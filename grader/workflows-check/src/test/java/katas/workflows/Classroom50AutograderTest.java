package katas.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * grader/classroom50/autograder.py, run end to end with python3 as Classroom 50's runner runs it: in
 * a student's checkout, with a bundle (hidden tests, the kit's grader) and Classroom 50's variables.
 * The bundle's {@code kit/grade} is a stand-in for the grader that also plays the learner's code: it
 * forges ./result.json, the grader's report and the runner's $GITHUB_OUTPUT while it runs, and then
 * writes the grader's real report, as the grader does after every fork has ended.
 */
@DisplayName("The Classroom 50 autograder")
class Classroom50AutograderTest {
    static final Duration BOUND = Duration.ofSeconds(120);
    static final ObjectMapper JSON = new ObjectMapper();
    static final String FORGED = """
            {"schema":"classroom50/result/v1","score":999,"max-score":999,"tests":[]}
            """;
    /** The grader's report: 40/40 and 10/60; the messages say which hidden tests and grader ran. */
    static final String GRADER = """
            #!/usr/bin/env bash
            set -eu
            reports=""
            while [ $# -gt 0 ]; do
              case "$1" in --reports) reports="$2"; shift ;; esac
              shift
            done
            # The learner's code, while the forks run: forge everything it can reach.
            printf '%s\\n' '$FORGED' > result.json
            printf '%s\\n' '$FORGED' > "$reports/classroom50-result.json"
            printf 'BASH_ENV=/tmp/evil\\nscore=999\\n' >> "$LEARNER_FINDS_OUTPUT"
            echo '::set-output name=score::999'
            seen="hidden $(cat grader/hidden/marker); jar $( [ -e grader/app/target ] && echo kept || echo removed); \\
            mvn-config $( [ -e .mvn ] && echo kept || echo removed); GITHUB_OUTPUT ${GITHUB_OUTPUT:-unset}"
            # The grader, after every fork has ended.
            cat > "$reports/classroom50-result.json" <<JSON
            {"schema":"classroom50/result/v1","classroom":"x","assignment":"x","submission":"submit/x","commit":"x",
             "release":"x","review":"x","datetime":"2026-11-30T10:00:00Z","score":$SCORE,"max-score":100,"tests":[
              {"test-name":"fix-the-race: Visible tests","passed":true,"score":40,"max-score":40,"message":"$seen"},
              {"test-name":"fix-the-race: Hidden stress tests","passed":false,"score":$HIDDEN,"max-score":60,"message":"10/60"}]}
            JSON
            printf '# Concurrency katas: 50/100 points\\n' > "$reports/summary.md"
            """;

    @TempDir
    Path temp;
    Path checkout;
    Path bundle;
    Path output;
    Map<String, String> env = new HashMap<>();

    @BeforeEach
    void studentCheckoutAndBundle() throws IOException {
        assumeTrue(Kit.onPath("python3") && Kit.onPath("bash"), "needs python3 and bash");
        checkout = Files.createDirectories(temp.resolve("checkout"));
        Files.createDirectories(checkout.resolve("exercises/fix-the-race"));
        // What a student could commit: a grade of their own, hidden tests, a built jar, Maven settings, outputs.
        executable(checkout.resolve("grade"), "#!/usr/bin/env bash\nprintf '%s' '" + FORGED.strip()
                + "' > \"$4/classroom50-result.json\"\n");
        Files.createDirectories(checkout.resolve("grader/hidden"));
        Files.writeString(checkout.resolve("grader/hidden/marker"), "from the student");
        Files.createDirectories(checkout.resolve("grader/app/target"));
        Files.writeString(checkout.resolve("grader/app/target/grader.jar"), "forged");
        Files.createDirectories(checkout.resolve(".mvn"));
        Files.writeString(checkout.resolve(".mvn/maven.config"), "-Dforged");
        Files.writeString(checkout.resolve("result.json"), FORGED);
        Files.writeString(checkout.resolve("release-body.md"), "forged");

        bundle = Files.createDirectories(temp.resolve("bundle/katas"));
        Files.copy(Kit.root().resolve("grader/classroom50/autograder.py"), bundle.resolve("autograder.py"));
        Files.createDirectories(bundle.resolve("hidden"));
        Files.writeString(bundle.resolve("hidden/marker"), "from the bundle");
        Files.createDirectories(bundle.resolve("kit"));
        executable(bundle.resolve("kit/grade"), GRADER.replace("$FORGED", FORGED.strip()));

        Path bin = Files.createDirectories(temp.resolve("bin"));
        executable(bin.resolve("mvn"), "#!/bin/sh\nexit 0\n"); // the stand-in grader builds nothing
        output = temp.resolve("set_output_1234");
        Files.writeString(output, "earlier=step\n");
        env.putAll(Map.of("CLASSROOM", "cs-concurrency", "ASSIGNMENT", "katas", "SUBMISSION_TAG",
                "submit/2026-11-30T10-00-00Z-abc1234", "OWNER", "ada", "USERNAME", "ada", "ASSIGNMENT_TYPE",
                "individual", "COMMIT_URL", "commit-abc1234", "RELEASE_URL", "release-1",
                "CLASSROOM50_BUNDLE_DIR", bundle.toString(), "GITHUB_OUTPUT", output.toString()));
        env.put("LEARNER_FINDS_OUTPUT", output.toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("PATH", bin + ":" + System.getenv("PATH"));
        env.put("RUNNER_TEMP", Files.createDirectories(temp.resolve("runner-temp")).toString());
        env.put("SCORE", "50");
        env.put("HIDDEN", "10");
    }

    private Shell.Result autograde() {
        return Shell.run(List.of("python3", bundle.resolve("autograder.py").toString()), checkout, env, BOUND);
    }

    @Test
    @DisplayName("writes a valid result.json with the grader's points and Classroom 50's identity, and the release body")
    void writesAValidResult() throws IOException {
        Shell.Result run = autograde();

        assertThat(run.exitCode()).as(run.toString()).isZero();
        JsonNode result = JSON.readTree(Files.readString(checkout.resolve("result.json")));
        assertThat(problems(result)).as(result.toPrettyString()).isEmpty();
        assertThat(result.get("score").asInt()).isEqualTo(50);
        assertThat(result.get("max-score").asInt()).isEqualTo(100);
        assertThat(result.get("classroom").asText()).isEqualTo("cs-concurrency");
        assertThat(result.get("submission").asText()).isEqualTo("submit/2026-11-30T10-00-00Z-abc1234");
        assertThat(result.get("review").asText()).isEqualTo("commit-abc1234");
        assertThat(Files.readString(checkout.resolve("release-body.md"))).startsWith("# Concurrency katas: 50/100");
    }

    @Test
    @DisplayName("grades with the bundle's hidden tests and grader, never the student's, their jar or Maven settings")
    void trustsOnlyTheBundle() throws IOException {
        Shell.Result run = autograde();

        assertThat(run.exitCode()).as(run.toString()).isZero();
        String seen = JSON.readTree(Files.readString(checkout.resolve("result.json"))).get("tests").get(0)
                .get("message").asText();
        assertThat(seen).contains("hidden from the bundle", "jar removed", "mvn-config removed", "GITHUB_OUTPUT unset");
    }

    @Test
    @DisplayName("cannot be forged: a result.json or report written before or during the grade, or lines in $GITHUB_OUTPUT")
    void cannotBeForged() throws IOException {
        Shell.Result run = autograde();

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(Files.readString(checkout.resolve("result.json"))).doesNotContain("999");
        assertThat(Files.readString(output)).isEqualTo("earlier=step\n");
        assertThat(run.output()).contains("::error::the code under grading wrote into the workflow's GITHUB_OUTPUT: "
                + "discarded");
        // The learner's "::set-output" was printed between stop-commands and its token: not a command.
        String log = run.output();
        int stop = log.indexOf("::stop-commands::");
        String token = log.substring(stop + "::stop-commands::".length()).lines().findFirst().orElseThrow();
        assertThat(token).matches("[0-9a-f]{32}");
        assertThat(log.indexOf("::set-output")).isBetween(stop, log.indexOf("::" + token + "::"));
    }

    @Test
    @DisplayName("publishes nothing and says why when the grader's result breaks Classroom 50's rules")
    void refusesAnInvalidResult() throws IOException {
        env.put("SCORE", "110");
        env.put("HIDDEN", "70");

        Shell.Result run = autograde();

        assertThat(run.exitCode()).as(run.toString()).isNotZero();
        assertThat(run.output()).contains("breaks Classroom 50's rules");
        assertThat(checkout.resolve("result.json")).doesNotExist();
    }

    @Test
    @DisplayName("says what is missing when the bundle has no hidden tests")
    void needsTheHiddenTests() throws IOException {
        Files.delete(bundle.resolve("hidden/marker"));
        Files.delete(bundle.resolve("hidden"));

        Shell.Result run = autograde();

        assertThat(run.exitCode()).as(run.toString()).isNotZero();
        assertThat(run.output()).contains("no hidden/ folder");
        assertThat(checkout.resolve("result.json")).doesNotExist();
    }

    /** The kit's schema of a Classroom 50 result, then what it cannot say: the totals are the sums. */
    static List<String> problems(JsonNode result) throws IOException {
        var schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
                .getSchema(JSON.readTree(Files.readString(Kit.root().resolve("grader/classroom50/result-v1.schema.json"))));
        List<String> problems = new ArrayList<>(schema.validate(result).stream().map(ValidationMessage::getMessage).toList());
        int score = 0;
        int max = 0;
        for (JsonNode test : result.path("tests")) {
            score += test.path("score").asInt();
            max += test.path("max-score").asInt();
            if (test.path("score").asInt() > test.path("max-score").asInt()) {
                problems.add(test.path("test-name").asText() + ": score above max-score");
            }
        }
        if (score != result.path("score").asInt() || max != result.path("max-score").asInt()) {
            problems.add("the totals are not the sums of the tests");
        }
        return problems;
    }

    private static void executable(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}

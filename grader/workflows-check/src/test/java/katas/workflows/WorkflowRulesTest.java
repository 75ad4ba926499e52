package katas.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Our own rules for the workflows, beyond what the schema can say. */
class WorkflowRulesTest {
    /** owner/repo[/path]@ref where ref is a version tag (v4, v4.1.7) or a full commit; or a local action. */
    static final Pattern PINNED = Pattern.compile("^(\\./.+|[\\w.-]+/[\\w.-]+(/[\\w./-]+)?@(v\\d+(\\.\\d+){0,2}|[0-9a-f]{40}))$");

    static List<Path> workflows() {
        return Kit.workflows();
    }

    static List<Map.Entry<String, JsonNode>> jobs(JsonNode workflow) {
        List<Map.Entry<String, JsonNode>> jobs = new ArrayList<>();
        workflow.path("jobs").fields().forEachRemaining(jobs::add);
        return jobs;
    }

    /** GNU timeout's duration: a number with an optional s, m, h or d suffix (seconds by default). */
    static double seconds(String duration) {
        Matcher m = Pattern.compile("^(\\d+(?:\\.\\d+)?)([smhd]?)$").matcher(duration.trim());
        assertThat(m.matches()).as("'" + duration + "' is a duration for timeout(1)").isTrue();
        double n = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "m" -> n * 60;
            case "h" -> n * 3600;
            case "d" -> n * 86400;
            default -> n;
        };
    }

    @Nested
    @DisplayName("Every workflow")
    class EveryWorkflow {
        @ParameterizedTest(name = "{0}: every action is pinned to a version")
        @MethodSource("katas.workflows.WorkflowRulesTest#workflows")
        void pinsEveryAction(Path file) {
            List<String> unpinned = new ArrayList<>();
            for (Map.Entry<String, JsonNode> job : jobs(Kit.yaml(file))) {
                for (JsonNode step : job.getValue().path("steps")) {
                    String uses = step.path("uses").asText(null);
                    if (uses != null && !PINNED.matcher(uses).matches()) {
                        unpinned.add(job.getKey() + ": " + uses);
                    }
                }
                String reusable = job.getValue().path("uses").asText(null);
                if (reusable != null && !PINNED.matcher(reusable).matches()) {
                    unpinned.add(job.getKey() + ": " + reusable);
                }
            }
            assertThat(unpinned).as("actions not pinned to a version tag or commit (a branch moves under you)").isEmpty();
        }

        @ParameterizedTest(name = "{0}: every job has a time limit")
        @MethodSource("katas.workflows.WorkflowRulesTest#workflows")
        void boundsEveryJob(Path file) {
            for (Map.Entry<String, JsonNode> job : jobs(Kit.yaml(file))) {
                JsonNode limit = job.getValue().get("timeout-minutes");
                assertThat(limit).as(job.getKey() + " has timeout-minutes (GitHub's default is 6 hours)").isNotNull();
                assertThat(limit.isInt() && limit.asInt() >= 1 && limit.asInt() <= 90)
                        .as(job.getKey() + ": timeout-minutes " + limit + " is a whole number of minutes from 1 to 90").isTrue();
            }
        }

        @ParameterizedTest(name = "{0}: the token's permissions are declared and read-mostly")
        @MethodSource("katas.workflows.WorkflowRulesTest#workflows")
        void declaresPermissions(Path file) {
            JsonNode workflow = Kit.yaml(file);
            JsonNode permissions = workflow.get("permissions");
            assertThat(permissions).as("a top-level permissions block (otherwise the repository's default applies)").isNotNull();
            assertThat(permissions.isObject()).as("permissions listed one by one, not read-all/write-all").isTrue();
            assertThat(permissions.path("contents").asText()).isEqualTo("read");
            assertThat(workflow.path("on").has("pull_request_target"))
                    .as("pull_request_target runs untrusted code with secrets").isFalse();
        }
    }

    @Nested
    @DisplayName("ci.yml, the kit's CI")
    class CiWorkflow {
        JsonNode ci() {
            assumeTrue(Files.isRegularFile(Kit.workflow(Kit.CI)), "no ci.yml: a student template, which leaves it out");
            return Kit.yaml(Kit.workflow(Kit.CI));
        }

        @Test
        @DisplayName("runs on push and on pull requests")
        void runsOnPushAndPullRequest() {
            JsonNode on = ci().path("on");
            assertThat(on.has("push")).isTrue();
            assertThat(on.has("pull_request")).isTrue();
        }

        @Test
        @DisplayName("runs the README's test command on Temurin JDK 21 and 25 with Maven caching, and publishes the JUnit XML")
        void runsTheTestCommandOnBothJdks() {
            JsonNode ci = ci();
            Map.Entry<String, JsonNode> job = jobs(ci).stream()
                    .filter(j -> j.getValue().toString().contains(Kit.TEST_COMMAND))
                    .findFirst().orElseThrow(() -> new AssertionError("no job runs " + Kit.TEST_COMMAND));
            List<String> javas = new ArrayList<>();
            job.getValue().path("strategy").path("matrix").path("java").forEach(v -> javas.add(v.asText()));
            assertThat(javas).as("the JDK matrix").contains("21", "25");

            JsonNode setup = step(job.getValue(), "actions/setup-java@");
            assertThat(setup.path("with").path("distribution").asText()).isEqualTo("temurin");
            assertThat(setup.path("with").path("java-version").asText()).isEqualTo("${{ matrix.java }}");
            assertThat(setup.path("with").path("cache").asText()).isEqualTo("maven");

            JsonNode upload = step(job.getValue(), "actions/upload-artifact@");
            assertThat(upload.path("if").asText()).as("published even when tests fail").contains("always()");
            assertThat(upload.path("with").path("path").asText()).isEqualTo("**/target/surefire-reports/*.xml");
            assertThat(upload.path("with").path("name").asText()).as("one artifact name per JDK").contains("${{ matrix.java }}");
        }

        @Test
        @DisplayName("soaks every kata on a schedule with the README's soak command, and only then")
        void soaksOnASchedule() {
            JsonNode ci = ci();
            assertThat(ci.path("on").has("schedule")).as("a scheduled run").isTrue();
            JsonNode soak = ci.path("jobs").path("soak");
            assertThat(soak.isMissingNode()).as("a soak job").isFalse();
            assertThat(soak.toString()).contains("./grade --self-check --runs 20 --mutant-runs 10");
            assertThat(ci.path("jobs").path("verify").path("if").asText())
                    .as("the test command does not run on the schedule").contains("schedule");
            Path readme = Kit.root().resolve("README.md");
            assumeTrue(Files.isRegularFile(readme), "no README.md yet");
            assertThat(readme).content().contains("./grade --self-check --runs 20 --mutant-runs 10");
        }

        @Test
        @DisplayName("runs the same test command as the README")
        void matchesTheReadme() {
            ci();
            Path readme = Kit.root().resolve("README.md");
            assumeTrue(Files.isRegularFile(readme), "no README.md yet");
            assertThat(readme).content().contains(Kit.TEST_COMMAND);
        }

        JsonNode step(JsonNode job, String usesPrefix) {
            for (JsonNode step : job.path("steps")) {
                if (step.path("uses").asText("").startsWith(usesPrefix)) {
                    return step;
                }
            }
            throw new AssertionError("no step uses " + usesPrefix);
        }
    }

    @Nested
    @DisplayName("classroom.yml, the Classroom autograding")
    class ClassroomWorkflow {
        static final String JOB = "run-autograding-tests";
        final JsonNode classroom = Kit.yaml(Kit.workflow(Kit.CLASSROOM));
        final JsonNode job = classroom.path("jobs").path(JOB);

        JsonNode gradeStep() {
            return Kit.steps(classroom, JOB).stream()
                    .filter(s -> s.path("run").asText("").contains("./grade --classroom"))
                    .findFirst().orElseThrow(() -> new AssertionError("no step runs ./grade --classroom"));
        }

        JsonNode reporterStep() {
            return Kit.steps(classroom, JOB).stream()
                    .filter(s -> s.path("uses").asText("").equals(Kit.REPORTER))
                    .findFirst().orElseThrow(() -> new AssertionError("no step uses " + Kit.REPORTER));
        }

        @Test
        @DisplayName("has the names GitHub Classroom looks for: workflow 'Autograding Tests', one job 'run-autograding-tests'")
        void hasClassroomNames() {
            assertThat(classroom.path("name").asText()).isEqualTo("Autograding Tests");
            List<String> jobIds = jobs(classroom).stream().map(Map.Entry::getKey).toList();
            assertThat(jobIds).containsExactly(JOB);
            assertThat(classroom.path("on").has("push")).isTrue();
            assertThat(job.path("if").asText()).as("Classroom's own first commit is not graded").contains("github-classroom[bot]");
        }

        @Test
        @DisplayName("bounds grading three times: GRADE_TIMEOUT < the grade step's limit < the job's limit")
        void boundsGrading() {
            JsonNode grade = gradeStep();
            assertThat(grade.path("run").asText()).contains("timeout --kill-after=30s \"$GRADE_TIMEOUT\" env -u GITHUB_OUTPUT "
                    + "-u GITHUB_ENV -u GITHUB_PATH -u GITHUB_STEP_SUMMARY \\\n  ./grade --classroom");
            double gradeSeconds = seconds(job.path("env").path("GRADE_TIMEOUT").asText());
            double killAfter = 30;
            assertThat(grade.path("timeout-minutes").isInt()).as("the grade step has timeout-minutes").isTrue();
            double stepSeconds = grade.path("timeout-minutes").asInt() * 60.0;
            double jobSeconds = job.path("timeout-minutes").asInt() * 60.0;
            assertThat(gradeSeconds + killAfter).as("GRADE_TIMEOUT plus the kill delay fits in the step's limit, so the step reports instead of being cut").isLessThan(stepSeconds);
            assertThat(stepSeconds).as("the step's limit fits in the job's, leaving time for the report steps").isLessThan(jobSeconds);
            // Each kata's own bound (kata.json limits.kataSeconds) must fit in GRADE_TIMEOUT many times over.
            double kataSeconds = 0;
            for (String kata : Kit.kataIds()) {
                kataSeconds += Kit.json(Kit.root().resolve("exercises").resolve(kata).resolve("kata.json")).path("limits").path("kataSeconds").asDouble(60);
            }
            assertThat(kataSeconds).as("the katas' own bounds added up fit in GRADE_TIMEOUT").isLessThan(gradeSeconds);
        }

        @Test
        @DisplayName("hands the reporter the runners the grade step wrote, and only when every kata has a result")
        void reporterReadsTheGradeStep() {
            String gradeId = gradeStep().path("id").asText(null);
            assertThat(gradeId).as("the grade step has an id").isNotBlank();
            JsonNode reporter = reporterStep();
            assertThat(reporter.path("with").path("runners").asText()).isEqualTo("${{ steps." + gradeId + ".outputs.runners }}");
            assertThat(reporter.path("if").asText()).isEqualTo("steps." + gradeId + ".outputs.complete == 'true'");
            assertThat(gradeStep().path("run").asText())
                    .as("the grade step exports <RUNNER>_RESULTS, the names the reporter reads")
                    .contains("_RESULTS=$value\" >> \"$GITHUB_ENV\"")
                    .contains("echo \"runners=$runners\" >> \"$GITHUB_OUTPUT\"");
            // Any result variable written by hand in the reporter's env must follow the same naming.
            reporter.path("env").fields().forEachRemaining(e -> {
                if (e.getKey().endsWith("_RESULTS")) {
                    String runner = e.getKey().substring(0, e.getKey().length() - "_RESULTS".length()).toLowerCase(java.util.Locale.ROOT);
                    assertThat(e.getValue().asText()).contains("steps." + gradeId + ".outputs." + runner);
                }
            });
            List<JsonNode> steps = Kit.steps(classroom, JOB);
            assertThat(steps.indexOf(reporter)).as("the reporter runs after grading").isGreaterThan(steps.indexOf(gradeStep()));
        }

        @Test
        @DisplayName("grades only katas that exist, when KATAS names some")
        void katasExist() {
            String katas = job.path("env").path("KATAS").asText("").trim();
            if (!katas.isEmpty()) {
                assertThat(Kit.kataIds()).containsAll(List.of(katas.split("\\s+")));
            }
        }

        @Test
        @DisplayName("keeps the hidden-tests token away from the learner's code, and brings in nothing but hidden tests")
        void guardsThePrivateMaterial() {
            JsonNode checkout = Kit.stepWithId(classroom, JOB, "private").orElseThrow(() -> new AssertionError("no step with id 'private'"));
            assertThat(checkout.path("uses").asText()).startsWith("actions/checkout@");
            assertThat(checkout.path("with").path("token").asText()).isEqualTo("${{ secrets.HIDDEN_TESTS_TOKEN }}");
            assertThat(checkout.path("with").path("persist-credentials").asBoolean(true)).as("no token left in .git/config").isFalse();
            assertThat(checkout.path("continue-on-error").asBoolean()).as("a failed fetch is reported, not a crash").isTrue();

            String text = classroom.toString();
            Matcher uses = Pattern.compile("secrets\\.HIDDEN_TESTS_TOKEN([^}]*)}}").matcher(text);
            while (uses.find()) {
                String rest = uses.group(1).trim();
                assertThat(rest.isEmpty() || rest.startsWith("!= ''")).as("the secret is only handed to actions/checkout, or compared with ''").isTrue();
            }
            for (JsonNode step : Kit.steps(classroom, JOB)) {
                assertThat(step.path("run").asText("")).as("no run step sees a secret").doesNotContain("secrets.");
                assertThat(step.path("env").toString()).as("no run step's env holds a secret").doesNotContain("secrets.");
            }

            List<String> privatePaths = List.of(job.path("env").path("PRIVATE_PATHS").asText().trim().split("\\s+"));
            assertThat(privatePaths).as("the learner's code runs in this job: solutions stay out of it").doesNotContain("solutions").contains("grader/hidden");
        }

        @Test
        @DisplayName("never lets a student supply hidden tests of their own")
        void removesTheStudentsCopyOfThePrivatePaths() {
            JsonNode install = Kit.steps(classroom, JOB).stream()
                    .filter(s -> s.path("run").asText("").contains("PRIVATE_MATERIAL="))
                    .findFirst().orElseThrow(() -> new AssertionError("no step sets PRIVATE_MATERIAL"));
            String run = install.path("run").asText();
            assertThat(run).contains("for p in $PRIVATE_PATHS; do rm -rf \"./$p\"; done");
            assertThat(run.indexOf("rm -rf \"./$p\"")).as("removed before anything is copied in").isLessThan(run.indexOf("cp -R"));
        }

        @Test
        @DisplayName("the student template leaves out what the workflow brings in")
        void templateLeavesOutThePrivatePaths() throws Exception {
            Path script = Kit.root().resolve("grader/scripts/make-student-template");
            assertThat(script).isRegularFile();
            Matcher declared = Pattern.compile("(?m)^PRIVATE_PATHS=\\(([^)]*)\\)").matcher(Files.readString(script));
            assertThat(declared.find()).as("make-student-template declares PRIVATE_PATHS=(...)").isTrue();
            List<String> stripped = List.of(declared.group(1).trim().split("\\s+"));
            for (String p : job.path("env").path("PRIVATE_PATHS").asText().trim().split("\\s+")) {
                assertThat(stripped).as("what make-student-template strips").contains(p);
            }
        }
    }
}

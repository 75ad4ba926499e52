package katas.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** grader/scripts/make-student-template, run on this repository into temporary folders. */
class StudentTemplateTest {
    static final Duration BOUND = Duration.ofSeconds(120);
    /** A known identity, so that the template's commit does not depend on the machine's git set-up. */
    static final Map<String, String> GIT_IDENTITY = Map.of(
            "GIT_AUTHOR_NAME", "Template Test", "GIT_AUTHOR_EMAIL", "template-test@example.org",
            "GIT_COMMITTER_NAME", "Template Test", "GIT_COMMITTER_EMAIL", "template-test@example.org");

    @TempDir
    Path temp;
    Path script;

    @BeforeEach
    void needsBashAndGit() {
        assumeTrue(Kit.onPath("bash") && Kit.onPath("git"), "needs bash and git");
        script = Kit.root().resolve("grader/scripts/make-student-template");
        assumeTrue(Files.isDirectory(Kit.root().resolve(".git")) || Files.isRegularFile(Kit.root().resolve(".git")),
                "the kit is not a git checkout here");
    }

    Shell.Result run(Path directory, String... arguments) {
        List<String> command = Stream.concat(Stream.of("bash", script.toString()), Stream.of(arguments)).toList();
        return Shell.run(command, directory, GIT_IDENTITY, BOUND);
    }

    @Test
    @DisplayName("--help says what it removes and how to use it, and exits 0")
    void help() {
        Shell.Result help = run(Kit.root(), "--help");
        assertThat(help.exitCode()).as(help.toString()).isZero();
        assertThat(help.output()).contains("solutions/", "grader/hidden/", "ci.yml", "TARGET_DIR", "--in-place", "INSTRUCTORS.md");
    }

    @Test
    @DisplayName("copies everything a student needs into a new repository, without solutions, hidden tests or the kit's CI")
    void makesATemplate() throws IOException {
        Path target = temp.resolve("template");

        Shell.Result made = run(Kit.root(), target.toString());

        assertThat(made.exitCode()).as(made.toString()).isZero();
        assertThat(target.resolve("solutions")).doesNotExist();
        assertThat(target.resolve("grader/hidden")).doesNotExist();
        assertThat(target.resolve(".github/workflows/ci.yml")).doesNotExist();
        assertThat(target.resolve(".github/workflows/classroom.yml")).isRegularFile();
        assertThat(target.resolve("pom.xml")).isRegularFile();
        assertThat(target.resolve("grader/testkit/pom.xml")).isRegularFile();
        for (String kata : Kit.kataIds()) {
            assertThat(target.resolve("exercises").resolve(kata).resolve("kata.json")).isRegularFile();
            assertThat(target.resolve("exercises").resolve(kata).resolve("src/main/java")).isDirectory();
        }
        if (Files.isRegularFile(Kit.root().resolve("grade"))) {
            assertThat(Files.isExecutable(target.resolve("grade"))).as("./grade stays executable").isTrue();
        }
        try (Stream<Path> files = Files.walk(target)) {
            assertThat(files.filter(p -> !p.startsWith(target.resolve(".git")))
                    .filter(p -> p.getFileName().toString().equals("mutant.json") || p.getFileName().toString().equals("target")))
                    .as("no mutants, no build output").isEmpty();
        }

        Shell.Result log = Shell.run(List.of("git", "log", "--oneline"), target, Map.of(), BOUND);
        assertThat(log.output().strip().lines()).as("a history of its own: one commit").hasSize(1);
        Shell.Result status = Shell.run(List.of("git", "status", "--porcelain"), target, Map.of(), BOUND);
        assertThat(status.output()).as("everything committed").isBlank();

        assertThat(made.output()).contains("Left out:", "Next:", "Template repository", "HIDDEN_TESTS_REPO");
        if (Kit.isFullKit()) {
            assertThat(made.output()).containsPattern("solutions/ +[1-9]\\d* file");
        }
    }

    @Test
    @DisplayName("--classroom50 also leaves out every workflow and the autograder: Classroom 50 writes autograde.yaml, "
            + "and any other workflow would grade a second time")
    void makesAClassroom50Template() throws IOException {
        Path target = temp.resolve("classroom50-template");

        Shell.Result made = run(Kit.root(), "--classroom50", target.toString());

        assertThat(made.exitCode()).as(made.toString()).isZero();
        assertThat(target.resolve("solutions")).doesNotExist();
        assertThat(target.resolve("grader/hidden")).doesNotExist();
        assertThat(target.resolve(".github/workflows")).doesNotExist();
        assertThat(target.resolve("grader/classroom50")).doesNotExist();
        assertThat(target.resolve("grade")).isRegularFile();
        assertThat(target.resolve("grader/app/pom.xml")).as("students still grade themselves").isRegularFile();
        for (String kata : Kit.kataIds()) {
            assertThat(target.resolve("exercises").resolve(kata).resolve("kata.json")).isRegularFile();
        }
        try (Stream<Path> files = Files.walk(target)) {
            assertThat(files.filter(p -> !p.startsWith(target.resolve(".git")))
                    .filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
                    .filter(p -> p.toString().contains(".github")))
                    .as("no workflow at all, autograde.yaml least of all").isEmpty();
        }
        assertThat(made.output()).contains("Next (Classroom 50):", "{\"java\": \"21\"}", "autograders/<assignment>/")
                .doesNotContain("HIDDEN_TESTS_REPO");
        if (Kit.isFullKit()) {
            assertThat(made.output()).containsPattern("\\.github/workflows/ +[1-9]\\d* file");
        }
    }

    @Test
    @DisplayName("refuses a folder that is not empty, or one inside the kit, and changes nothing")
    void refusesBadTargets() throws IOException {
        Path busy = Files.createDirectories(temp.resolve("busy"));
        Files.writeString(busy.resolve("keep.txt"), "mine");
        Shell.Result notEmpty = run(Kit.root(), busy.toString());
        assertThat(notEmpty.exitCode()).as(notEmpty.toString()).isEqualTo(2);
        assertThat(notEmpty.output()).contains("is not empty");
        assertThat(busy.resolve("keep.txt")).hasContent("mine");

        Path inside = Kit.root().resolve("target-template-test-" + ProcessHandle.current().pid());
        Shell.Result insideKit = run(Kit.root(), inside.toString());
        assertThat(insideKit.exitCode()).as(insideKit.toString()).isEqualTo(2);
        assertThat(insideKit.output()).contains("is inside the kit");
        assertThat(inside).doesNotExist();
    }

    @Test
    @DisplayName("--in-place strips a fresh clone and replaces its history, which holds the solutions; it asks first")
    void stripsAFreshCloneInPlace() {
        Path clone = temp.resolve("clone");
        Shell.Result cloned = Shell.run(List.of("git", "clone", "-q", "--no-hardlinks", Kit.root().toString(), clone.toString()), temp, Map.of(), BOUND);
        assertThat(cloned.exitCode()).as(cloned.toString()).isZero();
        Path cloneScript = clone.resolve("grader/scripts/make-student-template");
        assumeTrue(Files.isRegularFile(cloneScript), "the script is not committed yet");

        Shell.Result refused = Shell.run(List.of("bash", cloneScript.toString(), "--in-place"), clone, GIT_IDENTITY, BOUND);
        assertThat(refused.exitCode()).as("no terminal to confirm, no --yes: " + refused).isEqualTo(2);
        assertThat(clone.resolve("exercises")).isDirectory();
        if (Kit.isFullKit()) {
            assertThat(clone.resolve("solutions")).as("nothing changed").isDirectory();
        }

        Shell.Result stripped = Shell.run(List.of("bash", cloneScript.toString(), "--in-place", "--yes"), clone, GIT_IDENTITY, BOUND);

        assertThat(stripped.exitCode()).as(stripped.toString()).isZero();
        assertThat(clone.resolve("solutions")).doesNotExist();
        assertThat(clone.resolve("grader/hidden")).doesNotExist();
        assertThat(clone.resolve(".github/workflows/ci.yml")).doesNotExist();
        assertThat(clone.resolve("exercises")).isDirectory();
        Shell.Result log = Shell.run(List.of("git", "log", "--all", "--oneline"), clone, Map.of(), BOUND);
        assertThat(log.output().strip().lines()).as("no commit of the kit's history is left").hasSize(1);
        Shell.Result remotes = Shell.run(List.of("git", "remote"), clone, Map.of(), BOUND);
        assertThat(remotes.output()).as("no remote that points back at the kit").isBlank();
    }
}

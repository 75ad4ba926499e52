package katas.grader.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@DisplayName("./grade")
class GradeCommandTest {

    private final StringWriter err = new StringWriter();
    private final StringWriter out = new StringWriter();

    private int run(String... args) {
        CommandLine cl = GradeCommand.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true));
        return cl.execute(args);
    }

    private static Path kit(Path dir) throws Exception {
        Path kata = dir.resolve("exercises/only-kata");
        Files.createDirectories(kata);
        Files.createDirectories(dir.resolve("grader"));
        Files.writeString(kata.resolve("pom.xml"), "<project/>");
        Files.writeString(kata.resolve("kata.json"), """
                { "id": "only-kata", "title": "Only", "order": 1, "track": "t", "summary": "s", "package": "p",
                  "parts": [ { "id": "visible", "title": "Visible tests", "kind": "tests", "source": "visible", "points": 10 } ] }
                """);
        return dir;
    }

    private static void kitWithOneHint(Path dir) throws Exception {
        kit(dir);
        Files.writeString(dir.resolve("exercises/only-kata/README.md"),
                "## Hints\n\n<details><summary>Hint 1: look</summary>\n\nLook closer.\n</details>\n");
    }

    @Test
    @DisplayName("answers an unknown kata with one line naming the known ones, and exit code 2")
    void rejectsAnUnknownKata(@TempDir Path dir) throws Exception {
        int code = run("--root", kit(dir).toString(), "no-such-kata");
        assertThat(code).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString().strip()).isEqualTo(
                "grade: unknown kata 'no-such-kata'; the katas are: only-kata (see ./grade --help)");
    }

    @Test
    @DisplayName("answers a bad option with one line and exit code 2")
    void rejectsABadOption() {
        assertThat(run("--colour")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString().lines()).hasSize(1).first().asString().startsWith("grade: Unknown option: '--colour'");
    }

    @Test
    @DisplayName("answers a folder that is not a kit with one line and exit code 2")
    void rejectsAMissingFolder(@TempDir Path dir) {
        assertThat(run("--root", dir.resolve("nowhere").toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("is not a concurrency-katas folder (no exercises/ in it)");
    }

    @Test
    @DisplayName("rejects a core count below one")
    void rejectsZeroCores(@TempDir Path dir) throws Exception {
        assertThat(run("--root", kit(dir).toString(), "--cores", "0")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("must be at least 1");
    }

    @Test
    @DisplayName("lists its exit codes in --help")
    void listsExitCodesInHelp() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("Exit codes:").contains("0   graded (whatever the score)")
                .contains("2   usage error").contains("3   internal error");
    }

    @Test
    @DisplayName("lists its commands in --help, and still grades the katas named without one")
    void listsItsCommands() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("Commands (./grade COMMAND --help for each):")
                .contains("  hint ").contains("  status ").contains("  check ").contains("  reset ")
                .contains("4   not possible in this checkout");
    }

    @Test
    @DisplayName("hint KATA shows the next hint, and --again the same one, wherever --root is given")
    void hint(@TempDir Path dir) throws Exception {
        kitWithOneHint(dir);

        assertThat(run("hint", "--root", dir.toString(), "only-kata")).isZero();
        assertThat(run("--root", dir.toString(), "hint", "only-kata", "--again")).isZero();
        assertThat(run("hint", "--root", dir.toString(), "only-kata")).isZero();
        assertThat(out.toString()).startsWith("only-kata, hint 1 of 1: look\n\n  Look closer.\n")
                .contains("No hints left for only-kata");
        assertThat(out.toString().split("hint 1 of 1: look", -1)).hasSize(3);
    }

    @Test
    @DisplayName("hint without a kata gives the next hint of the next kata to do, and says which kata it is")
    void hintWithoutAKata(@TempDir Path dir) throws Exception {
        kitWithOneHint(dir);

        assertThat(run("hint", "--root", dir.toString())).isZero();
        assertThat(out.toString()).startsWith("(only-kata is your next kata; for another: ./grade hint KATA)\n"
                + "only-kata, hint 1 of 1: look\n");
    }

    @Test
    @DisplayName("hint and reset answer an unknown kata with exit code 2, as grading does")
    void unknownKataInACommand(@TempDir Path dir) throws Exception {
        assertThat(run("hint", "--root", kit(dir).toString(), "nope")).isEqualTo(ExitCodes.USAGE);
        assertThat(run("reset", "--root", dir.toString(), "nope")).isEqualTo(ExitCodes.USAGE);
        assertThat(run("check", "--root", dir.toString(), "nope")).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("grade: unknown kata 'nope'; the katas are: only-kata");
    }

    @Test
    @DisplayName("status starts afresh, with a clear message and exit code 0, when the state file is malformed")
    void statusWithAMalformedState(@TempDir Path dir) throws Exception {
        kit(dir);
        Files.createDirectories(dir.resolve(".grade-state"));
        Files.writeString(dir.resolve(".grade-state/state.json"), "{ \"grades\": [ 1, ");

        assertThat(run("status", "--root", dir.toString())).isZero();
        assertThat(err.toString()).startsWith("grade: could not read .grade-state/state.json (");
        assertThat(out.toString()).contains("1. only-kata").contains("not graded yet")
                .contains("Next: only-kata:");
    }

    @Test
    @DisplayName("reset outside a git checkout changes nothing and exits 4 with what to do instead")
    void resetOutsideGit(@TempDir Path dir) throws Exception {
        kit(dir);
        Path stub = dir.resolve("exercises/only-kata/src/main/java/p/Only.java");
        Files.createDirectories(stub.getParent());
        Files.writeString(stub, "mine");

        assertThat(run("reset", "--root", dir.toString(), "only-kata")).isEqualTo(ExitCodes.NOT_POSSIBLE_HERE);
        assertThat(err.toString()).startsWith("grade: the grader finds a kata's stub in git")
                .contains("nothing was changed");
        assertThat(stub).hasContent("mine");
    }

    @Test
    @DisplayName("check needs a kata")
    void checkNeedsAKata(@TempDir Path dir) throws Exception {
        assertThat(run("check", "--root", kit(dir).toString())).isEqualTo(ExitCodes.USAGE);
        assertThat(err.toString()).contains("Missing required parameter");
    }
}

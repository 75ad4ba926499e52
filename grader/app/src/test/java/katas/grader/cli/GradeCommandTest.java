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
}

package katas.grader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import katas.grader.cli.ExitCodes;
import katas.grader.cli.GradeCommand;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The learner's loop through the real grader: check a kata, then see it in status and in the next grade's progress. */
@DisplayName("The learner's loop, graded for real")
class LearnerLoopTest {

    @Test
    @DisplayName("check exits 0 at full marks and 1 below, and status and Progress remember both grades")
    void checkThenStatus(@TempDir Path dir) throws Exception {
        MiniKit kit = new MiniKit(dir).kata("solved", "good").kata("unsolved", "fake-results");
        String root = kit.root().toString();

        assertThat(grade("check", "--root", root, "--reports", dir.resolve("r").toString(), "solved").code())
                .isEqualTo(ExitCodes.GRADED);
        Run failing = grade("check", "--root", root, "--reports", dir.resolve("r").toString(), "unsolved");
        assertThat(failing.code()).isEqualTo(ExitCodes.NOT_FULL_MARKS);
        assertThat(failing.out()).contains("check: unsolved failed (0/100)")
                .contains("Progress: [##########>---------] 1/2 katas of the kit complete");

        // What status shows: both grades remembered, the solved one solved.
        var state = new katas.grader.learner.StateFile(kit.root()).load();
        assertThat(state.problem()).isNull();
        assertThat(state.state().grades().get("solved").solved()).isTrue();
        assertThat(state.state().grades().get("unsolved").solved()).isFalse();
        assertThat(state.state().grades().get("unsolved").max()).isEqualTo(100);
    }

    private record Run(int code, String out) {
    }

    private static Run grade(String... args) {
        CommandLine cl = GradeCommand.commandLine();
        StringWriter text = new StringWriter();
        cl.setOut(new PrintWriter(text, true));
        cl.setErr(new PrintWriter(new StringWriter(), true));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream before = System.out;
        PrintStream beforeErr = System.err;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        try {
            int code = cl.execute(args);
            return new Run(code, bytes.toString(StandardCharsets.UTF_8) + text);
        } finally {
            System.setOut(before);
            System.setErr(beforeErr);
        }
    }
}

package katas.grader.learner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import katas.grader.scoring.KataResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("./grade interview")
class InterviewTest {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    @TempDir
    Path reports;
    private final FakeClock clock = new FakeClock(T0);
    private final StringWriter out = new StringWriter();
    private final List<Instant> graded = new ArrayList<>();

    private KataGrading grading(Duration takes, KataResult... results) {
        Deque<KataResult> left = new ArrayDeque<>(List.of(results));
        return () -> {
            graded.add(clock.instant());
            clock.advance(takes);
            return left.size() > 1 ? left.removeFirst() : left.peekFirst();
        };
    }

    private static Instant at(int minutes, int seconds) {
        return T0.plus(Duration.ofMinutes(minutes).plusSeconds(seconds));
    }

    private Path interview(int minutes, KataGrading grading, Map<Instant, String> lines) throws Exception {
        return new Interview("fix-the-race", "# Kata 2: fix-the-race\n\nThe story.\n", minutes, grading,
                new ScriptedInput(clock, lines), clock, new PrintWriter(out), 80).run(reports);
    }

    @Test
    @DisplayName("grades on Enter or g, warns at 5 minutes left, stops at the limit and reports the session")
    void fullSession() throws Exception {
        String reason = "only 155519 of 160000 hits were counted";
        Map<Instant, String> lines = new LinkedHashMap<>();
        lines.put(at(3, 0), "");
        lines.put(at(10, 0), "g");
        lines.put(at(14, 0), "what now?");
        lines.put(at(20, 0), "");
        Path report = interview(30, grading(Duration.ofSeconds(30), Results.withFailure("fix-the-race", 20, 0, reason),
                Results.withFailure("fix-the-race", 40, 0, reason), Results.kata("fix-the-race", 40, 60)), lines);

        assertThat(graded).containsExactly(at(3, 0), at(10, 0), at(20, 0));
        String text = out.toString();
        assertThat(text).startsWith("# Kata 2: fix-the-race\n\nThe story.\n")
                .contains("Interview on fix-the-race: 30 minutes.")
                .contains("Grade 1 at 3:30: fix-the-race 20/100")
                .contains("lost: hidden: rule 1, no hit is lost")
                .contains("since the last run: visible 20/40 -> 40/40")
                .contains("Enter (or g) grades, q ends.")
                .contains("5 minutes left (25:00 used).")
                .contains("Time is up: 30 minutes. 3 grades used; first full pass: 20:30; final score:");
        assertThat(clock.instant()).isEqualTo(at(30, 0));
        assertThat(report.getFileName()).hasToString("interview-fix-the-race-20261120-100000.md");
        String md = Files.readString(report);
        assertThat(md).contains("| Kata | fix-the-race |")
                .contains("| Minutes allowed | 30 |")
                .contains("| Time used | 30:00 (time was up) |")
                .contains("| First full pass | 20:30 after the start |")
                .contains("| Grades used | 3 |")
                .contains("| Final score | 100/100 |")
                .contains("| visible (Visible tests) | 40/40 |")
                .contains("| hidden (Hidden tests) | 60/60 |")
                .contains("| rule 1, no hit is lost | 2 of 3 |");
    }

    @Test
    @DisplayName("lets the time left after a grade that ran past the warning be the warning, never a late one after it")
    void gradeRunningPastTheWarning() throws Exception {
        Map<Instant, String> lines = new LinkedHashMap<>();
        lines.put(at(0, 30), "");
        interview(6, grading(Duration.ofSeconds(40), Results.kata("fix-the-race", 40, 60)), lines);

        String text = out.toString();
        assertThat(text).contains("4:50 left. Enter grades again, q ends.").doesNotContain("5 minutes left");
    }

    @Test
    @DisplayName("ends on q, with the first full pass not reached")
    void quits() throws Exception {
        Map<Instant, String> lines = new LinkedHashMap<>();
        lines.put(at(1, 0), "");
        lines.put(at(2, 0), "q");
        Path report = interview(45, grading(Duration.ofSeconds(10), Results.kata("fix-the-race", 20, 0)), lines);
        assertThat(graded).hasSize(1);
        assertThat(out.toString()).doesNotContain("5 minutes left").contains("Session ended after 2:00.");
        assertThat(Files.readString(report)).contains("| First full pass | not reached |")
                .contains("| Time used | 2:00 (ended with q) |").contains("| Final score | 20/100 |");
    }

    @Test
    @DisplayName("lets a grade running at the limit finish, and counts it")
    void lastGradeCounts() throws Exception {
        Path report = interview(1, grading(Duration.ofSeconds(40), Results.kata("fix-the-race", 40, 60)),
                Map.of(at(0, 50), "g"));
        assertThat(graded).hasSize(1);
        assertThat(out.toString()).contains("That grade ended after the limit: it counts.")
                .doesNotContain("5 minutes left");
        assertThat(Files.readString(report)).contains("| Final score | 100/100 |")
                .contains("| Time used | 1:30 (time was up) |").contains("| First full pass | 1:30 after the start |");
    }

    @Test
    @DisplayName("says so when no grade was made, and when the input ends")
    void noGrade() throws Exception {
        Map<Instant, String> lines = new LinkedHashMap<>();
        lines.put(at(0, 5), null);
        Path report = interview(10, grading(Duration.ofSeconds(1), Results.kata("fix-the-race", 0, 0)), lines);
        assertThat(graded).isEmpty();
        assertThat(Files.readString(report)).contains("| Final score | no grade was made |")
                .contains("(the input ended)").contains("None graded.");
    }
}

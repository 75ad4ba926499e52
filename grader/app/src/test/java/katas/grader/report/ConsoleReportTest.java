package katas.grader.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import katas.grader.GradeResult;
import katas.grader.execution.TestRecord;
import katas.grader.execution.TestStatus;
import katas.grader.parts.PartScore;
import katas.grader.parts.PartStatus;
import katas.grader.scoring.KataResult;
import katas.grader.scoring.KataStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The console scoreboard")
class ConsoleReportTest {

    private static String scoreboard(GradeResult result) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        new ConsoleReport(out, out, false).gradingFinished(result);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static String scoreboard(GradeResult result, KitProgress before, int width) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        new ConsoleReport(out, out, false, before, width).gradingFinished(result);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static final List<String> KIT = List.of("start-and-join", "fix-the-race", "break-the-deadlock",
            "parallel-primes");

    /** A deadlock as the break-the-deadlock tests report it: the first line ends in a colon, the cycle follows. */
    private static KataResult deadlocked() {
        String cycle = "DEADLOCK before any transfer had finished: these tellers wait for each other in a circle, "
                + "so none of them can ever go on:\n  teller-1 holds account 3 and waits for account 7 at "
                + "Bank.transfer(Bank.java:31)\n  teller-2 holds account 7 and waits for account 3 at "
                + "Bank.transfer(Bank.java:31)";
        TestRecord hung = Grades.failed("Bank > transfers > in a ring of 2", TestStatus.FAILED, cycle, null);
        TestRecord other = Grades.failed("Bank > transfers > one big lock", TestStatus.FAILED,
                "only 1 of 6 unrelated transfers ran at once, the others never got in:\nas if the whole bank had a "
                        + "single lock", null);
        return new KataResult("break-the-deadlock", "Break the deadlock", "exercise", KataStatus.GRADED, null,
                List.of(new PartScore(Grades.VISIBLE, PartStatus.NONE, 0, "2 of 2 tests did not pass",
                        List.of(hung, other), null)), List.of(), List.of(), 100, List.of());
    }

    @Test
    @DisplayName("shows the whole first reason of a failing part, wrapped to the width, the cycle included")
    void showsTheWholeFirstReason() {
        String board = scoreboard(Grades.grade(deadlocked()), null, 80);

        assertThat(board).contains("      visible: Bank > transfers > in a ring of 2: DEADLOCK before any transfer\n"
                + "          had finished: these tellers wait for each other in a circle, so none\n"
                + "          of them can ever go on:\n"
                + "            teller-1 holds account 3 and waits for account 7 at\n"
                + "            Bank.transfer(Bank.java:31)\n");
        assertThat(board.lines().filter(line -> line.startsWith(" "))).allMatch(line -> line.length() <= 80);
        // The others keep to their first line, with what a colon there announces: here that is all of it, so
        // the scoreboard does not send the learner elsewhere for more.
        assertThat(board).contains("one big lock: only 1 of 6 unrelated transfers\n"
                + "          ran at once, the others never got in: as if the whole bank had a\n"
                + "          single lock\n")
                .doesNotContain("every message in full");
    }

    @Test
    @DisplayName("wraps a test name longer than the terminal with its reason, never past the width")
    void wrapsALongTestName() {
        String name = "ReportBuilder > fetching > fetches sources that can only finish together, because each waits "
                + "until all are being fetched";
        TestRecord failed = Grades.failed(name, TestStatus.FAILED, "fetchAll threw UnsupportedOperationException", null);
        KataResult kata = new KataResult("start-and-join", "Start and join", "exercise", KataStatus.GRADED, null,
                List.of(new PartScore(Grades.VISIBLE, PartStatus.NONE, 0, "lost", List.of(failed), null)), List.of(),
                List.of(), 1, List.of());

        String board = scoreboard(Grades.grade(kata), null, 80);

        assertThat(board).contains("      visible: ReportBuilder > fetching > fetches sources that can only finish\n"
                + "          together, because each waits until all are being fetched: fetchAll\n"
                + "          threw UnsupportedOperationException\n");
    }

    @Test
    @DisplayName("counts every kata of the kit in Progress, the ones not graded now as the saved state has them")
    void countsEveryKataOfTheKit() {
        KitProgress before = new KitProgress(KIT, Set.of("start-and-join"));
        String board = scoreboard(Grades.grade(Grades.full()), before, 100);

        assertThat(board).contains("Progress: [##########>---------] 2/4 katas of the kit complete "
                + "(./grade status lists them)\n");
        assertThat(board).contains("Next: break-the-deadlock: read exercises/break-the-deadlock/README.md, then run "
                + "./grade break-the-deadlock (stuck? ./grade hint break-the-deadlock)");
        assertThat(board).doesNotContain("every kata graded here");
    }

    @Test
    @DisplayName("names a kata graded now that fell short as Next, and counts a solved kata graded again as lost")
    void nextIsWhatWasJustGradedWhenItFellShort() {
        KitProgress before = new KitProgress(KIT, Set.of("start-and-join", "break-the-deadlock"));
        String board = scoreboard(Grades.grade(deadlocked()), before, 100);

        assertThat(board).contains("1/4 katas of the kit complete").contains("Next: break-the-deadlock:");
    }

    @Test
    @DisplayName("says well done only when every kata of the kit is complete")
    void wellDoneAtTheEnd() {
        KitProgress before = new KitProgress(List.of("start-and-join", "fix-the-race"), Set.of("start-and-join"));

        assertThat(scoreboard(Grades.grade(Grades.full()), before, 100))
                .contains("Progress: [####################] 2/2 katas of the kit complete")
                .contains("Next: every kata of the kit is complete. Well done.");
    }

    @Test
    @DisplayName("shows a speedup against its target, and why a part fell short")
    void showsSpeedupAndTarget() {
        assertThat(scoreboard(Grades.grade(Grades.speedup())))
                .contains("speedup 28/50 (1.45x of 1.80x)")
                .contains("speedup: measured 1.45x, 0.35x short of the 1.80x target");
    }

    @Test
    @DisplayName("names the cores a lowered target counts, so that 1.62x on 4 cores does not look like a mistake")
    void namesTheCountedCoresOfALoweredTarget() {
        assertThat(scoreboard(Grades.grade(Grades.speedupOnHyperThreads())))
                .contains("speedup 50/50 (1.89x of 1.62x, 4 logical cores that worked like 1.8)");
    }

    @Test
    @DisplayName("calls a speedup part that could not be measured just that, with the reason below it")
    void saysNotMeasurable() {
        assertThat(scoreboard(Grades.grade(Grades.speedupOnOneCore())))
                .contains("speedup not measurable here")
                .contains("speedup: speedup cannot be measured on 1 core");
    }
}

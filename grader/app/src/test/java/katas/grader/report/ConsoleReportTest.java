package katas.grader.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import katas.grader.GradeResult;
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

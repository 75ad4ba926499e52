package katas.grader.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The report files, beside the interview reports")
class InterviewReportsKeptTest {

    @TempDir
    Path tmp;

    @Test
    @DisplayName("keep the interview reports that were there before the grade, not one that appeared during it")
    void keepInterviewReports() throws Exception {
        Path dir = tmp.resolve("grade-reports");
        ReportFiles first = new ReportFiles(dir, false, Map.of(), new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        first.gradingStarted(1, true);
        first.gradingFinished(Grades.everything());
        Files.writeString(dir.resolve("interview-fix-the-race-20261120-100000.md"), "# Interview: fix-the-race\n");

        ReportFiles second = new ReportFiles(dir, false, Map.of(), new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        second.gradingStarted(1, true);
        Files.writeString(dir.resolve("interview-forged-20261120-100001.md"), "100/100");
        second.gradingFinished(Grades.everything());

        assertThat(dir.resolve("interview-fix-the-race-20261120-100000.md")).hasContent("# Interview: fix-the-race");
        assertThat(dir.resolve("interview-forged-20261120-100001.md")).doesNotExist();
        assertThat(dir.resolve("results.json")).exists();
    }
}

package katas.grader.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import katas.grader.GradeResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The report files")
class ReportFilesTest {

    @TempDir
    Path tmp;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final GradeResult grade = Grades.everything();

    private ReportFiles reports(Path dir, boolean classroom, Map<String, String> env) {
        return new ReportFiles(dir, classroom, env, new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String warnings() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    @DisplayName("Are results.json, one JUnit XML per kata and summary.md, and nothing for Classroom by default")
    void defaultFiles() throws Exception {
        Path dir = tmp.resolve("grade-reports");

        reports(dir, false, Map.of()).gradingFinished(grade);

        assertThat(dir.resolve("results.json")).exists();
        assertThat(dir.resolve("summary.md")).hasContent(MarkdownSummary.render(grade));
        assertThat(dir.resolve("junit")).isDirectoryContaining("glob:**/fix-the-race.xml")
                .isDirectoryContaining("glob:**/broken-kata.xml");
        assertThat(dir.resolve("junit").toFile().list()).hasSize(5);
        assertThat(dir.resolve("classroom.json")).doesNotExist();
        assertThat(warnings()).isEmpty();
    }

    @Test
    @DisplayName("Hold only what the grader wrote: a file the code under grading dropped in the folder, or a marker it "
            + "deleted, is gone once the reports are written")
    void holdOnlyTheGradersFiles() throws Exception {
        Path dir = tmp.resolve("grade-reports");
        ReportFiles first = reports(dir, false, Map.of());
        first.gradingStarted(1, true);
        Files.createDirectories(dir.resolve("junit"));
        Files.writeString(dir.resolve("hidden-tests.txt"), "a copy of every hidden test");
        Files.writeString(dir.resolve("junit/forged.xml"), "<testsuite tests=\"1\"/>");
        first.gradingFinished(grade);
        assertThat(dir.resolve("hidden-tests.txt")).doesNotExist();
        assertThat(dir.resolve("junit/forged.xml")).doesNotExist();
        assertThat(dir.resolve(ReportFiles.MARKER)).exists();

        ReportFiles second = reports(dir, false, Map.of());
        second.gradingStarted(1, true);
        Files.delete(dir.resolve(ReportFiles.MARKER));
        Files.writeString(dir.resolve("summary-forged.md"), "100/100");
        second.gradingFinished(grade);
        assertThat(dir.resolve("summary-forged.md")).doesNotExist();
        assertThat(dir.resolve("results.json")).exists();
        assertThat(warnings()).isEmpty();
    }

    @Test
    @DisplayName("Leave a folder the grader did not make as it is, and say so")
    void leaveSomeoneElsesFolder() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("mine"));
        Files.writeString(dir.resolve("notes.txt"), "my notes");
        ReportFiles reports = reports(dir, false, Map.of());
        reports.gradingStarted(1, true);
        reports.gradingFinished(grade);
        assertThat(dir.resolve("notes.txt")).hasContent("my notes");
        assertThat(dir.resolve("results.json")).exists();
        assertThat(warnings()).contains("was not made by the grader");
    }

    @Test
    @DisplayName("Append the summary to GITHUB_STEP_SUMMARY without --classroom, keeping what was there")
    void appendToTheStepSummary() throws Exception {
        Path summary = Files.writeString(tmp.resolve("step-summary"), "earlier step\n");

        reports(tmp.resolve("r"), false, Map.of("GITHUB_STEP_SUMMARY", summary.toString())).gradingFinished(grade);

        assertThat(summary).hasContent("earlier step\n" + MarkdownSummary.render(grade));
        assertThat(warnings()).isEmpty();
    }

    @Test
    @DisplayName("With --classroom, write the runner lines into the reports folder and never touch the runner's files")
    void classroomWritesItsOwnFiles() throws Exception {
        Path summary = Files.writeString(tmp.resolve("step-summary"), "earlier step\n");
        Path output = Files.writeString(tmp.resolve("output"), "other=1\n");
        Path forged = Files.writeString(tmp.resolve("forged"), "mine\n");
        Files.createDirectories(tmp.resolve("r"));
        Files.createSymbolicLink(tmp.resolve("r").resolve(ReportFiles.CLASSROOM_OUTPUTS), forged);

        reports(tmp.resolve("r"), true, Map.of("GITHUB_STEP_SUMMARY", summary.toString(), "GITHUB_OUTPUT",
                output.toString())).gradingFinished(grade);

        assertThat(tmp.resolve("r").resolve(ReportFiles.CLASSROOM_OUTPUTS)).isRegularFile()
                .hasContent(ClassroomResults.outputLines(grade));
        assertThat(forged).as("a link left there is replaced, not written through").hasContent("mine\n");
        assertThat(tmp.resolve("r/classroom.json")).hasContent(ClassroomResults.inspection(grade));
        assertThat(output).hasContent("other=1\n");
        assertThat(summary).hasContent("earlier step\n");
        assertThat(warnings()).isEmpty();
    }

    @Test
    @DisplayName("Go on when one cannot be written: the others are written and the failure is a warning")
    void oneFailureDoesNotStopTheOthers() throws Exception {
        // A file where the junit folder should be: no JUnit XML can be written (this works as root too,
        // unlike a read-only folder).
        Files.writeString(tmp.resolve("junit"), "in the way");
        Path summaryFolder = Files.createDirectory(tmp.resolve("a-folder-not-a-file"));
        Path output = tmp.resolve("output");

        reports(tmp, true, Map.of("GITHUB_STEP_SUMMARY", summaryFolder.toString(), "GITHUB_OUTPUT",
                output.toString())).gradingFinished(grade);

        assertThat(tmp.resolve("results.json")).exists();
        assertThat(tmp.resolve("summary.md")).exists();
        assertThat(tmp.resolve("classroom.json")).exists();
        assertThat(tmp.resolve(ReportFiles.CLASSROOM_OUTPUTS)).hasContent(ClassroomResults.outputLines(grade));
        assertThat(output).doesNotExist();
        assertThat(warnings().lines().filter(l -> l.startsWith("warning: could not write junit/"))).hasSize(5);
        assertThat(warnings()).contains("the grades are unaffected");
    }

    @Test
    @DisplayName("Go on when the reports folder itself cannot be made, still writing the GitHub files")
    void unwritableFolder() throws Exception {
        Path blocked = Files.writeString(tmp.resolve("blocked"), "a file");
        Path summary = tmp.resolve("step-summary");

        reports(blocked.resolve("grade-reports"), false, Map.of("GITHUB_STEP_SUMMARY", summary.toString()))
                .gradingFinished(grade);

        assertThat(summary).hasContent(MarkdownSummary.render(grade));
        assertThat(warnings()).contains("could not write results.json").contains("could not write summary.md");
    }
}

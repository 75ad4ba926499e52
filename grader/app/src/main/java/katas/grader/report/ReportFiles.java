package katas.grader.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import katas.grader.GradeListener;
import katas.grader.GradeResult;
import katas.grader.scoring.KataResult;

/**
 * Writes the report files when grading ends, after every kata's fork has ended: {@code results.json},
 * {@code junit/<kata>.xml} and {@code summary.md} in the reports folder. With {@code --classroom}, also
 * {@code classroom.json} and {@code classroom-outputs.txt}, the runner lines that the workflow checks
 * and hands on itself: learner code runs as the workflow's user and could append to the runner's own
 * files ({@code $GITHUB_OUTPUT}, {@code $GITHUB_STEP_SUMMARY}) while it is graded, so the workflow
 * runs the grader without them and puts them back afterwards. Without {@code --classroom} (the kit's
 * own CI, a learner's fork) the Markdown is still added to {@code $GITHUB_STEP_SUMMARY} when set.
 * Each file is written on its own: one that fails is a warning on stderr and leaves the others, and
 * no report can change a grade.
 */
public final class ReportFiles implements GradeListener {

    private final Path dir;
    private final boolean classroom;
    private final Map<String, String> env;
    private final PrintStream err;

    /** The runner lines of {@code --classroom}: {@code <runner id>=<base64 of its result>}, one a kata. */
    public static final String CLASSROOM_OUTPUTS = "classroom-outputs.txt";

    public ReportFiles(Path dir, boolean classroom, Map<String, String> env) {
        this(dir, classroom, env, System.err);
    }

    ReportFiles(Path dir, boolean classroom, Map<String, String> env, PrintStream err) {
        this.dir = dir;
        this.classroom = classroom;
        this.env = env == null ? Map.of() : env;
        this.err = err;
    }

    /** Renders and writes one file; rendering is inside, so a renderer that throws is caught too. */
    private interface Write {
        void run() throws IOException;
    }

    @Override
    public void gradingFinished(GradeResult result) {
        attempt("results.json", () -> write(dir.resolve("results.json"), ResultsJson.render(result)));
        for (KataResult kata : result.katas()) {
            attempt("junit/" + kata.id() + ".xml",
                    () -> write(dir.resolve("junit").resolve(kata.id() + ".xml"), JUnitXml.render(kata)));
        }
        attempt("summary.md", () -> write(dir.resolve("summary.md"), MarkdownSummary.render(result)));
        String stepSummary = env.get("GITHUB_STEP_SUMMARY");
        if (!classroom && stepSummary != null && !stepSummary.isBlank()) {
            attempt("$GITHUB_STEP_SUMMARY", () -> append(Path.of(stepSummary), MarkdownSummary.render(result)));
        }
        if (classroom) {
            attempt("classroom.json", () -> write(dir.resolve("classroom.json"), ClassroomResults.inspection(result)));
            attempt(CLASSROOM_OUTPUTS, () -> replace(dir.resolve(CLASSROOM_OUTPUTS), ClassroomResults.outputLines(result)));
        }
    }

    private void attempt(String what, Write write) {
        try {
            write.run();
        } catch (IOException | RuntimeException e) {
            err.println("warning: could not write " + what + " (" + e + "); the grades are unaffected");
        }
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        // getBytes, not writeString: a lone surrogate in captured output becomes '?' instead of failing the file.
        Files.write(file, content.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Through a new file moved over the old one: a file or link the learner's code left under that name
     * is replaced, never written through.
     */
    private static void replace(Path file, String content) throws IOException {
        Path folder = file.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        Path fresh = Files.createTempFile(folder, file.getFileName().toString(), ".tmp");
        Files.write(fresh, content.getBytes(StandardCharsets.UTF_8));
        Files.move(fresh, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** GitHub hands us these files to add to, from earlier steps too: never truncate them. */
    private static void append(Path file, String content) throws IOException {
        Files.write(file, content.getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }
}

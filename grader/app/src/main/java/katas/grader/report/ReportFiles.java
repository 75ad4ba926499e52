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
 * no report can change a grade. The folder holds only what the grader wrote at the end of the grade.
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

    /** Names the reports folder as the grader's own, so that the next grade may empty it. */
    static final String MARKER = ".grade-reports";

    /** Whether the folder was the grader's when grading started; null when no grading started here. */
    private Boolean ours;

    /**
     * The interview reports ({@code interview-*.md}, by {@code ./grade interview}) that were there when grading
     * started, before any code under grading ran: the learner's record, kept when the folder is emptied. One
     * that appeared during the grade is not kept.
     */
    private java.util.Set<Path> kept = java.util.Set.of();

    private static java.util.Set<Path> interviewReports(Path folder) {
        if (!Files.isDirectory(folder, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return java.util.Set.of();
        }
        try (var entries = Files.list(folder)) {
            return entries.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> p.getFileName().toString().matches("interview-.*\\.md")).collect(
                            java.util.stream.Collectors.toUnmodifiableSet());
        } catch (IOException e) {
            return java.util.Set.of();
        }
    }

    /**
     * Decides, before any code under grading runs, whether the reports folder is the grader's: absent,
     * empty, or marked by an earlier grade. Only then is it emptied before the reports are written, so
     * that a file the code under grading dropped there (a copy of the hidden tests, a forged summary)
     * is never uploaded with them, while a folder of someone else's ({@code --reports .}) is left alone.
     */
    @Override
    public void gradingStarted(int kataCount, boolean hiddenPresent) {
        kept = interviewReports(dir);
        try {
            if (!Files.exists(dir)) {
                ours = true;
            } else if (Files.isDirectory(dir)) {
                try (var entries = Files.list(dir)) {
                    ours = Files.exists(dir.resolve(MARKER)) || entries.findAny().isEmpty();
                }
            } else {
                ours = false;
            }
        } catch (IOException e) {
            ours = false;
        }
    }

    @Override
    public void gradingFinished(GradeResult result) {
        if (Boolean.TRUE.equals(ours)) {
            attempt("the reports folder " + dir + " (emptied before writing)", () -> empty(dir, kept));
        } else if (Boolean.FALSE.equals(ours)) {
            err.println("warning: " + dir + " was not made by the grader (no " + MARKER + " in it): files in it that "
                    + "the grader did not write are left as they are");
        }
        attempt(MARKER, () -> write(dir.resolve(MARKER), "Reports of ./grade: emptied and written anew by each grade.\n"));
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

    /** Deletes everything in {@code folder} but {@code keep}, links without following them. */
    private static void empty(Path folder, java.util.Set<Path> keep) throws IOException {
        if (!Files.isDirectory(folder, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(folder);
            return;
        }
        try (var walk = Files.walk(folder)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(folder) && !keep.contains(p)) {
                    Files.delete(p);
                }
            }
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

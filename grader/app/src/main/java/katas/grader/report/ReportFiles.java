package katas.grader.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import katas.grader.GradeListener;
import katas.grader.GradeResult;

/**
 * Writes the report files when grading ends: {@code results.json} in the reports folder. Each file
 * is written on its own, so one that fails leaves the others.
 */
public final class ReportFiles implements GradeListener {

    private final Path dir;
    private final boolean classroom;
    private final Map<String, String> env;

    public ReportFiles(Path dir, boolean classroom, Map<String, String> env) {
        this.dir = dir;
        this.classroom = classroom;
        this.env = env;
    }

    @Override
    public void gradingFinished(GradeResult result) {
        write(dir.resolve("results.json"), ResultsJson.render(result));
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    boolean classroom() {
        return classroom && env != null;
    }
}

package katas.grader.report;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import katas.grader.GradeListener;
import katas.grader.GradeResult;

/**
 * With {@code --classroom50}: writes {@code classroom50-result.json} into the reports folder when
 * grading ends, that is after every kata's fork has ended, so nothing the learner's code ran can
 * write after it. Written to a new file and moved over the old one: a file or link the learner's code
 * left under that name is replaced, never written through. Failing to write is a warning, never a
 * different grade.
 */
public final class Classroom50Report implements GradeListener {

    public static final String FILE = "classroom50-result.json";

    private final Path dir;
    private final Map<String, String> env;
    private final PrintStream err;

    public Classroom50Report(Path dir, Map<String, String> env) {
        this(dir, env, System.err);
    }

    Classroom50Report(Path dir, Map<String, String> env, PrintStream err) {
        this.dir = dir;
        this.env = env == null ? Map.of() : env;
        this.err = err;
    }

    @Override
    public void gradingFinished(GradeResult result) {
        try {
            byte[] json = Classroom50Result.render(result, Classroom50Identity.fromEnv(env))
                    .getBytes(StandardCharsets.UTF_8);
            Files.createDirectories(dir);
            Path fresh = Files.createTempFile(dir, FILE, ".tmp");
            Files.write(fresh, json);
            Files.move(fresh, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            err.println("warning: could not write " + dir.resolve(FILE) + " (" + e + "); the grades are unaffected");
        }
    }
}

package katas.grader.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A student's {@code exercises/} as it was when the batch began, kept in memory. Every student's code
 * runs as the same user, so while one student is graded their code could rewrite another's folder, or
 * the reports already written; grading each from a copy of what was there at the start, and writing
 * every report after the last grade, leaves it nothing to touch.
 */
final class StudentCopy {

    /** More than this is no kata submission: it is not copied, and the student's row says why. */
    static final long MAX_BYTES = 32L * 1024 * 1024;

    private final Map<String, byte[]> files;

    private StudentCopy(Map<String, byte[]> files) {
        this.files = files;
    }

    /** The student's exercises, without build output; empty when they are larger than {@link #MAX_BYTES}. */
    static java.util.Optional<StudentCopy> take(Path student) throws IOException {
        Path exercises = student.resolve("exercises");
        Map<String, byte[]> files = new LinkedHashMap<>();
        long total = 0;
        try (Stream<Path> walk = Files.walk(exercises)) {
            for (Path file : walk.filter(Files::isRegularFile).filter(f -> !isBuildOutput(exercises, f)).toList()) {
                total += Files.size(file);
                if (total > MAX_BYTES) {
                    return java.util.Optional.empty();
                }
                files.put(exercises.relativize(file).toString(), Files.readAllBytes(file));
            }
        }
        return java.util.Optional.of(new StudentCopy(files));
    }

    /** Writes the copy as {@code <into>/exercises}. */
    Path writeTo(Path into) throws IOException {
        Path exercises = into.resolve("exercises");
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Path target = exercises.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.write(target, file.getValue());
        }
        Files.createDirectories(exercises);
        return into;
    }

    private static boolean isBuildOutput(Path exercises, Path file) {
        for (Path part : exercises.relativize(file)) {
            if (part.toString().equals("target")) {
                return true;
            }
        }
        return false;
    }
}

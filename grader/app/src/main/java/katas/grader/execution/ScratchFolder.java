package katas.grader.execution;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** The grader's temporary folders (a grade's work, a class archive, a student's copy), deleted when done. */
public final class ScratchFolder {

    private ScratchFolder() {
    }

    /**
     * Deletes {@code dir} and everything in it, as far as it can, without following links. Never throws: a
     * temporary folder left behind is harmless, and a failure here must not cost anyone their grade.
     */
    public static void deleteQuietly(Path dir) {
        if (dir == null || !Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | RuntimeException ignored) {
            // a temp folder left behind is harmless
        }
    }
}

package katas.grader.discovery;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where things live. The kit root holds manifests, solutions and hidden tests; the work root
 * holds the learner's exercises (the same folder, except when grading a batch of student repos).
 */
public record KitLayout(Path kitRoot, Path workRoot) {

    public static KitLayout of(Path root) {
        return new KitLayout(root, root);
    }

    public Path exercises() {
        return workRoot.resolve("exercises");
    }

    public Path kitExercises() {
        return kitRoot.resolve("exercises");
    }

    public Path solutions() {
        return kitRoot.resolve("solutions");
    }

    public Path hidden() {
        return kitRoot.resolve("grader/hidden");
    }

    /** The nearest folder at or above {@code start} that has {@code exercises/} and {@code grader/}. */
    public static Optional<Path> findRoot(Path start) {
        for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("exercises")) && Files.isDirectory(p.resolve("grader"))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}

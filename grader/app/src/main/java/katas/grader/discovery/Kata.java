package katas.grader.discovery;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A discovered kata: its manifest and where its pieces live in the kit.
 *
 * @param exerciseDir {@code exercises/<kata>} of the tree being graded (a student's, or the kit's)
 * @param solutionDir {@code solutions/<kata>} of the kit; may not exist in a student template
 * @param hiddenDir {@code grader/hidden/<kata>} of the kit; may not exist in a student template
 * @param rules the numbered rules of the kit's README for the kata
 */
public record Kata(KataManifest manifest, Path exerciseDir, Path solutionDir, Path hiddenDir,
        List<Overlay> mutants, List<Overlay> alternatives, List<Rule> rules) {

    public String id() {
        return manifest.id();
    }

    public Path stubSources() {
        return exerciseDir.resolve("src/main/java");
    }

    public Path visibleTests() {
        return exerciseDir.resolve("src/test/java");
    }

    public Path solutionSources() {
        return solutionDir.resolve("src/main/java");
    }

    public Path hiddenTests() {
        return hiddenDir.resolve("src/test/java");
    }

    /** Whether the instructor's private material (hidden tests) is present. */
    public boolean hasHiddenTests() {
        return Files.isDirectory(hiddenTests());
    }

    public boolean hasSolution() {
        return Files.isDirectory(solutionSources());
    }
}

package katas.grader.discovery;

import java.nio.file.Path;
import java.util.List;

/**
 * A known-wrong implementation: files that replace the reference solution's files of the same
 * path, and the parts that must lose points because of them.
 *
 * @param dir the mutant's folder; its {@code src/main/java} overlays the solution
 */
public record Mutant(String id, String mistake, List<String> mustLose, Path dir) {

    /** The overlay's source root. */
    public Path sources() {
        return dir.resolve("src/main/java");
    }
}

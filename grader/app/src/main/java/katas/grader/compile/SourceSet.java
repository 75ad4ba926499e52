package katas.grader.compile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Java source roots laid over each other: a file in a later root replaces the file of the same
 * relative path in an earlier one. That is how a mutant overlays the reference solution without
 * copying it.
 */
public record SourceSet(List<Path> roots) {

    public static SourceSet of(Path... roots) {
        return new SourceSet(List.of(roots));
    }

    /** The .java files, later roots winning. */
    public Collection<Path> files() {
        Map<Path, Path> byRelative = new TreeMap<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(p -> p.toString().endsWith(".java"))
                        .forEach(p -> byRelative.put(root.relativize(p), p));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return byRelative.values();
    }

    /** Binary names of the top-level classes, from the files' paths ({@code a/b/C.java} is {@code a.b.C}). */
    public List<String> topLevelClassNames() {
        return files().stream().map(this::className).filter(n -> !n.endsWith("package-info")).sorted().toList();
    }

    private String className(Path file) {
        for (Path root : roots) {
            if (file.startsWith(root)) {
                String relative = root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), ".");
                return relative.substring(0, relative.length() - ".java".length());
            }
        }
        throw new IllegalArgumentException(file + " is under none of " + roots);
    }
}

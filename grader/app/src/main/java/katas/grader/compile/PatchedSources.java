package katas.grader.compile;

import com.github.difflib.DiffUtils;
import com.github.difflib.patch.Patch;
import com.github.difflib.patch.PatchFailedException;
import com.github.difflib.unifieddiff.UnifiedDiff;
import com.github.difflib.unifieddiff.UnifiedDiffFile;
import com.github.difflib.unifieddiff.UnifiedDiffReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A source root with a unified diff applied: how a mutant or an alternative becomes sources, from
 * the reference solution and its {@code .diff}. The reference is copied, never changed. Hunks are placed by
 * their context lines, so a fix to the reference above a mutant's lines does not make the mutant stale.
 */
public final class PatchedSources {

    private PatchedSources() {
    }

    /** A patch that does not apply (any more) to the sources it was written against. */
    public static final class PatchException extends Exception {
        PatchException(String message) {
            super(message);
        }
    }

    /**
     * Copies {@code root} to {@code out} and applies {@code diff} there (paths in the diff relative to
     * {@code root}, with or without git's {@code a/} and {@code b/}).
     */
    public static SourceSet apply(Path root, Path diff, Path out) throws IOException, PatchException {
        copyTree(root, out);
        UnifiedDiff parsed;
        try (InputStream in = Files.newInputStream(diff)) {
            parsed = UnifiedDiffReader.parseUnifiedDiff(in);
        } catch (RuntimeException | IOException unreadable) {
            throw new PatchException(diff + " is not a unified diff: " + unreadable.getMessage());
        }
        if (parsed.getFiles().isEmpty()) {
            throw new PatchException(diff + " changes no file: it needs at least one \"--- a/...\" / \"+++ b/...\" "
                    + "section");
        }
        for (UnifiedDiffFile file : parsed.getFiles()) {
            applyTo(out, file, diff);
        }
        return SourceSet.of(out);
    }

    private static void applyTo(Path out, UnifiedDiffFile file, Path diff) throws IOException, PatchException {
        String from = strip(file.getFromFile());
        String to = strip(file.getToFile());
        Path target = out.resolve(to == null ? from : to).normalize();
        if (!target.startsWith(out)) {
            throw new PatchException(diff + " names a file outside the sources: " + to);
        }
        List<String> original = from == null ? List.of() : readIfThere(out.resolve(from));
        if (from != null && !Files.exists(out.resolve(from))) {
            throw new PatchException(diff + " changes " + from + ", which the reference solution does not have");
        }
        Patch<String> patch = file.getPatch();
        List<String> patched;
        try {
            patched = applyAtItsLinesOrByContext(original, patch);
        } catch (PatchFailedException stale) {
            throw new PatchException(diff + " no longer applies to " + from + " (" + stale.getMessage() + "): the "
                    + "reference solution changed under it; remake the patch against the current reference");
        }
        if (to == null) {
            Files.delete(out.resolve(from));
            return;
        }
        Files.createDirectories(target.getParent());
        Files.write(target, patched);
    }

    /**
     * At the lines the diff names when it applies there; else by its context, as {@code patch} does: a hunk whose
     * lines moved (the reference grew above it) is found where they are now, with no fuzz (every context line must
     * match). The exact form comes first because java-diff-utils' search is stricter about some blank context lines
     * than its plain apply (11 of the kit's 208 diffs apply only the plain way).
     */
    private static List<String> applyAtItsLinesOrByContext(List<String> original, Patch<String> patch)
            throws PatchFailedException {
        try {
            return DiffUtils.patch(original, patch);
        } catch (PatchFailedException moved) {
            return patch.applyFuzzy(original, 0);
        }
    }

    /** "a/katas/x/A.java" is "katas/x/A.java"; /dev/null (a file added or deleted) is null. */
    private static String strip(String name) {
        if (name == null || name.equals("/dev/null")) {
            return null;
        }
        String path = name.strip();
        int tab = path.indexOf('\t');
        if (tab >= 0) {
            path = path.substring(0, tab);
        }
        return path.startsWith("a/") || path.startsWith("b/") ? path.substring(2) : path;
    }

    private static List<String> readIfThere(Path file) throws IOException {
        return Files.exists(file) ? Files.readAllLines(file) : new ArrayList<>();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest);
                }
            }
        }
    }
}

package katas.grader.discovery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads the {@code .diff} files of a kata's {@code mutants/} and {@code alternatives/} folders. A
 * patch starts with a header of {@code Key: value} lines, then a blank line, then the unified diff:
 * <pre>
 * Mistake: volatile makes hits++ visible, not atomic
 * Must-lose: visible, hidden
 * Origin: natural
 *
 * --- a/katas/fixtherace/HitCounter.java
 * +++ b/katas/fixtherace/HitCounter.java
 * &#64;&#64; -9,7 +9,7 &#64;&#64;
 * </pre>
 * An alternative says {@code Technique:} instead of {@code Mistake:} and has no {@code Must-lose}.
 */
final class OverlayReader {

    List<Overlay> read(Path dir, Overlay.Kind kind) throws InvalidKataException, IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> children = Files.list(dir)) {
            files = children.sorted().toList();
        }
        List<Overlay> overlays = new ArrayList<>();
        for (Path file : files) {
            String name = file.getFileName().toString();
            if (!name.endsWith(".diff")) {
                throw new InvalidKataException(file + " is not a .diff file: " + dir.getFileName() + "/ holds one "
                        + "patch per " + (kind == Overlay.Kind.MUTANT ? "mutant" : "alternative")
                        + " (see grader/hidden/README.md)");
            }
            overlays.add(read(file, name.substring(0, name.length() - ".diff".length()), kind));
        }
        return List.copyOf(overlays);
    }

    private static Overlay read(Path file, String id, Overlay.Kind kind) throws InvalidKataException, IOException {
        Map<String, String> header = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("--- ") || line.startsWith("diff ")) {
                break;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new InvalidKataException(file + ": the header line \"" + line + "\" is not \"Key: value\"");
            }
            header.put(line.substring(0, colon).strip().toLowerCase(Locale.ROOT), line.substring(colon + 1).strip());
        }
        String aboutKey = kind == Overlay.Kind.MUTANT ? "mistake" : "technique";
        String about = header.getOrDefault(aboutKey, "");
        if (about.isBlank()) {
            throw new InvalidKataException(file + " needs a header line \"" + capitalised(aboutKey) + ": ...\" saying "
                    + (kind == Overlay.Kind.MUTANT ? "what mistake it makes" : "what technique it uses"));
        }
        List<String> mustLose = Arrays.stream(header.getOrDefault("must-lose", "").split(","))
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
        return new Overlay(id, kind, about, mustLose, header.getOrDefault("origin", ""), file);
    }

    private static String capitalised(String word) {
        return Character.toUpperCase(word.charAt(0)) + word.substring(1);
    }
}

package katas.grader.execution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * What a fork loads, kept as it was made. The code under grading runs as the same user as the grader,
 * so it could change any file a later fork loads: plant a services file among the compiled tests,
 * replace a test class, rewrite a library. So the compiled classes of a kata are kept in memory and
 * written afresh before every fork, and the grader's libraries are checked before every fork and after
 * the last: a change (size, time, or the inode's change time, which no program can set back) is
 * reported as tampering instead of being trusted.
 */
public final class ForkInputs {

    /** The grader's libraries as this grader process first saw them. */
    private static final Map<Path, Stamp> LIBRARIES = new ConcurrentHashMap<>();

    private final Map<Path, Map<String, byte[]>> folders = new LinkedHashMap<>();
    private final List<Path> libraries;

    private record Stamp(long size, long modified, Object changed) {
    }

    private ForkInputs(List<Path> libraries) {
        this.libraries = libraries;
    }

    /** Keeps the contents of {@code folders} (the compiled code and tests) and watches {@code libraries}. */
    public static ForkInputs keep(List<Path> folders, List<Path> libraries) throws IOException {
        ForkInputs inputs = new ForkInputs(List.copyOf(libraries));
        for (Path folder : folders) {
            inputs.folders.put(folder, read(folder));
        }
        for (Path library : libraries) {
            LIBRARIES.computeIfAbsent(library, ForkInputs::stampUnchecked);
        }
        return inputs;
    }

    /** Writes the kept folders afresh, as they were compiled. */
    void restore() throws IOException {
        for (Map.Entry<Path, Map<String, byte[]>> folder : folders.entrySet()) {
            deleteContents(folder.getKey());
            for (Map.Entry<String, byte[]> file : folder.getValue().entrySet()) {
                Path target = folder.getKey().resolve(file.getKey());
                Files.createDirectories(target.getParent());
                Files.write(target, file.getValue());
            }
        }
    }

    /** The first library that changed since the grader started, or null. */
    String changedLibrary() {
        for (Path library : libraries) {
            Stamp before = LIBRARIES.get(library);
            if (before != null && !before.equals(stampUnchecked(library))) {
                return library.toString();
            }
        }
        return null;
    }

    private static Map<String, byte[]> read(Path folder) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        if (!Files.isDirectory(folder)) {
            return files;
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(folder.relativize(file).toString(), Files.readAllBytes(file));
            }
        }
        return files;
    }

    private static void deleteContents(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            Files.createDirectories(folder);
            return;
        }
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(folder)) {
                    Files.delete(p);
                }
            }
        }
    }

    private static Stamp stampUnchecked(Path path) {
        try {
            if (Files.isDirectory(path)) {
                // A folder of classes (the kit's own build): every file in it counts.
                long size = 0;
                long modified = 0;
                int hash = 0;
                try (Stream<Path> walk = Files.walk(path)) {
                    for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                        Stamp s = stampUnchecked(file);
                        size += s.size();
                        modified = Math.max(modified, s.modified());
                        hash = 31 * hash + Objects.hash(file.toString(), s);
                    }
                }
                return new Stamp(size, modified, hash);
            }
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            Object changed = null;
            try {
                changed = Files.getAttribute(path, "unix:ctime");
            } catch (UnsupportedOperationException | IllegalArgumentException noUnixAttributes) {
                // Not a Unix file system: size and time still tell most changes.
            }
            return new Stamp(attributes.size(), attributes.lastModifiedTime().toMillis(),
                    changed == null ? null : changed.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package katas.grader.compile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What javac made, kept by a hash of what went in: the sources (paths and contents), javac's options,
 * and the class path, where a folder of classes counts by its {@link ClassApi} (tests compiled against
 * a reference solution are the same bytes against a mutant with the same API) and a jar by its path,
 * size and date. Kept in memory for one grader process (a self-check, a batch, a watch), never on disk,
 * where the code under grading could change what a later grade loads.
 */
final class CompileCache {

    private static final int ENTRIES = 64;

    /** A compilation's outcome, with its class files by path relative to the output folder. */
    record Entry(CompileResult result, Map<String, byte[]> classes) {
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CompileCache.Entry> eldest) {
            return size() > ENTRIES;
        }
    };
    private int hits;
    private int misses;

    synchronized Entry get(String key) {
        Entry entry = entries.get(key);
        if (entry == null) {
            misses++;
        } else {
            hits++;
        }
        return entry;
    }

    synchronized void put(String key, Entry entry) {
        entries.put(key, entry);
    }

    synchronized int hits() {
        return hits;
    }

    synchronized int misses() {
        return misses;
    }

    /** The key of compiling {@code files} (under {@code roots}) against {@code classpath} with {@code options}. */
    static String key(List<String> options, List<Path> roots, Collection<Path> files, List<Path> classpath)
            throws IOException {
        MessageDigest sha = sha256();
        update(sha, String.join(" ", options));
        for (Path file : files) {
            Path root = roots.stream().filter(file::startsWith).reduce((a, b) -> b).orElse(file.getParent());
            update(sha, "source " + root.relativize(file));
            sha.update(Files.readAllBytes(file));
        }
        for (Path entry : classpath) {
            if (Files.isDirectory(entry)) {
                update(sha, "classes " + ClassApi.of(entry));
            } else if (Files.exists(entry)) {
                update(sha, "jar " + entry + " " + Files.size(entry) + " " + Files.getLastModifiedTime(entry));
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** The class files under {@code out}, by relative path. */
    static Map<String, byte[]> read(Path out) throws IOException {
        Map<String, byte[]> classes = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(out)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                classes.put(out.relativize(file).toString(), Files.readAllBytes(file));
            }
        }
        return classes;
    }

    /** Writes cached class files into {@code out}. */
    static void write(Map<String, byte[]> classes, Path out) throws IOException {
        for (Map.Entry<String, byte[]> file : classes.entrySet()) {
            Path target = out.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.write(target, file.getValue());
        }
    }

    private static void update(MessageDigest sha, String text) {
        sha.update(text.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

package katas.grader.integrity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import katas.grader.discovery.Kata;

/**
 * The SHA-256 of each file a learner must not edit ({@code kata.json} and everything under
 * {@code src/test}), kept with the hidden tests in {@code grader/hidden/<kata>/protected.sha256} so
 * that a student template does not carry the seal it is checked against. Line endings are
 * normalised first: a Windows checkout is not a tampered one.
 */
public final class Seal {

    static final String FILE_NAME = "protected.sha256";

    private Seal() {
    }

    /** Checks the exercise folder of {@code kata} against the seal. */
    public static SealCheck check(Kata kata) throws IOException {
        Path sealFile = kata.hiddenDir().resolve(FILE_NAME);
        if (!Files.exists(sealFile)) {
            return new SealCheck(false, false, List.of(), List.of());
        }
        Map<String, String> sealed = read(sealFile);
        Map<String, String> actual = digest(kata.exerciseDir());
        List<String> changed = new ArrayList<>();
        sealed.forEach((file, hash) -> {
            if (!hash.equals(actual.get(file))) {
                changed.add(file);
            }
        });
        // A file added among the tests is a change too: compiled with them, it could stand in for a class of theirs.
        actual.keySet().stream().filter(file -> !sealed.containsKey(file)).forEach(changed::add);
        List<String> tests = sealed.keySet().stream().filter(f -> f.startsWith("src/test/java/") && f.endsWith(".java"))
                .map(f -> f.substring("src/test/java/".length())).toList();
        return new SealCheck(changed.isEmpty(), true, List.copyOf(changed), tests);
    }

    /** Writes the seal of {@code kata}'s current files; returns the seal file. */
    public static Path write(Kata kata) throws IOException {
        Files.createDirectories(kata.hiddenDir());
        StringBuilder out = new StringBuilder();
        digest(kata.exerciseDir()).forEach((file, hash) -> out.append(hash).append("  ").append(file).append('\n'));
        Path sealFile = kata.hiddenDir().resolve(FILE_NAME);
        Files.writeString(sealFile, out);
        return sealFile;
    }

    /** Whether the seal matches the files now: false means a maintainer must run {@code ./grade --seal}. */
    public static boolean isCurrent(Kata kata) throws IOException {
        Path sealFile = kata.hiddenDir().resolve(FILE_NAME);
        return Files.exists(sealFile) && read(sealFile).equals(digest(kata.exerciseDir()));
    }

    private static Map<String, String> read(Path sealFile) throws IOException {
        Map<String, String> sealed = new TreeMap<>();
        for (String line : Files.readAllLines(sealFile)) {
            if (!line.isBlank()) {
                sealed.put(line.substring(line.indexOf("  ") + 2).strip(), line.substring(0, line.indexOf("  ")));
            }
        }
        return sealed;
    }

    private static Map<String, String> digest(Path kataDir) throws IOException {
        Map<String, String> hashes = new TreeMap<>();
        hashes.put("kata.json", hash(kataDir.resolve("kata.json")));
        Path tests = kataDir.resolve("src/test");
        if (Files.isDirectory(tests)) {
            try (Stream<Path> walk = Files.walk(tests)) {
                for (Path file : walk.filter(Files::isRegularFile).sorted().toList()) {
                    hashes.put(kataDir.relativize(file).toString().replace('\\', '/'), hash(file));
                }
            }
        }
        return hashes;
    }

    private static String hash(Path file) throws IOException {
        try {
            // ISO-8859-1 maps bytes one to one, so this only drops the CR of CRLF, in any file.
            String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).replace("\r\n", "\n");
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(bytes.getBytes(StandardCharsets.ISO_8859_1)));
        } catch (NoSuchFileException missing) {
            return "missing";
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}

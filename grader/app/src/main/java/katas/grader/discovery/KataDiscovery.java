package katas.grader.discovery;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Finds every kata folder (one with a {@code pom.xml}) under {@code exercises/} and reads it. */
public final class KataDiscovery {

    private final ManifestReader manifests = new ManifestReader();
    private final ObjectMapper json = new ObjectMapper();

    /** The catalog of the kit at {@code layout}. */
    public Catalog discover(KitLayout layout) throws IOException {
        List<Kata> katas = new ArrayList<>();
        Map<String, String> invalid = new LinkedHashMap<>();
        for (Path dir : kataFolders(layout.kitExercises())) {
            String id = dir.getFileName().toString();
            try {
                KataManifest manifest = manifests.read(dir.resolve("kata.json"), id);
                Path solution = layout.solutions().resolve(id);
                katas.add(new Kata(manifest, layout.exercises().resolve(id), solution, layout.hidden().resolve(id),
                        overlays(solution.resolve("mutants")), overlays(solution.resolve("alternatives"))));
            } catch (InvalidKataException e) {
                invalid.put(id, e.getMessage());
            }
        }
        katas.sort(Comparator.comparingInt((Kata k) -> k.manifest().order()).thenComparing(Kata::id));
        return new Catalog(List.copyOf(katas), invalid);
    }

    private static List<Path> kataFolders(Path exercises) throws IOException {
        if (!Files.isDirectory(exercises)) {
            throw new IOException("there is no exercises/ folder at " + exercises.getParent());
        }
        try (Stream<Path> children = Files.list(exercises)) {
            return children.filter(p -> Files.isRegularFile(p.resolve("pom.xml"))).sorted().toList();
        }
    }

    private List<Mutant> overlays(Path dir) throws InvalidKataException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            List<Mutant> found = new ArrayList<>();
            for (Path m : children.filter(Files::isDirectory).sorted().toList()) {
                found.add(readOverlay(m));
            }
            return List.copyOf(found);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Mutant readOverlay(Path dir) throws InvalidKataException {
        Path spec = dir.resolve("mutant.json");
        String id = dir.getFileName().toString();
        if (!Files.isDirectory(dir.resolve("src/main/java"))) {
            throw new InvalidKataException(dir + " has no src/main/java with the files it replaces");
        }
        if (!Files.exists(spec)) {
            return new Mutant(id, "", List.of(), dir);
        }
        try {
            MutantSpec s = json.readValue(spec.toFile(), MutantSpec.class);
            return new Mutant(id, s.mistake() == null ? "" : s.mistake(),
                    s.mustLose() == null ? List.of() : List.copyOf(s.mustLose()), dir);
        } catch (IOException e) {
            throw new InvalidKataException(spec + " is not valid: " + e.getMessage());
        }
    }

    /** The {@code mutant.json} of a mutant or an alternative solution. */
    record MutantSpec(String mistake, List<String> mustLose) {
    }
}

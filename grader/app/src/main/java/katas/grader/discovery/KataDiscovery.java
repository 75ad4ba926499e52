package katas.grader.discovery;

import java.io.IOException;
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
    private final OverlayReader overlays = new OverlayReader();

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
                        overlays.read(solution.resolve("mutants"), Overlay.Kind.MUTANT),
                        overlays.read(solution.resolve("alternatives"), Overlay.Kind.ALTERNATIVE),
                        ReadmeRules.read(dir.resolve("README.md"))));
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

}

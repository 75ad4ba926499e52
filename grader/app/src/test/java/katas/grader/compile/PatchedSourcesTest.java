package katas.grader.compile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A mutant's or an alternative's diff, applied to the reference")
class PatchedSourcesTest {

    private static final String FILE = "katas/demo/Counter.java";
    private static final List<String> COUNTER = List.of(
            "package katas.demo;",
            "",
            "public class Counter {",
            "    private long hits;",
            "",
            "    public synchronized void increment() {",
            "        hits++;",
            "    }",
            "}");
    private static final String UNSYNCHRONIZED = """
            Mistake: no lock.

            --- a/katas/demo/Counter.java
            +++ b/katas/demo/Counter.java
            @@ -5,4 +5,4 @@
            \s
            -    public synchronized void increment() {
            +    public void increment() {
                     hits++;
                 }
            """;

    @TempDir
    Path dir;

    private Path reference(List<String> lines) throws IOException {
        Path root = dir.resolve("reference");
        Files.createDirectories(root.resolve(FILE).getParent());
        Files.write(root.resolve(FILE), lines);
        return root;
    }

    private Path diff(String text) throws IOException {
        return Files.writeString(dir.resolve("mutant.diff"), text);
    }

    @Test
    @DisplayName("changes a copy at the lines the diff names, and leaves the reference as it was")
    void appliesAtItsLines() throws Exception {
        Path root = reference(COUNTER);
        PatchedSources.apply(root, diff(UNSYNCHRONIZED), dir.resolve("out"));
        assertThat(Files.readAllLines(dir.resolve("out").resolve(FILE))).contains("    public void increment() {")
                .doesNotContain("    public synchronized void increment() {");
        assertThat(Files.readAllLines(root.resolve(FILE))).isEqualTo(COUNTER);
    }

    @Test
    @DisplayName("finds its lines by their context when the reference grew above them since the diff was made")
    void appliesWhereTheContextMoved() throws Exception {
        List<String> grown = new java.util.ArrayList<>(COUNTER);
        grown.addAll(3, List.of("    // FIX: one lock for the count", "    private final Object lock = new Object();", ""));
        PatchedSources.apply(reference(grown), diff(UNSYNCHRONIZED), dir.resolve("out"));
        List<String> patched = Files.readAllLines(dir.resolve("out").resolve(FILE));
        assertThat(patched).hasSize(grown.size()).contains("    public void increment() {")
                .contains("    private final Object lock = new Object();");
    }

    @Test
    @DisplayName("refuses a diff whose lines are nowhere in the reference any more, saying which diff and file")
    void refusesAStaleDiff() throws Exception {
        List<String> rewritten = COUNTER.stream().map(l -> l.replace("hits++;", "hits += 1;")).toList();
        Path root = reference(rewritten);
        Path mutant = diff(UNSYNCHRONIZED);
        assertThatThrownBy(() -> PatchedSources.apply(root, mutant, dir.resolve("out")))
                .isInstanceOf(PatchedSources.PatchException.class)
                .hasMessageContaining("mutant.diff no longer applies to " + FILE)
                .hasMessageContaining("remake the patch against the current reference");
    }

    @Test
    @DisplayName("refuses a diff that names a file outside the sources")
    void refusesAPathOutside() throws Exception {
        Path root = reference(COUNTER);
        Path escape = diff(UNSYNCHRONIZED.replace("+++ b/katas/demo/Counter.java", "+++ b/../../escape.java"));
        assertThatThrownBy(() -> PatchedSources.apply(root, escape, dir.resolve("out")))
                .isInstanceOf(PatchedSources.PatchException.class).hasMessageContaining("outside the sources");
    }
}

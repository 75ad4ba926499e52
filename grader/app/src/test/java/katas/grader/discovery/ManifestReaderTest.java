package katas.grader.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import katas.grader.execution.Limits;
import katas.grader.parts.SpeedupPart;
import katas.grader.parts.StructurePart;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A kata manifest")
class ManifestReaderTest {

    private static final String GOOD = """
            { "id": "k", "title": "K", "order": 1, "track": "t", "summary": "s", "package": "p",
              "parts": [ { "id": "visible", "title": "Visible tests", "kind": "tests", "source": "visible", "points": 10 } ] }
            """;

    @Test
    @DisplayName("is read with default limits when it gives none")
    void readsWithDefaultLimits(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("kata.json"), GOOD);
        KataManifest manifest = new ManifestReader().read(dir.resolve("kata.json"), "k");
        assertThat(manifest.points()).isEqualTo(10);
        assertThat(manifest.limits()).isEqualTo(Limits.defaults());
    }

    @Test
    @DisplayName("with a misspelt field is rejected naming the field and its line")
    void namesAnUnknownField(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("kata.json"), GOOD.replace("\"order\"", "\n\"ordre\""));
        assertThatThrownBy(() -> new ManifestReader().read(dir.resolve("kata.json"), "k"))
                .hasMessageContaining("unknown field 'ordre' at line").hasMessageContaining("kata.json");
    }

    @Test
    @DisplayName("that is missing is reported as missing")
    void reportsAMissingFile(@TempDir Path dir) {
        assertThatThrownBy(() -> new ManifestReader().read(dir.resolve("kata.json"), "k"))
                .hasMessageContaining("is missing: every kata folder needs a kata.json manifest");
    }

    @Test
    @DisplayName("whose id differs from its folder, or whose speedup part has no workload, is rejected with both reasons")
    void listsEveryProblem(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("kata.json"), GOOD.replace("\"points\": 10 }",
                "\"points\": 10 }, { \"id\": \"speedup\", \"title\": \"S\", \"kind\": \"speedup\", \"points\": 5 }"));
        assertThatThrownBy(() -> new ManifestReader().read(dir.resolve("kata.json"), "other"))
                .hasMessageContaining("\"id\" is k but the folder is other")
                .hasMessageContaining("part 'speedup' needs \"workload\"");
    }

    @Test
    @DisplayName("that is not JSON is rejected with the parser's reason and line")
    void rejectsMalformedJson(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("kata.json"), "{ \"id\": \"k\",\n  \"title\": }");
        assertThatThrownBy(() -> new ManifestReader().read(dir.resolve("kata.json"), "k"))
                .hasMessageContaining("is not valid").hasMessageContaining("line 2");
    }

    @Test
    @DisplayName("reads each part as the type of its kind")
    void readsEachKind(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("kata.json"), GOOD.replace("\"points\": 10 }", "\"points\": 10 }, "
                + "{ \"id\": \"structure\", \"title\": \"Rules\", \"kind\": \"structure\", \"points\": 5 }, "
                + "{ \"id\": \"speedup\", \"title\": \"S\", \"kind\": \"speedup\", \"points\": 5, "
                + "\"workload\": \"p.W\", \"targetPerCore\": 0.9 }"));
        KataManifest manifest = new ManifestReader().read(dir.resolve("kata.json"), "k");
        assertThat(manifest.parts()).extracting(p -> p.getClass().getSimpleName())
                .containsExactly("TestsPart", "StructurePart", "SpeedupPart");
        assertThat(manifest.partTags()).containsExactly(StructurePart.TAG);
        assertThat(((SpeedupPart) manifest.parts().get(2)).targetPerCore()).isEqualTo(0.9);
    }

    @Test
    @DisplayName("with an unknown kind of part is rejected naming the kind and the known ones")
    void namesAnUnknownKind(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("kata.json"), GOOD.replace("\"kind\": \"tests\"", "\"kind\": \"quiz\""));
        assertThatThrownBy(() -> new ManifestReader().read(dir.resolve("kata.json"), "k"))
                .hasMessageContaining("the unknown kind \"quiz\"").hasMessageContaining("\"speedup\"");
    }

    @Test
    @DisplayName("with points that are not a whole number above 0 is rejected")
    void rejectsPointsThatAreNotWhole(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("kata.json"), GOOD.replace("\"points\": 10", "\"points\": 37.5"));
        assertThatThrownBy(() -> new ManifestReader().read(dir.resolve("kata.json"), "k"))
                .hasMessageContaining("kata.json");
        Files.writeString(dir.resolve("kata.json"), GOOD.replace("\"points\": 10", "\"points\": 0"));
        assertThatThrownBy(() -> new ManifestReader().read(dir.resolve("kata.json"), "k"))
                .hasMessageContaining("part 'visible' needs \"points\", a whole number above 0");
    }
}

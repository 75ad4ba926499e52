package katas.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The GitHub side of the kit names no host to download from: everything comes from the package
 * registries through Maven and the actions GitHub runs. Licence texts are quoted as they are.
 */
class NoDownloadHostTest {
    static final Pattern HOST = Pattern.compile("(?i)\\b(https?|ftp)://|\\bcurl\\s|\\bwget\\s");
    static final List<String> OWNED = List.of(".github", ".devcontainer", "grader/scripts", "grader/INSTRUCTORS.md", "grader/workflows-check",
            "grader/classroom50");

    @Test
    @DisplayName("no file of the GitHub set-up names a download host")
    void namesNoHost() {
        List<String> offenders = new ArrayList<>();
        Path root = Kit.root();
        for (String owned : OWNED) {
            Path start = root.resolve(owned);
            if (!Files.exists(start)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(start)) {
                files.filter(Files::isRegularFile)
                        .filter(f -> !f.getFileName().toString().equals("LICENSE"))
                        .filter(f -> !f.getFileName().toString().equals("pom.xml")) // XML namespace names, as in every POM
                        .filter(f -> !root.relativize(f).toString().contains("target"))
                        .forEach(f -> {
                            try {
                                List<String> lines = Files.readAllLines(f);
                                for (int i = 0; i < lines.size(); i++) {
                                    if (HOST.matcher(lines.get(i)).find()) {
                                        offenders.add(root.relativize(f) + ":" + (i + 1) + ": " + lines.get(i).strip());
                                    }
                                }
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        assertThat(offenders).isEmpty();
    }

    @Test
    @DisplayName("no Maven wrapper: Maven comes from the machine, the dev container or setup-java's runner")
    void noMavenWrapper() {
        assertThat(Kit.root().resolve("mvnw")).doesNotExist();
        assertThat(Kit.root().resolve(".mvn/wrapper")).doesNotExist();
    }
}

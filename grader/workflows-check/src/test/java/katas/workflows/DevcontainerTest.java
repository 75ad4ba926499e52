package katas.workflows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** .devcontainer/devcontainer.json: what a Codespace opens with. */
class DevcontainerTest {
    final Path file = Kit.root().resolve(".devcontainer/devcontainer.json");
    final JsonNode devcontainer = Kit.json(file); // JSON with comments, as dev containers allow

    @Test
    @DisplayName("uses an image with JDK 21 or newer and Maven")
    void hasJdk21AndMaven() {
        String image = devcontainer.path("image").asText();
        Matcher jdk = Pattern.compile("^maven:3\\.\\d+(\\.\\d+)?-eclipse-temurin-(\\d+)$").matcher(image);
        assertThat(jdk.matches()).as("a Maven 3 image on Eclipse Temurin: " + image).isTrue();
        assertThat(Integer.parseInt(jdk.group(2))).as("the JDK of the image").isGreaterThanOrEqualTo(21);
    }

    @Test
    @DisplayName("installs the Java extensions")
    void hasJavaExtensions() {
        List<String> extensions = new ArrayList<>();
        devcontainer.path("customizations").path("vscode").path("extensions").forEach(e -> extensions.add(e.asText()));
        assertThat(extensions).contains("vscjava.vscode-java-pack");
    }

    @Test
    @DisplayName("fetches the dependencies when the container is made, with a script that exists and parses")
    void fetchesDependencies() {
        String command = devcontainer.path("updateContentCommand").asText();
        assertThat(command).isEqualTo("bash .devcontainer/fetch-dependencies.sh");
        assertThat(devcontainer.path("waitFor").asText()).as("the Codespace is ready when the fetch is done").isEqualTo("updateContentCommand");
        Path script = Kit.root().resolve(".devcontainer/fetch-dependencies.sh");
        assertThat(script).isRegularFile();
        assertThat(script).content().contains("mvn -B -ntp -q -DskipTests install", "./grade --list", "exit 0");
        assumeTrue(Kit.onPath("bash"), "needs bash");
        Shell.Result syntax = Shell.run(List.of("bash", "-n", script.toString()), Kit.root(), Map.of(), Duration.ofSeconds(30));
        assertThat(syntax.exitCode()).as(syntax.toString()).isZero();
    }

    @Test
    @DisplayName("names no other files than the kit's own")
    void onlyKnownKeys() {
        List<String> keys = new ArrayList<>();
        devcontainer.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsOnly("name", "image", "containerEnv", "customizations", "updateContentCommand", "waitFor", "hostRequirements");
        assertThat(Files.exists(Kit.root().resolve(".devcontainer/Dockerfile"))).isFalse();
    }
}

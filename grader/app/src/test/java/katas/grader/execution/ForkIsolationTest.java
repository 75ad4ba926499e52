package katas.grader.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import katas.grader.compile.GraderClasspath;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("A fork's isolation")
class ForkIsolationTest {

    @Test
    @DisplayName("gives the fork an allowlisted environment: no GitHub files, no tokens, no JVM options to inject")
    void allowlistsTheEnvironment(@TempDir Path work) {
        Map<String, String> env = new HashMap<>(Map.of("PATH", "/usr/bin:/bin", "GITHUB_OUTPUT", "/runner/out",
                "GITHUB_STEP_SUMMARY", "/runner/summary", "GITHUB_TOKEN", "ghs_secret", "JAVA_TOOL_OPTIONS",
                "-javaagent:evil.jar", "HOME", "/home/runner", "LANG", "en_US.UTF-8"));
        ForkEnvironment.apply(env, work);
        assertThat(env).containsOnlyKeys("PATH", "LANG", "HOME", "TMPDIR").containsEntry("PATH", "/usr/bin:/bin")
                .containsEntry("HOME", work.resolve("home").toString())
                .containsEntry("TMPDIR", work.resolve("tmp").toString());
        assertThat(work.resolve("home")).isDirectory();
    }

    @Test
    @DisplayName("denies Unsafe from JDK 23 and native code from JDK 24, attaching always; says what an older JDK lacks")
    void deniesWhatTheJdkCan() {
        assertThat(ForkFlags.forJdk(21)).contains("-XX:+DisableAttachMechanism")
                .doesNotContain("--sun-misc-unsafe-memory-access=deny", "--illegal-native-access=deny");
        assertThat(ForkFlags.forJdk(23)).contains("--sun-misc-unsafe-memory-access=deny")
                .doesNotContain("--illegal-native-access=deny");
        assertThat(ForkFlags.forJdk(25)).contains("--sun-misc-unsafe-memory-access=deny",
                "--illegal-native-access=deny", "-Djunit.platform.launcher.interceptors.enabled=false");
    }

    @Test
    @DisplayName("puts the fork runtime, JUnit and the testkit on the module path, other jars on the class path, "
            + "and leaves out folders that are no module")
    void splitsModulesFromTheClassPath() {
        ForkModules split = ForkModules.of(GraderClasspath.entries(), GraderItself.location());
        assertThat(split.modulePath()).anyMatch(p -> p.toString().contains("fork"))
                .anyMatch(p -> p.toString().contains("junit-jupiter-engine"))
                .anyMatch(p -> p.toString().contains("testkit"))
                .noneMatch(p -> p.toString().contains("assertj"));
        assertThat(split.classPath()).anyMatch(p -> p.toString().contains("assertj")).allMatch(Files::isRegularFile);
        assertThat(split.modulePath()).doesNotContain(GraderItself.location());
        assertThat(split.classPath()).doesNotContain(GraderItself.location());
    }

    @Test
    @DisplayName("writes the compiled classes afresh, whatever a fork planted among them, and notices a changed library")
    void restoresClassesAndWatchesLibraries(@TempDir Path work) throws Exception {
        Path classes = Files.createDirectories(work.resolve("classes"));
        Files.writeString(classes.resolve("A.class"), "compiled");
        Path library = Files.writeString(work.resolve("lib.jar"), "library");
        ForkInputs inputs = ForkInputs.keep(java.util.List.of(classes), java.util.List.of(library));
        Files.createDirectories(classes.resolve("META-INF/services"));
        Files.writeString(classes.resolve("META-INF/services/x"), "planted");
        Files.writeString(classes.resolve("A.class"), "replaced");
        inputs.restore();
        assertThat(classes.resolve("META-INF")).doesNotExist();
        assertThat(classes.resolve("A.class")).hasContent("compiled");
        assertThat(inputs.changedLibrary()).isNull();
        Files.writeString(library, "rewritten");
        assertThat(inputs.changedLibrary()).isEqualTo(library.toString());
    }
}

package katas.grader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.List;
import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;

/** Builds a small kit of one-class katas in a folder, for tests of the grader itself. */
final class MiniKit {

    private final Path root;

    MiniKit(Path root) throws IOException {
        this.root = root;
        Files.createDirectories(root.resolve("grader/hidden"));
        Files.createDirectories(root.resolve("exercises"));
    }

    Path root() {
        return root;
    }

    /** A kata whose only class is the resource {@code hostile/<stub>/Calculator.java}, tested by CalculatorTest. */
    MiniKit kata(String id, String stub) throws IOException {
        Path dir = root.resolve("exercises").resolve(id);
        Files.createDirectories(dir.resolve("src/main/java/hostile"));
        Files.createDirectories(dir.resolve("src/test/java/hostile"));
        Files.writeString(dir.resolve("pom.xml"), "<project/>\n");
        Files.writeString(dir.resolve("kata.json"), """
                {
                  "id": "%s", "title": "Hostile %s", "order": 1, "track": "test", "summary": "a hostile submission",
                  "package": "hostile",
                  "parts": [ { "id": "visible", "title": "Visible tests", "kind": "tests", "source": "visible", "points": 100 } ],
                  "limits": { "kataSeconds": 40, "testSeconds": 3, "heapMegabytes": 64, "maxThreads": 50,
                              "maxProcesses": 2, "outputKilobytes": 16 }
                }
                """.formatted(id, stub));
        copy("hostile/" + stub + "/Calculator.java", dir.resolve("src/main/java/hostile/Calculator.java"));
        copy("hostile/CalculatorTest.java", dir.resolve("src/test/java/hostile/CalculatorTest.java"));
        copyTree("hostile/" + stub + "/extra", dir.resolve("src/main"));
        return this;
    }

    /** Replaces {@code placeholder} with {@code value} in every learner source of kata {@code id}. */
    MiniKit replace(String id, String placeholder, String value) throws IOException {
        try (var files = Files.walk(exercise(id).resolve("src/main"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.writeString(file, Files.readString(file).replace(placeholder, value));
            }
        }
        return this;
    }

    /** Copies the resource folder {@code resource}, when there is one, into {@code to}. */
    private static void copyTree(String resource, Path to) throws IOException {
        var url = MiniKit.class.getClassLoader().getResource(resource);
        if (url == null) {
            return;
        }
        Path from;
        try {
            from = Path.of(url.toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        try (var files = Files.walk(from)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
    }

    /** Gives kata {@code id} hidden tests, a reference solution and mutants, each a Calculator stub resource. */
    MiniKit withInstructorMaterial(String id, String solution, String... mutantsMustLoseVisible) throws IOException {
        Path hidden = root.resolve("grader/hidden").resolve(id).resolve("src/test/java/hostile");
        Files.createDirectories(hidden);
        copy("hostile/HiddenCalculatorTest.java", hidden.resolve("HiddenCalculatorTest.java"));
        Path solutions = root.resolve("solutions").resolve(id);
        Files.createDirectories(solutions.resolve("src/main/java/hostile"));
        copy("hostile/" + solution + "/Calculator.java", solutions.resolve("src/main/java/hostile/Calculator.java"));
        Files.createDirectories(solutions.resolve("mutants"));
        List<String> reference = lines("hostile/" + solution + "/Calculator.java");
        for (String mutant : mutantsMustLoseVisible) {
            List<String> changed = lines("hostile/" + mutant + "/Calculator.java");
            List<String> diff = UnifiedDiffUtils.generateUnifiedDiff("a/hostile/Calculator.java",
                    "b/hostile/Calculator.java", reference, DiffUtils.diff(reference, changed), 3);
            Files.writeString(solutions.resolve("mutants").resolve(mutant + ".diff"),
                    "Mistake: " + mutant + "\nMust-lose: visible\n\n" + String.join("\n", diff) + "\n");
        }
        return this;
    }

    /** Writes a README that states the kata's rule, part and points, as the contract asks. */
    MiniKit withReadme(String id) throws IOException {
        Files.writeString(exercise(id).resolve("README.md"), """
                ## Your task

                1. **The answer is 42.** Every call answers 42 (CalculatorTest, HiddenCalculatorTest).

                ## How it is graded
                | Visible tests | 100 |
                """);
        return this;
    }

    Path exercise(String id) {
        return root.resolve("exercises").resolve(id);
    }

    private static List<String> lines(String resource) throws IOException {
        try (InputStream in = MiniKit.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }

    private static void copy(String resource, Path to) throws IOException {
        try (InputStream in = MiniKit.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            Files.copy(in, to);
        }
    }
}

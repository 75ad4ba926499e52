package katas.workflows;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Where the kit is, and how its YAML and JSON files are read. Used from one test thread at a time. */
final class Kit {
    static final String CI = "ci.yml";
    static final String CLASSROOM = "classroom.yml";
    static final String REPORTER = "classroom-resources/autograding-grading-reporter@v1";
    /** The kit's test command, as the README and .ci/run give it. */
    static final String TEST_COMMAND = "mvn -B verify -Preference";

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION) // a repeated key would silently win
            .build();
    private static final ObjectMapper JSONC = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_JAVA_COMMENTS, JsonReadFeature.ALLOW_TRAILING_COMMA)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private Kit() {}

    /** The repository root: the surefire property katas.root, else the first folder up with exercises/. */
    static Path root() {
        String property = System.getProperty("katas.root");
        if (property != null) {
            return Path.of(property).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("exercises")) && Files.isRegularFile(p.resolve("pom.xml"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the kit's root folder (no exercises/ above " + Path.of("").toAbsolutePath() + ")");
    }

    static Path workflow(String fileName) {
        return root().resolve(".github/workflows").resolve(fileName);
    }

    static List<Path> workflows() {
        try (Stream<Path> files = Files.list(root().resolve(".github/workflows"))) {
            return files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The kit and an instructor's private copy hold solutions/; a student template does not. */
    static boolean isFullKit() {
        return Files.isDirectory(root().resolve("solutions"));
    }

    static JsonNode yaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static JsonNode json(Path file) {
        try {
            return JSONC.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static JsonNode json(String text) {
        try {
            return JSONC.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + e.getMessage(), e);
        }
    }

    /** Kata ids (folder names under exercises/ with a kata.json), in teaching order ("order"). */
    static List<String> kataIds() {
        try (Stream<Path> dirs = Files.list(root().resolve("exercises"))) {
            record Kata(String id, int order) {}
            List<Kata> katas = new ArrayList<>();
            dirs.filter(d -> Files.isRegularFile(d.resolve("kata.json"))).forEach(d -> {
                JsonNode manifest = json(d.resolve("kata.json"));
                katas.add(new Kata(d.getFileName().toString(), manifest.path("order").asInt(999)));
            });
            katas.sort((a, b) -> a.order() != b.order() ? Integer.compare(a.order(), b.order()) : a.id().compareTo(b.id()));
            return katas.stream().map(Kata::id).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The sum of the points of a kata's parts: what the grader sends to Classroom as max_score. */
    static double kataPoints(String kataId) {
        double sum = 0;
        for (JsonNode part : json(root().resolve("exercises").resolve(kataId).resolve("kata.json")).path("parts")) {
            sum += part.path("points").asDouble();
        }
        return sum;
    }

    /** The steps of a job, each with its index. */
    static List<JsonNode> steps(JsonNode workflow, String jobId) {
        List<JsonNode> steps = new ArrayList<>();
        workflow.path("jobs").path(jobId).path("steps").forEach(steps::add);
        return steps;
    }

    static Optional<JsonNode> stepWithId(JsonNode workflow, String jobId, String stepId) {
        return steps(workflow, jobId).stream().filter(s -> stepId.equals(s.path("id").asText(null))).findFirst();
    }

    /** Whether a program can be started from PATH (bash, git, timeout...): tests that need it skip otherwise. */
    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}

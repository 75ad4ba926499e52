package katas.grader.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a Classroom 50 result must be: the kit's schema ({@code grader/classroom50/result-v1.schema.json},
 * written from Classroom 50's documented fields), then what a schema cannot say: score never above
 * max-score, the totals the exact sums of the tests, and {@code passed} only for full points.
 */
public final class Classroom50Rules {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchema SCHEMA = load();

    private Classroom50Rules() {
    }

    static Path schemaFile() {
        return Path.of(System.getProperty("katas.root", "../..")).resolve("grader/classroom50/result-v1.schema.json");
    }

    private static JsonSchema load() {
        try {
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
                    .getSchema(JSON.readTree(Files.readString(schemaFile())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every rule the result breaks, in words; empty when it is valid. */
    public static List<String> problems(JsonNode result) {
        List<String> problems = new ArrayList<>(SCHEMA.validate(result).stream().map(ValidationMessage::getMessage)
                .toList());
        if (!problems.isEmpty()) {
            return problems;
        }
        long score = 0;
        long max = 0;
        for (JsonNode test : result.get("tests")) {
            String name = test.get("test-name").asText();
            if (test.get("score").asLong() > test.get("max-score").asLong()) {
                problems.add(name + ": score above max-score");
            }
            if (test.get("passed").asBoolean() && test.get("score").asLong() != test.get("max-score").asLong()) {
                problems.add(name + ": passed without full points");
            }
            score += test.get("score").asLong();
            max += test.get("max-score").asLong();
        }
        if (result.get("score").asLong() != score) {
            problems.add("score " + result.get("score") + " is not the sum of the tests' scores, " + score);
        }
        if (result.get("max-score").asLong() != max) {
            problems.add("max-score " + result.get("max-score") + " is not the sum of the tests' max-scores, " + max);
        }
        if (score > max) {
            problems.add("score above max-score");
        }
        return problems;
    }
}

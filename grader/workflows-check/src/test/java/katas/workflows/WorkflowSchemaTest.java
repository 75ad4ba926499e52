package katas.workflows;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every workflow validates against GitHub's workflow schema (SchemaStore's github-workflow.json,
 * vendored under src/test/resources/github-workflow-schema with its NOTICE), read with the YAML
 * parser GitHub's rules need: a repeated key is an error, not a silent overwrite.
 */
class WorkflowSchemaTest {
    private static final JsonSchema SCHEMA = load();

    private static JsonSchema load() {
        // The vendored copy has no $schema: draft-07 is what SchemaStore's file declares.
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7);
        try (InputStream in = WorkflowSchemaTest.class.getResourceAsStream("/github-workflow-schema/github-workflow.json")) {
            if (in == null) {
                throw new IllegalStateException("github-workflow.json is missing from the test resources");
            }
            return factory.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Set<String> problems(JsonNode workflow) {
        return SCHEMA.validate(workflow).stream().map(ValidationMessage::getMessage).collect(Collectors.toCollection(java.util.TreeSet::new));
    }

    static List<Path> workflows() {
        return Kit.workflows();
    }

    @Test
    @DisplayName("The kit has the Classroom workflow, and the CI workflow unless it is a student template")
    void workflowsArePresent() {
        assertThat(Kit.workflow(Kit.CLASSROOM)).isRegularFile();
        if (Kit.isFullKit()) {
            assertThat(Kit.workflow(Kit.CI)).isRegularFile();
        }
    }

    @ParameterizedTest(name = "{0} validates against GitHub's workflow schema")
    @MethodSource("workflows")
    void validatesAgainstSchema(Path workflow) {
        assertThat(problems(Kit.yaml(workflow))).as("schema errors in " + workflow.getFileName()).isEmpty();
    }

    /** The check can fail: each of these mistakes is caught. */
    @ParameterizedTest(name = "the schema rejects: {0}")
    @ValueSource(strings = {
        "a misspelled job key|jobs:\n  build:\n    runs-on: ubuntu-latest\n    timout-minutes: 5\n    steps:\n      - run: echo\n",
        "a job without runs-on|jobs:\n  build:\n    steps:\n      - run: echo\n",
        "an unknown event|on: pushh\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n",
        "a step with both uses and run|jobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        run: echo\n",
        "a permission that does not exist|permissions:\n  everything: write\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n",
    })
    void rejectsBrokenWorkflows(String mistakeAndYaml) throws IOException {
        String[] parts = mistakeAndYaml.split("\\|", 2);
        String yaml = parts[1].startsWith("on:") ? parts[1] : "on: push\n" + parts[1];
        Path file = Files.createTempFile("broken-workflow", ".yml");
        try {
            Files.writeString(file, yaml);
            assertThat(problems(Kit.yaml(file))).as(parts[0]).isNotEmpty();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}

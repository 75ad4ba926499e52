package katas.grader.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import katas.grader.GradeResult;
import katas.grader.execution.Incident;
import katas.grader.execution.TestRecord;
import katas.grader.scoring.KataResult;
import katas.grader.parts.PartScore;

/**
 * {@code results.json}: per kata, per part, per test: status, points, message, duration; and the
 * machine (cores, JDK, OS). Written as an explicit tree so the file's shape is a documented
 * contract, not whatever the records happen to look like.
 */
public final class ResultsJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ResultsJson() {
    }

    public static String render(GradeResult result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", 1);
        root.put("startedAt", result.startedAt().toString());
        root.put("durationMillis", result.durationMillis());
        root.put("subject", result.subject());
        root.put("hiddenTestsPresent", result.hiddenPresent());
        root.put("seed", result.seed());
        ObjectNode machine = root.putObject("machine");
        machine.put("cores", result.machine().cores());
        if (result.coresOverride() > 0) {
            machine.put("coresAssumed", result.coresOverride());
        }
        machine.put("jdk", result.machine().jdk());
        machine.put("os", result.machine().os());
        ArrayNode gaps = machine.putArray("isolationGaps");
        result.machine().isolationGaps().forEach(gaps::add);
        root.put("points", result.points());
        root.put("maxPoints", result.max());
        ArrayNode katas = root.putArray("katas");
        for (KataResult kata : result.katas()) {
            katas.add(kata(kata));
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static ObjectNode kata(KataResult kata) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", kata.id());
        node.put("title", kata.title());
        node.put("subject", kata.subject());
        node.put("status", kata.status().name());
        if (kata.message() != null) {
            node.put("message", kata.message());
        }
        node.put("points", kata.points());
        node.put("maxPoints", kata.max());
        node.put("durationMillis", kata.durationMillis());
        ArrayNode parts = node.putArray("parts");
        for (PartScore part : kata.parts()) {
            ObjectNode p = parts.addObject();
            p.put("id", part.part().id());
            p.put("title", part.part().title());
            p.put("kind", part.part().kind());
            p.put("status", part.status().name());
            p.put("points", part.points());
            p.put("maxPoints", part.max());
            if (part.reason() != null) {
                p.put("reason", part.reason());
            }
            if (part.speedup() != null) {
                ObjectNode s = p.putObject("speedup");
                s.put("speedup", round(part.speedup().measurement().speedup()));
                s.put("target", round(part.speedup().target()));
                // cores: what the target counts (KATA_CORES, or the cores present, at most the workload's
                // parallelism, or fewer when the calibration found less); coresPresent: what the JVM saw.
                s.put("cores", round(part.speedup().goal().cores()));
                s.put("coresPresent", part.speedup().measurement().cores());
                s.put("targetBasis", part.speedup().goal().basis());
                if (part.speedup().measurement().capacity() > 0) {
                    s.put("capacity", round(part.speedup().measurement().capacity()));
                }
                s.put("spread", round(part.speedup().measurement().spread()));
                ArrayNode ratios = s.putArray("ratios");
                part.speedup().measurement().ratios().forEach(r -> ratios.add(round(r)));
                s.put("baselineMillis", round(part.speedup().measurement().baselineMillis()));
                s.put("candidateMillis", round(part.speedup().measurement().candidateMillis()));
                s.put("input", part.speedup().measurement().input());
                if (part.speedup().measurement().failure() != null) {
                    s.put("failure", part.speedup().measurement().failure());
                }
            }
            ArrayNode tests = p.putArray("tests");
            for (TestRecord test : part.tests()) {
                ObjectNode t = tests.addObject();
                t.put("name", test.name());
                t.put("className", test.className());
                t.put("status", test.status().name());
                if (test.message() != null) {
                    t.put("message", test.message());
                }
                if (test.output() != null && !test.output().isEmpty()) {
                    t.put("output", test.output());
                }
                t.put("durationMillis", test.durationMillis());
            }
        }
        ArrayNode incidents = node.putArray("incidents");
        for (Incident incident : kata.incidents()) {
            ObjectNode i = incidents.addObject();
            i.put("kind", incident.kind().name());
            if (incident.testName() != null) {
                i.put("test", incident.testName());
            }
            i.put("message", incident.message());
        }
        ArrayNode notes = node.putArray("notes");
        kata.notes().forEach(notes::add);
        return node;
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}

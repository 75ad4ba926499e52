package katas.grader.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.stream.Collectors;
import katas.grader.GradeResult;
import katas.grader.execution.TestRecord;
import katas.grader.scoring.KataResult;
import katas.grader.scoring.KataStatus;
import katas.grader.parts.PartScore;

/**
 * GitHub Classroom runner results: one per kata, in the format of the autograding runners, so that
 * {@code classroom-resources/autograding-grading-reporter} adds up our points, partial credit
 * included.
 *
 * <p>What the reporter does with them, from its source (src/main.js, src/notify-classroom.js and the
 * bundled dist/main.js): for each id in its {@code runners} input it base64-decodes the env variable
 * {@code <ID UPPERCASED>_RESULTS}; the grade it sends to Classroom is the sum of {@code tests[].score}
 * over the sum of {@code max_score}, skipping runners whose {@code max_score} is 0; the statuses play
 * no part in that sum. A runner status of "fail" or "error" only fails the reporter's step ("Some
 * tests failed." / "Some tests errored."), after the points are posted. So partial credit counts
 * whatever the status, and we use "error" for what is not the learner's score at all (a kata that
 * could not be compiled, read or graded), "fail" for points lost, "pass" for full points. Its
 * console table recomputes passed/total x max_score and disagrees with fractional scores (issue
 * #10); the posted total does not.
 */
public final class ClassroomResults {

    private static final ObjectMapper COMPACT = new ObjectMapper();
    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Room for a compiler's errors; the full text is in results.json. This keeps the step output small. */
    private static final int MESSAGE_LIMIT = 4000;

    private ClassroomResults() {
    }

    /**
     * The runner id of a kata, and its step output name: fix-the-race becomes fix_the_race (the
     * reporter reads env {@code FIX_THE_RACE_RESULTS}, and a hyphen cannot be in an env name).
     */
    public static String runnerId(String kataId) {
        return kataId.replaceAll("[^A-Za-z0-9_]", "_");
    }

    /**
     * The runner lines, {@code <runner id>=<base64 of the result>}: written to {@code classroom-outputs.txt},
     * which the workflow checks and hands on to the reporter.
     */
    public static String outputLines(GradeResult result) {
        return result.katas().stream()
                .map(kata -> runnerId(kata.id()) + "=" + encode(runnerResult(kata)) + "\n")
                .collect(Collectors.joining());
    }

    /** {@code classroom.json}: what the workflow must wire up, and every result decoded, for instructors. */
    public static String inspection(GradeResult result) {
        ObjectNode root = PRETTY.createObjectNode();
        root.put("runners", result.katas().stream().map(k -> runnerId(k.id())).collect(Collectors.joining(",")));
        ArrayNode runners = root.putArray("results");
        double points = 0;
        double max = 0;
        for (KataResult kata : result.katas()) {
            ObjectNode runner = runners.addObject();
            runner.put("kata", kata.id());
            runner.put("output", runnerId(kata.id()));
            runner.put("env", runnerId(kata.id()).toUpperCase(Locale.ROOT) + "_RESULTS");
            ObjectNode decoded = runnerResult(kata);
            runner.set("result", decoded);
            if (decoded.get("max_score").asDouble() != 0) {
                max += decoded.get("max_score").asDouble();
                for (var test : decoded.get("tests")) {
                    points += test.get("score").asDouble();
                }
            }
        }
        // The total the reporter will post, so an instructor can check it against the scoreboard.
        number(root, "points", points);
        number(root, "maxPoints", max);
        try {
            return PRETTY.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The runner result of one kata: one entry per part, so that the scores add up to its points. */
    static ObjectNode runnerResult(KataResult kata) {
        ObjectNode root = COMPACT.createObjectNode();
        root.put("version", 1);
        root.put("status", kata.status() != KataStatus.GRADED ? "error" : kata.complete() ? "pass"
                : "fail");
        number(root, "max_score", kata.max());
        ArrayNode tests = root.putArray("tests");
        for (PartScore part : kata.parts()) {
            long millis = part.tests().stream().mapToLong(TestRecord::durationMillis).sum();
            // A part left out of the maximum is no failure of the learner's; the reporter prints the
            // message of an "error" test (and only the name of a "fail"), so that is what says why.
            String status = kata.status() != KataStatus.GRADED || !part.status().counts() ? "error"
                    : part.full() ? "pass" : "fail";
            // Whole points, as everywhere: the reporter adds the scores as they are, and so must we. A kata
            // that was not graded says why in full (every compiler error), not in its parts' first line.
            test(tests, kata.id() + ": " + part.part().title(), status, part.points(),
                    kata.status() != KataStatus.GRADED && kata.message() != null ? kata.message() : part.reason(),
                    millis);
        }
        if (kata.parts().isEmpty() && kata.status() != KataStatus.GRADED) {
            // An unreadable kata has no parts; an empty tests[] would print NaN in the reporter's table.
            test(tests, kata.id() + ": the kata can be graded", "error", 0, kata.message(), kata.durationMillis());
        }
        return root;
    }

    private static void test(ArrayNode tests, String name, String status, double score, String message,
            long millis) {
        ObjectNode test = tests.addObject();
        test.put("name", name);
        test.put("status", status);
        number(test, "score", score);
        test.put("message", message == null ? "" : cap(message));
        test.put("test_code", "");
        test.put("filename", "");
        test.put("line_no", 0);
        test.put("duration", millis);
    }

    /** Whole numbers as integers (40, not 40.0), as the other runners write them. */
    private static void number(ObjectNode node, String field, double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            node.put(field, (long) value);
        } else {
            node.put(field, value);
        }
    }

    private static String cap(String message) {
        String capped = message.length() <= MESSAGE_LIMIT ? message : message.substring(0, MESSAGE_LIMIT) + " …";
        // Through UTF-8 and back: a lone surrogate (cut here, or printed by the learner's code) becomes
        // '?' instead of making the JSON writer throw and the kata's result go missing.
        return new String(capped.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }

    static String encode(ObjectNode result) {
        try {
            return Base64.getEncoder().encodeToString(COMPACT.writeValueAsBytes(result));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}

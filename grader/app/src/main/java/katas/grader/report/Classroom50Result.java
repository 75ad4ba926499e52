package katas.grader.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import katas.grader.GradeResult;
import katas.grader.parts.PartScore;
import katas.grader.parts.PartStatus;
import katas.grader.scoring.KataResult;
import katas.grader.scoring.KataStatus;

/**
 * A Classroom 50 {@code result.json} (schema {@code classroom50/result/v1}): one test per kata part,
 * worth the part's whole points, so that the tests add up exactly to the total of the console and
 * {@code results.json}. What its collector ({@code collect_scores.py}) accepts, and nothing else at
 * the top level: integer scores, a real boolean {@code passed} (full points), score never above
 * max-score. A part's maximum follows the kit's one rule ({@link PartScore#max()}): hidden tests
 * missing from the checkout and code that does not compile both keep every part in the maximum.
 */
public final class Classroom50Result {

    public static final String SCHEMA = "classroom50/result/v1";
    /** Classroom 50 shows no message, but keeps it in the release's result.json: enough to read, never 10 MiB. */
    static final int MESSAGE_LIMIT = 4000;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** The format of the schema's datetime pattern; the runner stamps the commit's own time over it. */
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private Classroom50Result() {
    }

    public static String render(GradeResult result, Classroom50Identity who) {
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", SCHEMA);
        root.put("classroom", who.classroom());
        root.put("assignment", who.assignment());
        root.put("assignment_type", who.assignmentType());
        root.put("owner", who.owner());
        root.put("submission", who.submission());
        root.put("commit", who.commit());
        root.put("release", who.release());
        root.put("review", who.review());
        root.put("datetime", UTC.format(result.startedAt().truncatedTo(ChronoUnit.SECONDS)));
        ArrayNode tests = JSON.createArrayNode();
        int score = 0;
        int max = 0;
        for (KataResult kata : result.katas()) {
            for (PartScore part : kata.parts()) {
                // A kata that was not graded keeps its parts' maximum, with nothing earned.
                int earned = kata.status() == KataStatus.GRADED ? part.points() : 0;
                test(tests, kata.id() + ": " + part.part().title(), earned, part.max(),
                        kata.status() == KataStatus.GRADED && part.full(), message(kata, part));
                score += earned;
                max += part.max();
            }
            if (kata.parts().isEmpty()) {
                // An unreadable kata has no parts; it still gets a line that says why it earned nothing.
                test(tests, kata.id() + ": the kata can be graded", 0, 0, false, status(kata.status()) + ": "
                        + kata.message());
            }
        }
        root.put("score", score);
        root.put("max-score", max);
        root.set("tests", tests);
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void test(ArrayNode tests, String name, int score, int max, boolean passed, String message) {
        ObjectNode test = tests.addObject();
        test.put("test-name", name);
        test.put("passed", passed);
        test.put("score", score);
        test.put("max-score", max);
        test.put("message", cap(message));
    }

    /** Why the part scored what it did, in the learner's words; the compiler's whole output when it failed. */
    private static String message(KataResult kata, PartScore part) {
        if (kata.status() != KataStatus.GRADED) {
            String why = kata.message() == null ? "" : kata.message().strip();
            // The compiler's message already says so in its first line.
            return why.startsWith(status(kata.status())) ? why : status(kata.status()) + ":\n" + why;
        }
        String detail = part.part().detail(part);
        String points = part.points() + "/" + part.max() + " points";
        if (part.status() == PartStatus.FULL) {
            return "full points (" + points + ")" + (detail == null ? "" : ": " + detail);
        }
        return points + ": " + (part.reason() == null ? "" : part.reason()) + (detail == null ? "" : " (" + detail + ")");
    }

    private static String status(KataStatus status) {
        return switch (status) {
            case GRADED -> "graded";
            case DOES_NOT_COMPILE -> "your code does not compile";
            case INVALID -> "the kata cannot be read";
            case ERROR -> "the grader failed on this kata";
            case TAMPERED -> "your code changed the grader's files";
            case REFUSED -> "your code breaks the rule of fair play";
        };
    }

    private static String cap(String message) {
        String capped = message;
        if (message.length() > MESSAGE_LIMIT) {
            // Never half of a surrogate pair.
            int end = Character.isHighSurrogate(message.charAt(MESSAGE_LIMIT - 1)) ? MESSAGE_LIMIT - 1 : MESSAGE_LIMIT;
            capped = message.substring(0, end) + "\n… (cut; the whole text is in results.json)";
        }
        // Through UTF-8 and back: a lone surrogate (cut here, or printed by the learner's code) becomes '?'.
        return new String(capped.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
    }
}

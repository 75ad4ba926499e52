package katas.grader.parts;

import java.util.List;
import katas.grader.execution.TestRecord;
import katas.grader.execution.TestStatus;

/**
 * How a part made of tests scores: its points shared by the tests that passed. A test tagged
 * {@value #PRECONDITION} earns nothing itself but must pass for the part to earn anything: it
 * checks what the untouched stub already does (counting on one thread), so the stub scores 0
 * while a learner still sees it fail when a change breaks it.
 */
final class TestShare {

    /** The JUnit tag of a test that gates its part instead of earning points. */
    static final String PRECONDITION = "precondition";

    private TestShare() {
    }

    static PartScore score(Part part, List<TestRecord> claimed, String broken) {
        if (broken != null) {
            return new PartScore(part, PartStatus.NONE, 0, broken, claimed, null);
        }
        if (claimed.isEmpty()) {
            return new PartScore(part, PartStatus.NONE, 0, "none of this part's tests ran", claimed, null);
        }
        List<TestRecord> gates = claimed.stream().filter(t -> t.tags().contains(PRECONDITION)).toList();
        List<TestRecord> scored = claimed.stream().filter(t -> !t.tags().contains(PRECONDITION)).toList();
        if (scored.isEmpty()) {
            return new PartScore(part, PartStatus.NONE, 0, "this part has only precondition tests, which earn no "
                    + "points (a fault of the kata: please report it)", claimed, null);
        }
        TestRecord brokenGate = gates.stream().filter(t -> t.status() != TestStatus.PASSED).findFirst().orElse(null);
        if (brokenGate != null) {
            return new PartScore(part, PartStatus.NONE, 0, "a precondition did not pass, so this part earns nothing "
                    + "until it does: " + brokenGate.name() + ": " + firstLine(brokenGate.message()), claimed, null);
        }
        List<TestRecord> lost = scored.stream().filter(t -> t.status() != TestStatus.PASSED).toList();
        int points = Points.share(part.points(), scored.size() - lost.size(), scored.size());
        if (lost.isEmpty()) {
            return new PartScore(part, PartStatus.FULL, points, null, claimed, null);
        }
        TestRecord first = lost.get(0);
        String reason = lost.size() + " of " + scored.size() + " tests did not pass; first: " + first.name() + ": "
                + firstLine(first.message());
        return new PartScore(part, Points.status(points, part.points()), points, reason, claimed, null);
    }

    /** Whether a test earns a share of its part (a precondition earns none). */
    static boolean earns(TestRecord test) {
        return !test.tags().contains(PRECONDITION);
    }

    private static String firstLine(String text) {
        return text == null ? "(no message)" : text.lines().findFirst().orElse("");
    }
}

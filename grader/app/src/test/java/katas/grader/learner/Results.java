package katas.grader.learner;

import java.time.Instant;
import java.util.List;
import katas.grader.GradeResult;
import katas.grader.Machine;
import katas.grader.parts.PartScore;
import katas.grader.parts.PartStatus;
import katas.grader.parts.TestSource;
import katas.grader.parts.TestsPart;
import katas.grader.scoring.KataResult;
import katas.grader.scoring.KataStatus;

/** Small hand-made kata grades for the learner's loop. */
final class Results {

    static final TestsPart VISIBLE = new TestsPart("visible", "Visible tests", 40, TestSource.VISIBLE, null);
    static final TestsPart HIDDEN = new TestsPart("hidden", "Hidden tests", 60, TestSource.HIDDEN, null);

    private Results() {
    }

    /** Visible and hidden tests each at {@code visible}/40 and {@code hidden}/60 (FULL when at the top). */
    static KataResult kata(String id, int visible, int hidden) {
        return new KataResult(id, id, "exercise", KataStatus.GRADED, null, List.of(
                new PartScore(VISIBLE, visible == 40 ? PartStatus.FULL : PartStatus.PARTIAL, visible, null, List.of(), null),
                new PartScore(HIDDEN, hidden == 60 ? PartStatus.FULL : PartStatus.PARTIAL, hidden, null, List.of(), null)),
                List.of(), List.of(), 10, List.of());
    }

    /** The visible tests alone at {@code visible}/40, as {@code watch} grades them first; no part at all when negative. */
    static KataResult visibleOnly(String id, int visible) {
        return new KataResult(id, id, "exercise", KataStatus.GRADED, null, visible < 0 ? List.of() : List.of(
                new PartScore(VISIBLE, visible == 40 ? PartStatus.FULL : PartStatus.PARTIAL, visible, null, List.of(), null)),
                List.of(), List.of(), 10, List.of());
    }

    /** Visible tests full, hidden tests not in this checkout: 40/100, solved here. */
    static KataResult solvedWithoutHiddenTests(String id) {
        return new KataResult(id, id, "exercise", KataStatus.GRADED, null, List.of(
                new PartScore(VISIBLE, PartStatus.FULL, 40, null, List.of(), null),
                new PartScore(HIDDEN, PartStatus.NOT_AVAILABLE, 0, "not in this checkout", List.of(), null)),
                List.of(), List.of(), 10, List.of());
    }

    /**
     * Visible tests at {@code visible}/40, hidden ones at {@code hidden}/60, with one failed hidden test of rule 1
     * (its message {@code message}) when below 60.
     */
    static KataResult withFailure(String id, int visible, int hidden, String message) {
        List<katas.grader.execution.TestRecord> tests = hidden == 60 ? List.of() : List.of(new katas.grader.execution.TestRecord(
                "t1", "HitCounterStressTest > keeps every hit", "HitCounterStressTest", "hidden", List.of("rule-1"),
                katas.grader.execution.TestStatus.FAILED, message, null, 5));
        return new KataResult(id, id, "exercise", KataStatus.GRADED, null, List.of(
                new PartScore(VISIBLE, visible == 40 ? PartStatus.FULL : PartStatus.PARTIAL, visible, null, List.of(), null),
                new PartScore(HIDDEN, hidden == 60 ? PartStatus.FULL : PartStatus.PARTIAL, hidden,
                        hidden == 60 ? null : "lost hits", tests, null)),
                List.of(), List.of(), 10, List.of(new katas.grader.discovery.Rule(1, "no hit is lost", "...")));
    }

    static GradeResult grade(KataResult... katas) {
        return new GradeResult(Instant.parse("2026-11-20T10:00:00Z"), 1, new Machine(2, "JDK", "OS"), "exercise", true,
                0, 1, List.of(katas));
    }
}

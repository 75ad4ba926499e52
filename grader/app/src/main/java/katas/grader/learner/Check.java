package katas.grader.learner;

import java.util.List;
import katas.grader.GradeResult;
import katas.grader.scoring.KataResult;

/**
 * {@code ./grade check}: whether a grade is at full marks, for scripts and pre-push hooks. A kata
 * passes with full points in every part this checkout could grade: a learner's checkout has no hidden
 * tests, and a speedup cannot be measured on one core, so those parts cannot hold a check back.
 */
public final class Check {

    private Check() {
    }

    /** Whether every kata of {@code result} is at full marks here. */
    public static boolean passed(GradeResult result) {
        return !result.katas().isEmpty() && result.katas().stream().allMatch(KataResult::completeHere);
    }

    /** One line a kata: "check: fix-the-race passed (40/100: ...)" or "check: fix-the-race failed (12/100)". */
    public static List<String> verdict(GradeResult result) {
        return result.katas().stream().map(k -> "check: " + k.id() + (k.completeHere() ? " passed" : " failed")
                + " (" + k.points() + "/" + k.max() + (k.completeHere() && !k.complete()
                        ? ": full marks on every part graded here; the rest cannot be graded in this checkout" : "")
                + ")").toList();
    }
}

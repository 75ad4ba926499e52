package katas.grader.parts;

import java.util.List;
import java.util.Set;
import katas.grader.execution.ForkPlan;
import katas.grader.execution.RunRecord;
import katas.grader.execution.TestRecord;

/**
 * Rules about how the code is built that no run can observe ("the rate limiter never calls
 * Thread.sleep"), checked by hidden tests tagged {@value #TAG} (ArchUnit, usually on a version that
 * works, so that an empty stub cannot pass them), and shared like any tests.
 */
public record StructurePart(String id, String title, int points) implements Part {

    static final String KIND = "structure";
    /** The JUnit tag of the hidden tests that belong to a structure part. */
    public static final String TAG = "structure";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<String> problems() {
        return List.of();
    }

    @Override
    public String tag() {
        return TAG;
    }

    @Override
    public void plan(ForkPlan plan) {
        plan.select(TestSource.HIDDEN.origin(), TAG);
    }

    @Override
    public boolean claims(TestRecord test, Set<String> partTags) {
        return TestSource.HIDDEN.origin().equals(test.origin()) && test.tags().contains(TAG);
    }

    @Override
    public PartScore score(RunRecord run, ScoringContext context) {
        if (!context.hiddenPresent()) {
            return new PartScore(this, PartStatus.NOT_AVAILABLE, 0, "the structure rules belong to the hidden tests, "
                    + "which are not in this checkout", List.of(), null);
        }
        List<TestRecord> claimed = run.tests().stream().filter(t -> claims(t, context.partTags())).toList();
        return TestShare.score(this, claimed, context.broken(TestSource.HIDDEN));
    }
}

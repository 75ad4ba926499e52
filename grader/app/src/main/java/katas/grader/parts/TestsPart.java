package katas.grader.parts;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import katas.grader.execution.ForkPlan;
import katas.grader.execution.RunRecord;
import katas.grader.execution.TestRecord;

/**
 * A share of points for every test of a set that passes: the visible tests, or the hidden ones.
 *
 * @param source where the tests come from
 * @param tag only tests with this JUnit tag; null: those with no other part's tag
 */
public record TestsPart(String id, String title, int points, TestSource source, String tag) implements Part {

    static final String KIND = "tests";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (source == null) {
            problems.add("needs \"source\": \"visible\" or \"hidden\"");
        }
        if (TestShare.PRECONDITION.equals(tag) || StructurePart.TAG.equals(tag)) {
            problems.add("cannot take the tag \"" + tag + "\", which has a meaning of its own");
        }
        return problems;
    }

    @Override
    public void plan(ForkPlan plan) {
        plan.select(source.origin(), tag);
    }

    @Override
    public boolean claims(TestRecord test, Set<String> partTags) {
        if (source == null || !source.origin().equals(test.origin())) {
            return false;
        }
        return tag != null ? test.tags().contains(tag) : test.tags().stream().noneMatch(partTags::contains);
    }

    @Override
    public PartScore score(RunRecord run, ScoringContext context) {
        if (source == TestSource.HIDDEN && !context.hiddenPresent()) {
            return new PartScore(this, PartStatus.NOT_AVAILABLE, 0, "the hidden tests are not in this checkout, so "
                    + "only the visible tests were graded", List.of(), null);
        }
        if (source == TestSource.VISIBLE && context.visibleTampered() != null) {
            return new PartScore(this, PartStatus.TAMPERED, 0, context.visibleTampered(), List.of(), null);
        }
        List<TestRecord> claimed = run.tests().stream().filter(t -> claims(t, context.partTags())).toList();
        return TestShare.score(this, claimed, context.broken(source));
    }
}

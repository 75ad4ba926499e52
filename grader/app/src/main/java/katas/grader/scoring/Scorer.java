package katas.grader.scoring;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;
import katas.grader.discovery.KataManifest;
import katas.grader.discovery.Part;
import katas.grader.discovery.PartKind;
import katas.grader.discovery.TestSource;
import katas.grader.execution.RunRecord;
import katas.grader.execution.TestRecord;
import katas.grader.execution.TestStatus;
import katas.grader.perf.Measurement;
import katas.grader.perf.SpeedupTarget;

/** Scores the parts of one kata from its run. */
public final class Scorer {

    /**
     * What the scorer needs to know besides the run.
     *
     * @param hiddenPresent whether the hidden tests were in the checkout
     * @param visibleTampered why the visible tests cannot be trusted, or null
     * @param cores the cores the speedup target assumes; empty: what the fork saw
     */
    public record Context(boolean hiddenPresent, String visibleTampered, OptionalInt cores) {
    }

    /** Scores the parts of {@code manifest} that were graded ({@code parts}). */
    public List<PartScore> score(KataManifest manifest, List<Part> parts, RunRecord run, Context context) {
        Set<String> partTags = manifest.partTags();
        List<PartScore> scores = new ArrayList<>();
        for (Part part : parts) {
            scores.add(part.kind() == PartKind.SPEEDUP ? speedup(part, run, context)
                    : tests(part, run, context, partTags));
        }
        return scores;
    }

    private static PartScore tests(Part part, RunRecord run, Context context, Set<String> partTags) {
        if (part.source() == TestSource.HIDDEN && !context.hiddenPresent()) {
            return new PartScore(part, PartStatus.NOT_AVAILABLE, 0, "the hidden tests are not in this checkout, "
                    + "so only the visible tests were graded", List.of(), null);
        }
        if (part.source() == TestSource.VISIBLE && context.visibleTampered() != null) {
            return new PartScore(part, PartStatus.TAMPERED, 0, context.visibleTampered(), List.of(), null);
        }
        List<TestRecord> tests = run.tests().stream()
                .filter(t -> part.claims(TestSource.valueOf(t.origin().toUpperCase(Locale.ROOT)), t.tags(), partTags))
                .toList();
        if (tests.isEmpty()) {
            return new PartScore(part, PartStatus.NONE, 0, "none of this part's tests ran", tests, null);
        }
        List<TestRecord> lost = tests.stream().filter(t -> t.status() != TestStatus.PASSED).toList();
        double points = part.points() * (tests.size() - lost.size()) / (double) tests.size();
        if (lost.isEmpty()) {
            return new PartScore(part, PartStatus.FULL, points, null, tests, null);
        }
        TestRecord first = lost.get(0);
        String reason = lost.size() + " of " + tests.size() + " tests did not pass; first: " + first.name() + ": "
                + firstLine(first.message());
        return new PartScore(part, lost.size() == tests.size() ? PartStatus.NONE : PartStatus.PARTIAL, points, reason,
                tests, null);
    }

    private static PartScore speedup(Part part, RunRecord run, Context context) {
        if (!context.hiddenPresent()) {
            return new PartScore(part, PartStatus.NOT_AVAILABLE, 0, "the speedup baseline belongs to the hidden "
                    + "tests, which are not in this checkout", List.of(), null);
        }
        Measurement m = run.measurements().get(part.id());
        int cores = context.cores().orElse(m == null ? Runtime.getRuntime().availableProcessors() : m.cores());
        if (cores < 2) {
            return new PartScore(part, PartStatus.NOT_MEASURABLE, 0, "speedup cannot be measured on 1 core: this "
                    + "part is left out of the maximum (set KATA_CORES only if the machine really has more)",
                    List.of(), null);
        }
        if (m == null) {
            return new PartScore(part, PartStatus.NONE, 0, "the speedup was not measured", List.of(), null);
        }
        SpeedupTarget goal = SpeedupTarget.of(part.targetPerCore(), m.cores(), context.cores().orElse(0),
                m.parallelism(), m.capacity());
        if (!goal.measurable()) {
            return new PartScore(part, PartStatus.NOT_MEASURABLE, 0, String.format(Locale.ROOT, "speedup cannot be "
                    + "measured here: %s, which cannot tell a speedup from noise; this part is left out of the "
                    + "maximum", goal.basis()), List.of(), null);
        }
        SpeedupVerdict verdict = new SpeedupVerdict(m, goal);
        double points = verdict.score(part.points());
        PartStatus status = points >= part.points() - 1e-9 ? PartStatus.FULL : points > 0 ? PartStatus.PARTIAL
                : PartStatus.NONE;
        String reason = status == PartStatus.FULL ? null : m.failure() != null ? m.failure()
                : String.format(Locale.ROOT, "measured %.2fx, %.2fx short of the %.2fx target for %s: "
                        + "are all cores busy until the end (balanced chunks), and is nothing waited for one by one?",
                        m.speedup(), verdict.target() - m.speedup(), verdict.target(), goal.basis());
        return new PartScore(part, status, points, reason, List.of(), verdict);
    }

    private static String firstLine(String text) {
        return text == null ? "(no message)" : text.lines().findFirst().orElse("");
    }
}

package katas.grader.parts;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import katas.grader.execution.ForkPlan;
import katas.grader.execution.RunRecord;
import katas.grader.perf.Measurement;
import katas.grader.perf.SpeedupTarget;

/**
 * Points for going faster than the hidden suite's sequential baseline on the cores that count: none
 * at 1x or below, all at the target, a straight line between.
 *
 * @param workload the hidden suite's {@code SpeedupWorkload} class
 * @param targetPerCore the full-points speedup per core that counts (0.9 asks 1.8x of 2 cores)
 */
public record SpeedupPart(String id, String title, int points, String workload, double targetPerCore)
        implements Part {

    static final String KIND = "speedup";

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (workload == null || workload.isBlank()) {
            problems.add("needs \"workload\": the hidden suite's SpeedupWorkload class");
        }
        if (!(targetPerCore > 0)) {
            problems.add("needs \"targetPerCore\" > 0");
        }
        return problems;
    }

    @Override
    public void plan(ForkPlan plan) {
        plan.measure(id, workload, targetPerCore);
    }

    @Override
    public PartScore score(RunRecord run, ScoringContext context) {
        if (!context.hiddenPresent()) {
            return new PartScore(this, PartStatus.NOT_AVAILABLE, 0, "the speedup baseline belongs to the hidden "
                    + "tests, which are not in this checkout", List.of(), null);
        }
        if (context.hiddenBroken() != null) {
            return new PartScore(this, PartStatus.NONE, 0, context.hiddenBroken(), List.of(), null);
        }
        Measurement m = run.measurements().get(id);
        int cores = context.cores().orElse(m == null ? Runtime.getRuntime().availableProcessors() : m.cores());
        if (cores < 2) {
            return new PartScore(this, PartStatus.NOT_MEASURABLE, 0, "speedup cannot be measured on 1 core: this "
                    + "part is left out of the maximum (set KATA_CORES only if the machine really has more)",
                    List.of(), null);
        }
        if (m == null) {
            return new PartScore(this, PartStatus.NONE, 0, "the speedup was not measured", List.of(), null);
        }
        SpeedupTarget goal = SpeedupTarget.of(targetPerCore, m.cores(), context.cores().orElse(0), m.parallelism(),
                m.capacity());
        if (!goal.measurable()) {
            return new PartScore(this, PartStatus.NOT_MEASURABLE, 0, String.format(Locale.ROOT, "speedup cannot be "
                    + "measured here: %s, which cannot tell a speedup from noise; this part is left out of the "
                    + "maximum", goal.basis()), List.of(), null);
        }
        SpeedupVerdict verdict = new SpeedupVerdict(m, goal);
        int earned = verdict.score(points);
        PartStatus status = Points.status(earned, points);
        String reason = status == PartStatus.FULL ? null : m.failure() != null || verdict.beyondTheCores()
                ? verdict.summary() : String.format(Locale.ROOT, "measured %.2fx, %.2fx short of the %.2fx target for %s: "
                        + "are all cores busy until the end (balanced chunks), and is nothing waited for one by one?",
                        m.speedup(), verdict.target() - m.speedup(), verdict.target(), goal.basis());
        return new PartScore(this, status, earned, reason, List.of(), verdict);
    }

    @Override
    public String goal() {
        return String.format(Locale.ROOT, "full points at %.1fx per core", targetPerCore);
    }

    @Override
    public String detail(PartScore score) {
        return score.speedup() == null ? null : score.speedup().summary();
    }
}

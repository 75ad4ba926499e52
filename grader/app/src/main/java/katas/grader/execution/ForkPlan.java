package katas.grader.execution;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import katas.grader.fork.ForkSpec;

/**
 * What a kata's fork must do, as the graded parts ask for it: which tests to run (by origin and
 * tag) and which speedups to measure. Parts add to it; the grader then compiles only what it needs.
 */
public final class ForkPlan {

    private final int assumedCores;
    private final Set<String> partTags;
    private final List<ForkSpec.Selector> selectors = new ArrayList<>();
    private final List<ForkSpec.MeasurementSpec> measurements = new ArrayList<>();

    /**
     * @param assumedCores {@code KATA_CORES}, or 0 when not set
     * @param partTags every tag some part of the kata routes its tests by
     */
    public ForkPlan(int assumedCores, Set<String> partTags) {
        this.assumedCores = assumedCores;
        this.partTags = Set.copyOf(partTags);
    }

    /** Runs the tests from {@code origin} ("visible", "hidden") with {@code tag}, or with no part's tag when null. */
    public void select(String origin, String tag) {
        List<String> excluded = tag == null ? partTags.stream().sorted().toList() : List.of();
        selectors.add(new ForkSpec.Selector(origin, tag, excluded));
    }

    /** Measures a speedup part, after the tests, against the hidden suite's workload class. */
    public void measure(String partId, String workloadClass, double targetPerCore) {
        measurements.add(new ForkSpec.MeasurementSpec(partId, workloadClass, KataExecutor.SPEEDUP_PAIRS,
                targetPerCore, assumedCores));
    }

    public boolean runs(String origin) {
        return selectors.stream().anyMatch(s -> s.origin().equals(origin));
    }

    /** Whether the hidden suite must be compiled: its tests run, or a workload of it is measured. */
    public boolean needsHidden() {
        return runs("hidden") || !measurements.isEmpty();
    }

    public List<ForkSpec.Selector> selectors() {
        return List.copyOf(selectors);
    }

    public List<ForkSpec.MeasurementSpec> measurements() {
        return List.copyOf(measurements);
    }
}

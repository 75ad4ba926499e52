package katas.grader.fork;

import java.util.List;

/**
 * What one forked JVM must do, written to a file the fork reads at start.
 *
 * @param token proves to the grader that a connection comes from the fork it started
 * @param visibleClasses test classes from the visible tests
 * @param hiddenClasses test classes from the hidden tests
 * @param selectors which of their tests run: a test runs when one selector takes it
 * @param skip unique ids of tests an earlier fork already ran or died in
 * @param first unique ids of tests to run before all the others, when the selectors take them (a guess at the
 *     test that fails first, so that a fail-fast grade stops early); ids of no test are ignored
 * @param failFast stop at the first test that does not pass (the self-check, grading a mutant)
 * @param measurements speedup workloads to measure after the tests, if not measured yet
 * @param seed the seed the tests draw their shapes from (the configuration parameter katas.seed)
 * @param deadlineEpochMillis when the whole kata must be over; the fork explains itself just before
 * @param kataId the kata, for the replay command a failing test prints (the configuration parameter katas.kata)
 */
public record ForkSpec(String token, int port, List<String> visibleClasses, List<String> hiddenClasses,
        List<Selector> selectors, List<String> skip, List<String> first, boolean failFast, List<MeasurementSpec> measurements,
        long seed, int testSeconds, long deadlineEpochMillis, int maxThreads, int maxProcesses, int outputBytes,
        String learnerPackage, String kataId) {

    /** This spec with the channel the fork must connect back on: the rest is the same for every fork of a kata. */
    public ForkSpec withChannel(String channelToken, int channelPort) {
        return new ForkSpec(channelToken, channelPort, visibleClasses, hiddenClasses, selectors, skip, first, failFast,
                measurements, seed, testSeconds, deadlineEpochMillis, maxThreads, maxProcesses, outputBytes,
                learnerPackage, kataId);
    }

    /**
     * Takes the tests from {@code origin} ("visible" or "hidden") that carry {@code tag} (any, when null)
     * and none of {@code excludedTags}.
     */
    public record Selector(String origin, String tag, List<String> excludedTags) {

        public boolean takes(String testOrigin, java.util.Collection<String> tags) {
            return origin.equals(testOrigin) && (tag == null || tags.contains(tag))
                    && tags.stream().noneMatch(excludedTags::contains);
        }
    }

    /**
     * One speedup part to measure: the hidden suite's workload class, at most how many timed pairs, and
     * what sets the target ({@link katas.grader.perf.SpeedupTarget}).
     *
     * @param assumedCores {@code KATA_CORES}, or 0 when not set
     */
    public record MeasurementSpec(String partId, String workloadClass, int pairs, double targetPerCore,
            int assumedCores) {
    }
}

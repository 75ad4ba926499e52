package katas.grader.execution;

import java.util.List;

/**
 * What one forked JVM must do, written to a file the fork reads at start.
 *
 * @param token proves to the grader that a connection comes from the fork it started
 * @param visibleClasses test classes from the visible tests (only the ones that count)
 * @param hiddenClasses test classes from the hidden tests
 * @param skip unique ids of tests an earlier fork already ran or died in
 * @param measurements speedup workloads to measure after the tests, if not measured yet
 * @param deadlineEpochMillis when the whole kata must be over; the fork explains itself just before
 */
public record ForkSpec(String token, int port, List<String> visibleClasses, List<String> hiddenClasses,
        List<String> skip, List<MeasurementSpec> measurements, int testSeconds, long deadlineEpochMillis,
        int maxThreads, int maxProcesses, int outputBytes, String learnerPackage) {

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

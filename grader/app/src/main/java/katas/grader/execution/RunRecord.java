package katas.grader.execution;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import katas.grader.perf.Measurement;

/** Everything the forks of one kata reported: tests in discovery order, incidents, measurements. */
public final class RunRecord {

    private final Map<String, TestRecord> tests = new LinkedHashMap<>();
    private final List<Incident> incidents = new ArrayList<>();
    private final Map<String, Measurement> measurements = new LinkedHashMap<>();
    private int forks;
    private int orphansStopped;
    private String stoppedEarly;

    public synchronized Collection<TestRecord> tests() {
        return List.copyOf(tests.values());
    }

    public synchronized List<Incident> incidents() {
        return List.copyOf(incidents);
    }

    public synchronized Map<String, Measurement> measurements() {
        return Map.copyOf(measurements);
    }

    public synchronized int forks() {
        return forks;
    }

    /** Child processes still alive after the kata's JVM ended, which the grader stopped. */
    public synchronized int orphansStopped() {
        return orphansStopped;
    }

    /** Why the fork stopped before running every test (fail-fast), or null. */
    public synchronized String stoppedEarly() {
        return stoppedEarly;
    }

    synchronized void stoppedEarly(String why) {
        stoppedEarly = why;
    }

    synchronized void forkStarted() {
        forks++;
    }

    synchronized void orphansStopped(int count) {
        orphansStopped += count;
    }

    synchronized void discovered(String id, String name, String className, String origin, List<String> tags) {
        tests.putIfAbsent(id, new TestRecord(id, name, className, origin, tags == null ? List.of() : List.copyOf(tags),
                TestStatus.NOT_RUN, null, "", 0));
    }

    synchronized void finished(String id, TestStatus status, String message, String output, long millis) {
        TestRecord test = tests.get(id);
        if (test != null && test.status() == TestStatus.NOT_RUN) {
            tests.put(id, test.finish(status, FailureText.readable(message), output, millis));
        }
    }

    synchronized boolean isFinished(String id) {
        TestRecord test = tests.get(id);
        return test != null && test.status() != TestStatus.NOT_RUN;
    }

    synchronized List<String> finishedIds() {
        return tests.values().stream().filter(t -> t.status() != TestStatus.NOT_RUN).map(TestRecord::id).toList();
    }

    synchronized String nameOf(String id) {
        TestRecord test = id == null ? null : tests.get(id);
        return test == null ? id : test.name();
    }

    synchronized void incident(Incident incident) {
        incidents.add(incident);
    }

    synchronized void measured(String partId, Measurement measurement) {
        measurements.put(partId, measurement);
    }

    /** Marks every test that never finished, with the reason. */
    synchronized void notRun(String why) {
        tests.replaceAll((id, t) -> t.status() == TestStatus.NOT_RUN && t.message() == null
                ? t.finish(TestStatus.NOT_RUN, why, "", 0) : t);
    }
}

package katas.grader.execution;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import katas.grader.fork.ForkSpec;
import katas.grader.fork.IncidentKind;
import katas.grader.perf.Measurement;

/**
 * Runs one kata's tests and measurements within the kata's time bound. When a fork ends early
 * (System.exit, a crash, a breached limit, a hang outside a test body), the test it was running is
 * charged with the reason and a fresh fork runs the tests that remain, up to {@value #MAX_FORKS}
 * forks: one bad test must not cost the points of the others.
 */
public final class KataExecutor {

    static final int MAX_FORKS = 3;
    /**
     * At most this many timed baseline/candidate pairs per speedup part, after one warm-up pair (fewer
     * when the score is already decided: see SpeedupMeter).
     */
    public static final int SPEEDUP_PAIRS = 5;

    /**
     * What to run.
     *
     * @param classpath the fork's classpath: the compiled code and tests first, then the grader's own
     * @param selectors which tests run
     * @param first unique ids of tests to run before the others, when they are among them
     * @param failFast stop at the first test that does not pass
     * @param speedups the speedup parts to measure, in manifest order
     * @param seed the seed the tests draw their shapes from
     * @param inputs the compiled classes, written afresh before every fork but the first, and the grader's
     *     libraries, checked before every fork and after the last
     * @param shared the archive of classes its forks may map ({@link SharedClasses#NONE} but in the self-check)
     */
    public record Job(String kataId, List<Path> classpath, List<String> visibleClasses, List<String> hiddenClasses,
            List<ForkSpec.Selector> selectors, List<String> first, boolean failFast, List<ForkSpec.MeasurementSpec> speedups,
            Limits limits, String learnerPackage, long seed, Path workDir, ForkInputs inputs, SharedClasses shared) {
    }

    /** Starts the job's first fork ahead of it: it loads JUnit while the grader compiles. */
    public ForkLaunch prestart(List<Path> classpath, Limits limits, Path workDir, SharedClasses shared)
            throws IOException {
        return ForkLaunch.start(classpath, limits, workDir, shared);
    }

    /** Runs the job; never throws for anything the learner's code does. */
    public RunRecord execute(Job job) throws IOException, InterruptedException {
        return execute(job, null);
    }

    /** Runs the job, its first fork on {@code first} when given (started by {@link #prestart}). */
    public RunRecord execute(Job job, ForkLaunch first) throws IOException, InterruptedException {
        RunRecord record = new RunRecord();
        long deadline = System.currentTimeMillis() + job.limits().kataSeconds() * 1000L;
        for (int fork = 1; fork <= MAX_FORKS && System.currentTimeMillis() < deadline; fork++) {
            List<String> skip = record.finishedIds();
            List<ForkSpec.MeasurementSpec> toMeasure = job.speedups().stream()
                    .filter(m -> !record.measurements().containsKey(m.partId())).toList();
            ForkSpec spec = new ForkSpec(null, 0, job.visibleClasses(), job.hiddenClasses(), job.selectors(), skip,
                    job.first(), job.failFast(), toMeasure, job.seed(), job.limits().testSeconds(), deadline, job.limits().maxThreads(), job.limits().maxProcesses(),
                    job.limits().outputKilobytes() * 1024, job.learnerPackage(), job.kataId());
            int finishedBefore = record.finishedIds().size();
            int measuredBefore = record.measurements().size();
            if (tampered(job, record)) {
                break;
            }
            if (fork > 1) {
                // The last fork may have changed what it loaded: the next one loads it as compiled.
                job.inputs().restore();
            }
            ForkLaunch launch = fork == 1 && first != null ? first : ForkLaunch.start(job.classpath(), job.limits(),
                    job.workDir(), job.shared());
            try (launch) {
                if (new ForkProcess(record).run(launch, spec)) {
                    break;
                }
            }
            boolean progressed = record.finishedIds().size() > finishedBefore
                    || record.measurements().size() > measuredBefore;
            if (!progressed) {
                break;
            }
        }
        tampered(job, record);
        String lastIncident = record.incidents().isEmpty() ? "the kata ran out of time"
                : record.incidents().get(record.incidents().size() - 1).message();
        record.notRun(record.stoppedEarly() != null ? "did not run: " + record.stoppedEarly()
                : "did not run: an earlier problem stopped the kata (" + firstLine(lastIncident) + ")");
        for (ForkSpec.MeasurementSpec m : job.speedups()) {
            if (!record.measurements().containsKey(m.partId())) {
                record.measured(m.partId(), new Measurement("", List.of(), 0, 0, 0,
                        "not measured: " + firstLine(lastIncident), Runtime.getRuntime().availableProcessors()));
            }
        }
        return record;
    }

    /** Records, once, that a library of the grader changed; true when one did. */
    private static boolean tampered(Job job, RunRecord record) {
        String changed = job.inputs().changedLibrary();
        if (changed == null) {
            return false;
        }
        if (record.incidents().stream().noneMatch(i -> i.kind() == IncidentKind.TAMPERED)) {
            record.incident(new Incident(IncidentKind.TAMPERED, null, "a file the grader loads into every fork "
                    + "changed while this kata ran (" + changed + "): code under grading rewrote it, so no result "
                    + "from here on can be trusted"));
        }
        return true;
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.lines().findFirst().orElse("");
    }
}

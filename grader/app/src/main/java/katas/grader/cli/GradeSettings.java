package katas.grader.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import katas.grader.GradeListener;
import katas.grader.GradeRequest;
import katas.grader.GradeResult;
import katas.grader.Grader;
import katas.grader.Listeners;
import katas.grader.Subject;
import katas.grader.discovery.Kata;
import katas.grader.discovery.KataDiscovery;
import katas.grader.discovery.KitLayout;
import katas.grader.learner.StateFile;
import katas.grader.learner.StateRecorder;
import katas.grader.report.ConsoleReport;
import katas.grader.report.KitProgress;
import katas.grader.report.ReportFiles;
import katas.grader.report.TextWrap;
import katas.grader.scoring.KataResult;
import picocli.CommandLine.Option;

/** The options of a grade, shared by {@code ./grade} and {@code ./grade check}, and the grade they ask for. */
final class GradeSettings {

    /** The part every kata's manifest gives its visible tests. */
    private static final String VISIBLE_PART = "visible";

    @Option(names = "--reports", paramLabel = "DIR", defaultValue = "grade-reports",
            description = "Where results.json, junit/*.xml and summary.md go (default: ${DEFAULT-VALUE}).")
    private Path reports;

    @Option(names = "--cores", paramLabel = "N", defaultValue = "${env:KATA_CORES}",
            description = "Cores the speedup target assumes (default: $KATA_CORES, else what the JVM sees).")
    private Integer cores;

    @Option(names = "--seed", paramLabel = "N",
            description = "Draw the tests' shapes from this seed, to replay a failure (default: a new seed each run).")
    private Long seed;

    /** These settings, with --cores and --seed taken from {@code before} (given before the command) when not given here. */
    GradeSettings orElse(GradeSettings before) {
        if (before == null) {
            return this;
        }
        GradeSettings merged = new GradeSettings();
        merged.reports = reports;
        merged.cores = cores != null ? cores : before.cores;
        merged.seed = seed != null ? seed : before.seed;
        return merged;
    }

    OptionalInt cores() throws GradeCommand.UsageException {
        if (cores != null && cores < 1) {
            throw new GradeCommand.UsageException("--cores (or KATA_CORES) must be at least 1, was " + cores);
        }
        return cores == null ? OptionalInt.empty() : OptionalInt.of(cores);
    }

    Path reportDir(KitLayout layout) {
        return reports.isAbsolute() ? reports : layout.kitRoot().resolve(reports);
    }

    /**
     * Grades {@code katas} (all when empty) with the scoreboard on the console and the report files.
     *
     * @param remember whether this is the learner's own grade: then the scoreboard's progress counts every
     *     kata of the kit, with the grades remembered in {@code .grade-state}, and this grade is remembered
     * @param more reports after the console and the report files
     */
    GradeResult grade(KitLayout layout, List<String> katas, Subject subject, boolean json, boolean classroom,
            boolean remember, List<GradeListener> more) throws Exception {
        return grade(layout, katas, subject, Set.of(), remember, more, true, json, classroom);
    }

    /**
     * One kata, the learner's own grade (remembered), without the scoreboard: for {@code watch} and
     * {@code interview}, which print a short verdict of their own. The report files are written as usual.
     */
    KataResult gradeQuietly(KitLayout layout, String kata) throws Exception {
        GradeResult result = grade(layout, List.of(kata), Subject.EXERCISE, Set.of(), true, List.of(), false, false,
                false);
        return result.katas().get(0);
    }

    /**
     * The visible tests of one kata alone, for {@code watch}'s first look: not remembered (it is not the kata's
     * grade) and with no report files (those keep the last whole grade).
     */
    KataResult gradeVisibleTests(KitLayout layout, String kata) throws Exception {
        GradeRequest request = GradeRequest.builder().layout(layout).katas(List.of(kata)).subject(Subject.EXERCISE)
                .parts(Set.of(VISIBLE_PART)).cores(cores())
                .seed(seed == null ? OptionalLong.empty() : OptionalLong.of(seed)).build();
        return new Grader().grade(request, new Listeners(List.of())).katas().get(0);
    }

    private GradeResult grade(KitLayout layout, List<String> katas, Subject subject, Set<String> parts,
            boolean remember, List<GradeListener> more, boolean console, boolean json, boolean classroom)
            throws Exception {
        GradeRequest request = GradeRequest.builder().layout(layout).katas(katas).subject(subject).parts(parts)
                .cores(cores()).seed(seed == null ? OptionalLong.empty() : OptionalLong.of(seed)).build();
        List<GradeListener> listeners = new ArrayList<>();
        StateRecorder recorder = null;
        KitProgress progress = null;
        if (remember) {
            StateFile file = new StateFile(layout.kitRoot());
            // Read before any code under grading runs: what that code writes there meanwhile is not kept.
            StateFile.Loaded before = file.load();
            if (before.problem() != null) {
                System.err.println("grade: " + before.problem());
            }
            List<String> order = new KataDiscovery().discover(layout).katas().stream().map(Kata::id).toList();
            progress = before.state().progress(order);
            recorder = new StateRecorder(file, before.state(), Clock.systemUTC(), System.err);
        }
        if (console) {
            listeners.add(new ConsoleReport(System.out, System.err, json, progress, TextWrap.columns(System.getenv())));
        }
        // First of the reports: it empties the grader's reports folder before anything else writes there.
        listeners.add(new ReportFiles(reportDir(layout), classroom, System.getenv()));
        listeners.addAll(more);
        if (recorder != null) {
            listeners.add(recorder);
        }
        return new Grader().grade(request, new Listeners(listeners));
    }

    /** Whether the console takes ✓ and ✗. */
    static boolean unicode(PrintStream out) {
        return out.charset().equals(java.nio.charset.StandardCharsets.UTF_8)
                || java.nio.charset.Charset.defaultCharset().equals(java.nio.charset.StandardCharsets.UTF_8);
    }
}

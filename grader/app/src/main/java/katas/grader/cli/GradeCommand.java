package katas.grader.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import katas.grader.batch.BatchGrader;
import katas.grader.GradeListener;
import katas.grader.GradeRequest;
import katas.grader.Grader;
import katas.grader.Listeners;
import katas.grader.Subject;
import katas.grader.discovery.Catalog;
import katas.grader.discovery.Kata;
import katas.grader.discovery.KataDiscovery;
import katas.grader.discovery.KitLayout;
import katas.grader.discovery.UnknownKataException;
import katas.grader.integrity.Seal;
import katas.grader.report.Classroom50Report;
import katas.grader.report.ConsoleReport;
import katas.grader.report.KataList;
import katas.grader.report.ReportFiles;
import katas.grader.selfcheck.SelfCheck;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./grade}: parses the command line and hands over to the grader; no logic of its own. */
@Command(name = "grade", mixinStandardHelpOptions = true, version = "concurrency-katas grader 1.0",
        sortOptions = false,
        description = {
            // One string per paragraph: picocli wraps it to the terminal's width.
            "Grades the concurrency katas: compiles your code in exercises/<kata> with the visible and hidden "
                    + "tests, runs each kata in its own JVM with time and resource limits, measures speedup on "
                    + "this machine's cores, and prints a scoreboard. Reports go to grade-reports/.",
            ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:graded (whatever the score)",
            "1:--self-check found a kata that breaks the kata contract",
            "2:usage error: bad option, unknown kata, missing folder",
            "3:internal error in the grader"},
        footer = {"", "Examples:",
            "  ./grade                      grade every kata",
            "  ./grade fix-the-race         grade one kata",
            "  ./grade --list               the katas, their parts and points",
            "  KATA_CORES=2 ./grade         grade speedup against a 2-core target"})
public final class GradeCommand implements Callable<Integer> {

    /** Console output formats. */
    enum Format { text, json }

    @Parameters(paramLabel = "KATA", arity = "0..*", description = "Katas to grade (default: all).")
    private List<String> katas = new ArrayList<>();

    @Option(names = "--list", description = "List the katas with their parts and points, then stop.")
    private boolean list;

    @Option(names = "--solutions", description = "Grade the reference solutions instead of exercises/ (instructors).")
    private boolean solutions;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "Console output: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    private Format format;

    @Option(names = "--reports", paramLabel = "DIR", defaultValue = "grade-reports",
            description = "Where results.json, junit/*.xml and summary.md go (default: ${DEFAULT-VALUE}).")
    private Path reports;

    @Option(names = "--classroom", description = "Also write one GitHub Classroom runner result per kata (legacy) to "
            + "<reports>/classroom-outputs.txt, for the workflow to check and hand on.")
    private boolean classroom;

    @Option(names = "--classroom50", description = "Also write a Classroom 50 result (classroom50/result/v1) to "
            + "<reports>/classroom50-result.json, identity from Classroom 50's environment.")
    private boolean classroom50;

    @Option(names = "--cores", paramLabel = "N", defaultValue = "${env:KATA_CORES}",
            description = "Cores the speedup target assumes (default: $KATA_CORES, else what the JVM sees).")
    private Integer cores;

    @Option(names = "--seed", paramLabel = "N",
            description = "Draw the tests' shapes from this seed, to replay a failure (default: a new seed each run).")
    private Long seed;

    @Option(names = "--self-check", description = "Check the kata contract: solutions pass, stubs fail, mutants are caught.")
    private boolean selfCheck;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "1",
            description = "Self-check: grades of each solution (default: ${DEFAULT-VALUE}).")
    private int runs;

    @Option(names = "--mutant-runs", paramLabel = "N", defaultValue = "1",
            description = "Self-check: grades of each mutant (default: ${DEFAULT-VALUE}).")
    private int mutantRuns;

    @Option(names = "--batch", paramLabel = "DIR",
            description = "Grade every student repository in DIR into DIR/gradebook.csv (instructors).")
    private Path batch;

    @Option(names = "--seal", description = "Record the hashes of the files learners must not edit (maintainers).")
    private boolean seal;

    @Option(names = "--root", paramLabel = "DIR", description = "The kit's folder (default: found from here).")
    private Path root;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** The configured command line, with one-line usage errors. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new GradeCommand());
        cl.setParameterExceptionHandler((ex, args) -> usage(ex.getCommandLine().getErr(), ex.getMessage()));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof UsageException || ex instanceof UnknownKataException) {
                return usage(cmd.getErr(), ex.getMessage());
            }
            cmd.getErr().println("grade: internal error: " + ex);
            ex.printStackTrace(cmd.getErr());
            return ExitCodes.INTERNAL_ERROR;
        });
        return cl;
    }

    private static int usage(PrintWriter err, String message) {
        err.println("grade: " + message + " (see ./grade --help)");
        err.flush();
        return ExitCodes.USAGE;
    }

    @Override
    public Integer call() throws Exception {
        KitLayout layout = KitLayout.of(kitRoot());
        if (cores != null && cores < 1) {
            throw new UsageException("--cores (or KATA_CORES) must be at least 1, was " + cores);
        }
        OptionalInt coreCount = cores == null ? OptionalInt.empty() : OptionalInt.of(cores);
        if (list) {
            Catalog catalog = new KataDiscovery().discover(layout).select(katas);
            new KataList(System.out).print(catalog);
            return ExitCodes.GRADED;
        }
        if (seal) {
            Catalog catalog = new KataDiscovery().discover(layout).select(katas);
            for (Kata kata : catalog.katas()) {
                System.out.println("sealed " + layout.kitRoot().relativize(Seal.write(kata)));
            }
            catalog.invalid().forEach((id, why) -> System.err.println("not sealed: " + why));
            return catalog.invalid().isEmpty() ? ExitCodes.GRADED : ExitCodes.USAGE;
        }
        if (selfCheck) {
            boolean kept = new SelfCheck(layout, runs, mutantRuns, coreCount, System.out).run(katas);
            return kept ? ExitCodes.GRADED : ExitCodes.BROKEN_PROMISE;
        }
        if (batch != null) {
            if (!Files.isDirectory(batch)) {
                throw new UsageException("--batch: there is no folder " + batch);
            }
            new BatchGrader(layout, coreCount, System.out, System.err).grade(batch, katas);
            return ExitCodes.GRADED;
        }
        GradeRequest request = GradeRequest.builder().layout(layout).katas(katas)
                .subject(solutions ? Subject.SOLUTION : Subject.EXERCISE).cores(coreCount)
                .seed(seed == null ? OptionalLong.empty() : OptionalLong.of(seed)).build();
        Path reportDir = reports.isAbsolute() ? reports : layout.kitRoot().resolve(reports);
        List<GradeListener> listeners = new ArrayList<>();
        listeners.add(new ConsoleReport(System.out, System.err, format == Format.json));
        // First of the reports: it empties the grader's reports folder before anything else writes there.
        listeners.add(new ReportFiles(reportDir, classroom, System.getenv()));
        if (classroom50) {
            listeners.add(new Classroom50Report(reportDir, System.getenv()));
        }
        new Grader().grade(request, new Listeners(listeners));
        return ExitCodes.GRADED;
    }

    private Path kitRoot() throws UsageException {
        if (root != null) {
            if (!Files.isDirectory(root.resolve("exercises"))) {
                throw new UsageException("--root " + root + " is not a concurrency-katas folder (no exercises/ in it)");
            }
            return root.toAbsolutePath().normalize();
        }
        String fromScript = System.getProperty("katas.root");
        if (fromScript != null) {
            return Path.of(fromScript).toAbsolutePath().normalize();
        }
        return KitLayout.findRoot(Path.of("")).orElseThrow(() -> new UsageException(
                "no concurrency-katas folder here or above (looked for exercises/ and grader/); use --root DIR"));
    }

    /** A usage error found after parsing: one line and exit code 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }
}

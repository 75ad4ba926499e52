package katas.grader.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import katas.grader.batch.BatchGrader;
import katas.grader.GradeListener;
import katas.grader.Subject;
import katas.grader.discovery.Catalog;
import katas.grader.discovery.Kata;
import katas.grader.discovery.KataDiscovery;
import katas.grader.discovery.KitLayout;
import katas.grader.discovery.UnknownKataException;
import katas.grader.integrity.Seal;
import katas.grader.learner.NotPossibleHere;
import katas.grader.report.Classroom50Report;
import katas.grader.report.KataList;
import katas.grader.selfcheck.SelfCheck;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./grade}: parses the command line and hands over to the grader; no logic of its own. Grading is
 * the top command ({@code ./grade [KATA...]}); the learner's loop is its subcommands.
 */
@Command(name = "grade", mixinStandardHelpOptions = true, version = "concurrency-katas grader 1.0",
        sortOptions = false,
        subcommands = {HintCommand.class, WatchCommand.class, StatusCommand.class, CheckCommand.class, ResetCommand.class,
            InterviewCommand.class},
        commandListHeading = "%nCommands (./grade COMMAND --help for each):%n",
        description = {
            // One string per paragraph: picocli wraps it to the terminal's width.
            "Grades the concurrency katas: compiles your code in exercises/<kata> with the visible and hidden "
                    + "tests, runs each kata in its own JVM with time and resource limits, measures speedup on "
                    + "this machine's cores, and prints a scoreboard. Reports go to grade-reports/.",
            ""},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:graded (whatever the score); check: at full marks; the other commands: done",
            "1:check: not at full marks (for an exit code that depends on the score); --self-check: a kata breaks the kata contract",
            "2:usage error: bad option, unknown kata, missing folder",
            "3:internal error in the grader",
            "4:not possible in this checkout (reset outside a git checkout)"},
        footer = {"", "Examples:",
            "  ./grade                      grade every kata",
            "  ./grade fix-the-race         grade one kata",
            "  ./grade hint fix-the-race    the next hint (one per call)",
            "  ./grade watch fix-the-race   grade again on every save (Ctrl-C stops)",
            "  ./grade status               your progress, and the next kata to do",
            "  ./grade check fix-the-race   exit 0 only at full marks (pre-push hooks)",
            "  ./grade reset fix-the-race   the stub back, your version kept aside",
            "  ./grade interview --minutes 30   a timed session on a kata you have not solved",
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

    @CommandLine.Mixin
    private GradeSettings settings = new GradeSettings();

    @Option(names = "--classroom", description = "Also write one GitHub Classroom runner result per kata (legacy) to "
            + "<reports>/classroom-outputs.txt, for the workflow to check and hand on.")
    private boolean classroom;

    @Option(names = "--classroom50", description = "Also write a Classroom 50 result (classroom50/result/v1) to "
            + "<reports>/classroom50-result.json, identity from Classroom 50's environment.")
    private boolean classroom50;

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

    @CommandLine.Mixin
    private RootOption root = new RootOption();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** --root as given before a command. */
    RootOption root() {
        return root;
    }

    /** --cores, --seed and --reports as given before {@code check}. */
    GradeSettings settings() {
        return settings;
    }

    /** The configured command line, with one-line usage errors. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new GradeCommand());
        cl.setParameterExceptionHandler((ex, args) -> usage(ex.getCommandLine().getErr(), ex.getMessage()));
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (ex instanceof UsageException || ex instanceof UnknownKataException) {
                return usage(cmd.getErr(), ex.getMessage());
            }
            if (ex instanceof NotPossibleHere) {
                cmd.getErr().println("grade: " + ex.getMessage());
                cmd.getErr().flush();
                return ExitCodes.NOT_POSSIBLE_HERE;
            }
            cmd.getErr().println("grade: internal error: " + ex);
            ex.printStackTrace(cmd.getErr());
            return ExitCodes.INTERNAL_ERROR;
        });
        return cl;
    }

    static int usage(PrintWriter err, String message) {
        err.println("grade: " + message + " (see ./grade --help)");
        err.flush();
        return ExitCodes.USAGE;
    }

    @Override
    public Integer call() throws Exception {
        KitLayout layout = KitLayout.of(root.kitRoot());
        OptionalInt coreCount = settings.cores();
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
            boolean kept = new SelfCheck(layout, runs, mutantRuns, coreCount, System.out).shareClasses().run(katas);
            return kept ? ExitCodes.GRADED : ExitCodes.BROKEN_PROMISE;
        }
        if (batch != null) {
            if (!Files.isDirectory(batch)) {
                throw new UsageException("--batch: there is no folder " + batch);
            }
            new BatchGrader(layout, coreCount, System.out, System.err).grade(batch, katas);
            return ExitCodes.GRADED;
        }
        // The learner's own grades are remembered for ./grade status; a Classroom run's are not theirs to keep.
        boolean remember = !solutions && !classroom && !classroom50;
        List<GradeListener> more = classroom50
                ? List.of(new Classroom50Report(settings.reportDir(layout), System.getenv())) : List.of();
        settings.grade(layout, katas, solutions ? Subject.SOLUTION : Subject.EXERCISE, format == Format.json,
                classroom, remember, more);
        return ExitCodes.GRADED;
    }

    /** A usage error found after parsing: one line and exit code 2. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }
}

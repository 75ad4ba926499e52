package katas.grader.cli;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.Callable;
import katas.grader.discovery.Catalog;
import katas.grader.discovery.Kata;
import katas.grader.discovery.KataDiscovery;
import katas.grader.discovery.KitLayout;
import katas.grader.learner.ConsoleInput;
import katas.grader.learner.GradeState;
import katas.grader.learner.Interview;
import katas.grader.learner.KataBrief;
import katas.grader.learner.KataPicker;
import katas.grader.learner.StateFile;
import katas.grader.report.TextWrap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./grade interview [KATA] --minutes N}. */
@Command(name = "interview", mixinStandardHelpOptions = true, sortOptions = false,
        header = "A timed session on one kata, as in an interview, with a report.",
        description = "Shows a kata's task (its README without the hints and without links to solutions), then "
                + "times you: press Enter (or g, then Enter) to grade, q to end. It warns at 5 minutes left and stops "
                + "at the limit; a grade still running then finishes and counts (the last grade is your score). "
                + "Without KATA, it picks one at random among the katas ./grade status does not show as solved, and "
                + "prints the seed that picks it again. The report (time to the first full pass, grades used, the "
                + "final score per part, the rules broken along the way) goes to "
                + "grade-reports/interview-KATA-<date>-<time>.md, which later grades keep.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the session ended (time up, q or the end of the input), whatever the score",
            "2:usage error: bad option, unknown kata",
            "3:internal error in the grader"})
final class InterviewCommand implements Callable<Integer> {

    @Parameters(paramLabel = "KATA", arity = "0..1", description = "The kata (default: one you have not solved, at random).")
    private String kata;

    @Option(names = "--minutes", paramLabel = "N", defaultValue = "45",
            description = "How long the session lasts (default: ${DEFAULT-VALUE}).")
    private int minutes;

    @Option(names = "--pick-seed", paramLabel = "N",
            description = "Pick the kata with this seed, to pick the same one again (default: a new seed).")
    private Long pickSeed;

    @CommandLine.Mixin
    private GradeSettings settings = new GradeSettings();

    @CommandLine.Mixin
    private RootOption root = new RootOption();

    @CommandLine.ParentCommand
    private GradeCommand parent;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (minutes < 1) {
            throw new GradeCommand.UsageException("--minutes must be at least 1, was " + minutes);
        }
        KitLayout layout = root.layout(parent);
        PrintWriter out = spec.root().commandLine().getOut();
        Catalog catalog = new KataDiscovery().discover(layout);
        GradeState state = new StateFile(layout.kitRoot()).load().state();
        String id = kata;
        if (id == null) {
            if (catalog.katas().isEmpty()) {
                throw new GradeCommand.UsageException("no kata to pick from (./grade --list says why)");
            }
            long seed = pickSeed != null ? pickSeed : new SecureRandom().nextLong(1, 1_000_000);
            KataPicker.Pick pick = KataPicker.pick(catalog.katas().stream().map(Kata::id).toList(), state, seed);
            id = pick.kata();
            out.println("Picked " + id + " at random among " + pick.among() + (pick.allSolved()
                    ? " katas (every one is solved already)" : pick.among() == 1 ? " kata not solved yet" : " katas not solved yet")
                    + " (--pick-seed " + seed + " picks it again).");
            out.println();
        }
        Kata chosen = RootOption.oneKata(catalog, id);
        GradeState.LastGrade before = state.grades().get(chosen.id());
        if (kata != null && before != null && before.solved()) {
            // A session on code that already passes measures nothing; say so before the clock starts.
            TextWrap.wrap("Note: your last grade of " + chosen.id() + " had full marks, so its solution is still in "
                    + "exercises/" + chosen.id() + ". For a fair session, stop now (Ctrl-C) and run ./grade reset "
                    + chosen.id() + " first: it puts the stub back and keeps your version aside.", "", "  ",
                    TextWrap.columns(System.getenv())).forEach(out::println);
            out.println();
        }
        GradeSettings grade = settings.orElse(parent == null ? null : parent.settings());
        new Interview(chosen.id(), KataBrief.of(chosen.exerciseDir().resolve("README.md")), minutes,
                () -> grade.gradeQuietly(layout, chosen.id()), new ConsoleInput(System.in, Charset.defaultCharset()),
                Clock.systemDefaultZone(), out, TextWrap.columns(System.getenv())).run(grade.reportDir(layout));
        return ExitCodes.GRADED;
    }
}

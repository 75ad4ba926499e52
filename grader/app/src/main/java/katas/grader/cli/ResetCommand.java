package katas.grader.cli;

import java.time.Clock;
import java.util.concurrent.Callable;
import katas.grader.discovery.Kata;
import katas.grader.discovery.KataDiscovery;
import katas.grader.discovery.KitLayout;
import katas.grader.learner.StubReset;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./grade reset KATA}. */
@Command(name = "reset", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Puts a kata's stub back, your version kept aside.",
        description = "Puts a kata's stub back: exercises/KATA/src/main as committed in git. Your version is first "
                + "copied to .grade-state/saved/KATA-<date>-<time>/ (the command says where). Needs a git checkout.")
final class ResetCommand implements Callable<Integer> {

    @Parameters(paramLabel = "KATA", description = "The kata, e.g. fix-the-race.")
    private String kata;

    @Option(names = "--from", paramLabel = "COMMIT", defaultValue = "HEAD",
            description = "The commit whose version to put back (default: ${DEFAULT-VALUE}).")
    private String from;

    @CommandLine.Mixin
    private RootOption root = new RootOption();

    @CommandLine.ParentCommand
    private GradeCommand parent;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        KitLayout layout = root.layout(parent);
        Kata chosen = RootOption.oneKata(new KataDiscovery().discover(layout), kata);
        new StubReset(layout.kitRoot(), Clock.systemDefaultZone(), spec.root().commandLine().getOut()).reset(chosen, from);
        spec.root().commandLine().getOut().flush();
        return ExitCodes.GRADED;
    }
}

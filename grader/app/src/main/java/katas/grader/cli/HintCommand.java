package katas.grader.cli;

import java.util.concurrent.Callable;
import katas.grader.discovery.Kata;
import katas.grader.discovery.KataDiscovery;
import katas.grader.discovery.KitLayout;
import katas.grader.learner.HintGiver;
import katas.grader.learner.StateFile;
import katas.grader.report.TextWrap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./grade hint KATA}. */
@Command(name = "hint", mixinStandardHelpOptions = true, sortOptions = false,
        header = "The next hint of a kata, one per call.",
        description = "Shows the next hint of a kata, one per call (\"Hint 2 of 4\"), from the Hints section of its "
                + "README; the grader remembers which you have seen.")
final class HintCommand implements Callable<Integer> {

    @Parameters(paramLabel = "KATA", description = "The kata, e.g. fix-the-race.")
    private String kata;

    @Option(names = "--again", description = "Show the last hint shown once more, instead of the next one.")
    private boolean again;

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
        new HintGiver(new StateFile(layout.kitRoot()), spec.root().commandLine().getOut(), spec.root().commandLine().getErr(),
                TextWrap.columns(System.getenv())).give(chosen.id(), chosen.exerciseDir().resolve("README.md"), again);
        spec.root().commandLine().getOut().flush();
        return ExitCodes.GRADED;
    }
}

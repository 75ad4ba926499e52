package katas.grader.cli;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import katas.grader.discovery.Catalog;
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

    @Parameters(paramLabel = "KATA", arity = "0..1",
            description = "The kata, e.g. fix-the-race; without one, the next kata to do (as ./grade status says).")
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
        Catalog catalog = new KataDiscovery().discover(layout);
        StateFile state = new StateFile(layout.kitRoot());
        String id = kata;
        if (id == null) {
            // Without a name, the kata status calls next: the one a learner who asks is most likely stuck on.
            List<String> order = catalog.katas().stream().map(Kata::id).toList();
            Optional<String> next = state.load().state().progress(order).firstUnsolved();
            if (next.isEmpty()) {
                throw new GradeCommand.UsageException("every kata is solved; name one for its hints: ./grade hint KATA");
            }
            id = next.get();
            spec.root().commandLine().getOut().println("(" + id + " is your next kata; for another: ./grade hint KATA)");
        }
        Kata chosen = RootOption.oneKata(catalog, id);
        new HintGiver(state, spec.root().commandLine().getOut(), spec.root().commandLine().getErr(),
                TextWrap.columns(System.getenv())).give(chosen.id(), chosen.exerciseDir().resolve("README.md"), again);
        spec.root().commandLine().getOut().flush();
        return ExitCodes.GRADED;
    }
}

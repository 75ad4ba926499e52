package katas.grader.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import katas.grader.GradeResult;
import katas.grader.Subject;
import katas.grader.discovery.KitLayout;
import katas.grader.learner.Check;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ./grade check KATA...}. */
@Command(name = "check", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Grades, then exits 0 only at full marks (scripts, pre-push hooks).",
        description = "Grades the katas as ./grade does, then exits 0 only if every one is at full marks (in every "
                + "part this checkout can grade: a learner's checkout has no hidden tests), 1 otherwise. For "
                + "scripts and pre-push hooks.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every kata named is at full marks",
            "1:a kata is not at full marks",
            "2:usage error: bad option, unknown kata, missing folder",
            "3:internal error in the grader"})
final class CheckCommand implements Callable<Integer> {

    @Parameters(paramLabel = "KATA", arity = "1..*", description = "The katas to check, e.g. fix-the-race.")
    private List<String> katas = new ArrayList<>();

    @CommandLine.Mixin
    private GradeSettings settings = new GradeSettings();

    @CommandLine.Mixin
    private RootOption root = new RootOption();

    @CommandLine.ParentCommand
    private GradeCommand parent;

    @Override
    public Integer call() throws Exception {
        KitLayout layout = root.layout(parent);
        GradeResult result = settings.orElse(parent == null ? null : parent.settings()).grade(layout, katas, Subject.EXERCISE, false, false, true, List.of());
        Check.verdict(result).forEach(System.out::println);
        return Check.passed(result) ? ExitCodes.GRADED : ExitCodes.NOT_FULL_MARKS;
    }
}

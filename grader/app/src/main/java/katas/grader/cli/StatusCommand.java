package katas.grader.cli;

import java.time.ZoneId;
import java.util.concurrent.Callable;
import katas.grader.discovery.KataDiscovery;
import katas.grader.discovery.KitLayout;
import katas.grader.learner.StateFile;
import katas.grader.learner.StatusReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./grade status}. */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Every kata's last score, solved or not, and the next one to do.",
        description = "Shows every kata in teaching order with its last score in this checkout, whether it is "
                + "solved, and the next one to do. Grades nothing: ./grade KATA does.")
final class StatusCommand implements Callable<Integer> {

    @CommandLine.Mixin
    private RootOption root = new RootOption();

    @CommandLine.ParentCommand
    private GradeCommand parent;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        KitLayout layout = root.layout(parent);
        StateFile.Loaded loaded = new StateFile(layout.kitRoot()).load();
        if (loaded.problem() != null) {
            spec.root().commandLine().getErr().println("grade: " + loaded.problem());
            spec.root().commandLine().getErr().flush();
        }
        new StatusReport(spec.root().commandLine().getOut(), ZoneId.systemDefault(), GradeSettings.unicode(System.out))
                .print(new KataDiscovery().discover(layout), loaded.state());
        spec.root().commandLine().getOut().flush();
        return ExitCodes.GRADED;
    }
}

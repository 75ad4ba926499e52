package katas.grader.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import katas.grader.discovery.Kata;
import katas.grader.discovery.KataDiscovery;
import katas.grader.discovery.KitLayout;
import katas.grader.learner.DirectoryEvents;
import katas.grader.learner.Watch;
import katas.grader.report.TextWrap;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ./grade watch KATA}. */
@Command(name = "watch", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Grades a kata again on every save of its sources.",
        description = "Grades the kata now, then again each time you save a file under exercises/KATA/src/main/java, "
                + "with a short verdict per grade: the visible tests first, alone, and the rest once they pass; the score by part, what changed since the last grade (\"hidden "
                + "20/60 -> 60/60\") and the first lost rule's whole reason. Saves made while a grade runs give one "
                + "more grade when it ends. Grades are remembered as ./grade's are; grade-reports/ is written each "
                + "time. Ctrl-C stops.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped with Ctrl-C (whatever the scores)",
            "2:usage error: bad option, unknown kata",
            "3:internal error in the grader"})
final class WatchCommand implements Callable<Integer> {

    @Parameters(paramLabel = "KATA", description = "The kata, e.g. fix-the-race.")
    private String kata;

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
        KitLayout layout = root.layout(parent);
        Kata chosen = RootOption.oneKata(new KataDiscovery().discover(layout), kata);
        Path sources = chosen.exerciseDir().resolve("src/main/java");
        if (!Files.isDirectory(sources)) {
            throw new GradeCommand.UsageException("there is no folder " + sources + " to watch");
        }
        GradeSettings grade = settings.orElse(parent == null ? null : parent.settings());
        PrintWriter out = spec.root().commandLine().getOut();
        CountDownLatch stopped = new CountDownLatch(1);
        DirectoryEvents events = new DirectoryEvents(sources);
        // Ctrl-C: the watch's wait ends, it says how many grades it made, and the JVM ends.
        Thread onCtrlC = new Thread(() -> {
            events.close();
            try {
                if (!stopped.await(2, TimeUnit.SECONDS)) {
                    // A grade was running: the watch cannot say how many it made before the JVM ends.
                    out.println("Stopped watching " + chosen.id() + " in the middle of a grade.");
                    out.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "watch-stop");
        Runtime.getRuntime().addShutdownHook(onCtrlC);
        try {
            new Watch(chosen.id(), events, () -> grade.gradeVisibleTests(layout, chosen.id()),
                    () -> grade.gradeQuietly(layout, chosen.id()), Clock.systemDefaultZone(), out,
                    TextWrap.columns(System.getenv())).run();
        } finally {
            events.close();
            stopped.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(onCtrlC);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is already running.
        }
        return ExitCodes.GRADED;
    }
}

package katas.grader.report;

import java.io.PrintStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import katas.grader.GradeListener;
import katas.grader.GradeResult;
import katas.grader.discovery.Kata;
import katas.grader.execution.Incident;
import katas.grader.execution.TestRecord;
import katas.grader.execution.TestStatus;
import katas.grader.scoring.KataResult;
import katas.grader.scoring.KataStatus;
import katas.grader.parts.PartScore;
import katas.grader.parts.PartStatus;
import katas.grader.parts.SpeedupVerdict;

/**
 * The console: progress on stderr while grading, then the scoreboard on stdout (or results.json
 * with {@code --format json}): one line per kata with its parts, a line for every lost point with
 * the test and the reason, a progress bar, and what to do next.
 */
public final class ConsoleReport implements GradeListener {

    private static final int FAILURES_SHOWN_PER_PART = 4;
    /** Enough for a few compiler errors, which are what a reason of several lines usually holds. */
    private static final int REASON_LINES_SHOWN = 6;

    private final PrintStream out;
    private final PrintStream err;
    private final boolean json;
    private final boolean unicode;
    private int total;
    private int done;

    public ConsoleReport(PrintStream out, PrintStream err, boolean json) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.unicode = StandardCharsets.UTF_8.equals(out.charset()) || Charset.defaultCharset().equals(StandardCharsets.UTF_8);
    }

    @Override
    public void gradingStarted(int kataCount, boolean hiddenPresent) {
        total = kataCount;
        int cores = Runtime.getRuntime().availableProcessors();
        err.println("Grading " + kataCount + (kataCount == 1 ? " kata" : " katas") + " on " + Cores.count(cores)
                + (hiddenPresent ? ", hidden tests included." : ". The hidden tests are not in this checkout: "
                        + "grading the visible tests only."));
        if (cores == 1) {
            err.println(Cores.ONE_CORE_WARNING);
        }
    }

    @Override
    public void step(Kata kata, String step) {
        err.printf("[%d/%d] %s: %s...%n", done + 1, total, kata.id(), step);
    }

    @Override
    public void kataFinished(KataResult result) {
        done++;
        err.printf("[%d/%d] %s: %d/%d%n", done, total, result.id(), result.points(), result.max());
    }

    @Override
    public void gradingFinished(GradeResult result) {
        if (json) {
            out.println(ResultsJson.render(result));
            return;
        }
        out.println();
        out.printf("Scoreboard (%s, %s%s, %s)%n", result.subject(), Cores.count(result.machine().cores()),
                result.coresOverride() > 0 ? ", speedup targets for " + result.coresOverride() + " cores" : "",
                result.machine().jdk());
        for (KataResult kata : result.katas()) {
            printKata(kata);
        }
        if (result.machine().cores() == 1) {
            out.println(Cores.ONE_CORE_WARNING);
        }
        result.machine().isolationGaps().forEach(gap -> out.println("Note: " + gap + "."));
        out.println();
        out.printf("Total %d/%d%n", result.points(), result.max());
        if (result.katas().stream().anyMatch(k -> !k.completeHere())) {
            out.println("Seed " + result.seed() + ": the tests drew their shapes from it; ./grade --seed "
                    + result.seed() + " replays them.");
        }
        long complete = result.katas().stream().filter(KataResult::completeHere).count();
        out.println("Progress: " + bar((int) complete, result.katas().size()) + " " + complete + "/"
                + result.katas().size() + " katas complete");
        result.katas().stream().filter(k -> !k.completeHere())
                .findFirst().ifPresentOrElse(
                        k -> out.println("Next: " + k.id() + ": read exercises/" + k.id() + "/README.md, then run "
                                + "./grade " + k.id()),
                        () -> out.println("Next: every kata graded here is complete. Well done."));
    }

    private void printKata(KataResult kata) {
        String mark = kata.status() != KataStatus.GRADED || kata.points() <= 0 ? (unicode ? "✗" : "x")
                : kata.completeHere() ? (unicode ? "✓" : "+") : "~";
        String parts = kata.parts().stream().map(this::partSummary).collect(Collectors.joining(" · "));
        out.printf(" %s %-22s %6d/%-4d %s%n", mark, kata.id(), kata.points(), kata.max(),
                kata.status() == KataStatus.GRADED ? parts : kata.status().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        if (kata.message() != null) {
            kata.message().lines().limit(8).forEach(line -> out.println("      " + line));
        }
        for (PartScore part : kata.parts()) {
            if (kata.message() == null && part.status() != PartStatus.FULL && part.reason() != null) {
                printLosses(part);
            }
        }
        for (Incident incident : kata.incidents()) {
            out.println("      ! " + (incident.testName() == null ? "" : incident.testName() + ": ")
                    + firstLine(incident.message()));
        }
        kata.notes().forEach(note -> out.println("      note: " + note));
    }

    private void printLosses(PartScore part) {
        List<TestRecord> failed = part.tests().stream().filter(t -> t.status() != TestStatus.PASSED).toList();
        if (failed.isEmpty()) {
            List<String> lines = part.reason().lines().limit(REASON_LINES_SHOWN).toList();
            out.println("      " + part.part().id() + ": " + lines.get(0));
            lines.subList(1, lines.size()).forEach(line -> out.println("          " + line));
            return;
        }
        for (TestRecord test : failed.subList(0, Math.min(FAILURES_SHOWN_PER_PART, failed.size()))) {
            out.println("      " + part.part().id() + ": " + test.name() + ": " + firstLine(test.message()));
            if (test.output() != null && !test.output().isBlank()) {
                test.output().lines().limit(3).forEach(l -> out.println("          | " + l));
            }
        }
        if (failed.size() > FAILURES_SHOWN_PER_PART) {
            out.println("      " + part.part().id() + ": ... and " + (failed.size() - FAILURES_SHOWN_PER_PART)
                    + " more (see grade-reports/summary.md)");
        }
    }

    private String partSummary(PartScore part) {
        String score = switch (part.status()) {
            case NOT_AVAILABLE -> "not in checkout";
            case NOT_MEASURABLE -> "not measurable here";
            case TAMPERED -> "tests changed";
            default -> part.points() + "/" + part.part().points();
        };
        return part.part().id() + " " + score + speed(part.speedup());
    }

    /** " (1.89x of 1.62x)", naming the cores when the target counts fewer than are present. */
    private static String speed(SpeedupVerdict verdict) {
        if (verdict == null || verdict.measurement().failure() != null) {
            return "";
        }
        String cores = verdict.goal().reduced() ? ", " + verdict.goal().basis() : "";
        return String.format(Locale.ROOT, " (%.2fx of %.2fx%s)", verdict.measurement().speedup(), verdict.target(),
                cores);
    }

    private String bar(int complete, int all) {
        int width = 20;
        int filled = all == 0 ? 0 : complete * width / all;
        return "[" + "#".repeat(filled) + (filled < width ? ">" + "-".repeat(width - filled - 1) : "") + "]";
    }

    private static String firstLine(String text) {
        return text == null ? "" : text.lines().findFirst().orElse("");
    }
}

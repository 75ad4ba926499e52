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
    /**
     * The first failing test of a part shows its whole message (a deadlock's cycle, the sentence after
     * a colon) up to this many lines; a longer one says where the rest is.
     */
    private static final int FIRST_REASON_LINES_SHOWN = 40;
    /** At most this many lines of a later reason, joined: enough for a cycle of three tellers. */
    private static final int HEADLINE_LINES = 4;
    /** An incident's evidence (a deadlock cycle, the threads left running), up to this many lines. */
    private static final int INCIDENT_LINES_SHOWN = 12;
    private static final String INDENT = "      ";
    private static final String MORE = "          ";

    private final PrintStream out;
    private final PrintStream err;
    private final boolean json;
    private final boolean unicode;
    private final KitProgress progress;
    private final int width;
    private int total;
    private int done;

    /** A scoreboard {@link TextWrap#DEFAULT_COLUMNS} wide whose progress counts only the katas it grades. */
    public ConsoleReport(PrintStream out, PrintStream err, boolean json) {
        this(out, err, json, null, TextWrap.DEFAULT_COLUMNS);
    }

    /**
     * @param progress the kit's progress before this grade, to count every kata of the kit in "Progress"
     *     and "Next"; null to count only the katas graded here (the reference solutions, a batch)
     * @param width the terminal's width, which reasons are wrapped to
     */
    public ConsoleReport(PrintStream out, PrintStream err, boolean json, KitProgress progress, int width) {
        this.out = out;
        this.err = err;
        this.json = json;
        this.progress = progress;
        this.width = width;
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
        if (progress == null) {
            long complete = result.katas().stream().filter(KataResult::completeHere).count();
            out.println("Progress: " + KitProgress.bar((int) complete, result.katas().size()) + " " + complete + "/"
                    + result.katas().size() + " katas complete");
            result.katas().stream().filter(k -> !k.completeHere()).findFirst().ifPresentOrElse(
                    k -> out.println(next(k.id())),
                    () -> out.println("Next: every kata graded here is complete. Well done."));
            return;
        }
        KitProgress now = progress.after(result);
        int all = now.teachingOrder().size();
        out.println("Progress: " + KitProgress.bar(now.solvedCount(), all) + " " + now.solvedCount() + "/" + all
                + " katas of the kit complete" + (result.katas().size() < all ? " (./grade status lists them)" : ""));
        // What was just graded and fell short comes first; then the kit's first kata not done.
        result.katas().stream().filter(k -> !k.completeHere()).map(KataResult::id).findFirst()
                .or(now::firstUnsolved).ifPresentOrElse(
                        id -> out.println(next(id)),
                        () -> out.println("Next: every kata of the kit is complete. Well done."));
    }

    private static String next(String id) {
        return "Next: " + id + ": read exercises/" + id + "/README.md, then run ./grade " + id
                + " (stuck? ./grade hint " + id + ")";
    }

    private void printKata(KataResult kata) {
        String mark = kata.status() != KataStatus.GRADED || kata.points() <= 0 ? (unicode ? "✗" : "x")
                : kata.completeHere() ? (unicode ? "✓" : "+") : "~";
        String parts = kata.parts().stream().map(this::partSummary).collect(Collectors.joining(" · "));
        out.printf(" %s %-22s %6d/%-4d %s%n", mark, kata.id(), kata.points(), kata.max(),
                kata.status() == KataStatus.GRADED ? parts : kata.status().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        if (kata.message() != null) {
            kata.message().lines().limit(8).forEach(line -> print(TextWrap.wrap(line, INDENT, MORE, width)));
        }
        for (PartScore part : kata.parts()) {
            if (kata.message() == null && part.status() != PartStatus.FULL && part.reason() != null) {
                printLosses(part);
            }
        }
        for (Incident incident : kata.incidents()) {
            printLimited("! " + (incident.testName() == null ? "" : incident.testName() + ": "),
                    incident.message(), INCIDENT_LINES_SHOWN);
        }
        kata.notes().forEach(note -> print(TextWrap.wrap("note: " + note, INDENT, MORE, width)));
    }

    private void printLosses(PartScore part) {
        List<TestRecord> failed = part.tests().stream().filter(t -> t.status() != TestStatus.PASSED).toList();
        if (failed.isEmpty()) {
            printLimited(part.part().id() + ": ", part.reason(), REASON_LINES_SHOWN);
            return;
        }
        boolean cut = false;
        for (TestRecord test : failed.subList(0, Math.min(FAILURES_SHOWN_PER_PART, failed.size()))) {
            String head = part.part().id() + ": " + test.name() + ": ";
            if (test == failed.get(0)) {
                // The first reason whole: its first line often ends in a colon, the evidence is below it.
                printLimited(head, test.message(), FIRST_REASON_LINES_SHOWN);
            } else {
                List<String> lines = reasonLines(test.message());
                List<String> shown = headline(lines);
                cut |= shown.size() < lines.size();
                print(TextWrap.wrap(head + String.join(" ", shown), INDENT, MORE, width));
            }
            if (test.output() != null && !test.output().isBlank()) {
                test.output().lines().limit(3).forEach(l -> out.println(MORE + "| " + l));
            }
        }
        if (failed.size() > FAILURES_SHOWN_PER_PART) {
            out.println(INDENT + part.part().id() + ": ... and " + (failed.size() - FAILURES_SHOWN_PER_PART)
                    + " more (every message in full: grade-reports/summary.md)");
        } else if (cut) {
            out.println(INDENT + part.part().id() + ": (every message in full: grade-reports/summary.md)");
        }
    }

    /**
     * {@code label} and {@code text}, wrapped as one (a long test name too), at most {@code limit} lines of
     * the text, saying what was left out.
     */
    private void printLimited(String label, String text, int limit) {
        List<String> lines = text == null ? List.of("") : text.stripTrailing().lines().toList();
        List<String> shown = lines.subList(0, Math.min(limit, lines.size()));
        print(TextWrap.wrapAll(label + (shown.isEmpty() ? "" : String.join("\n", shown)), INDENT, MORE, width));
        if (lines.size() > limit) {
            out.println(MORE + "... " + (lines.size() - limit) + " more lines in grade-reports/results.json");
        }
    }

    private void print(List<String> lines) {
        lines.forEach(out::println);
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

    /** A reason's lines that say something, stripped. */
    private static List<String> reasonLines(String text) {
        return text == null ? List.of() : text.strip().lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
    }

    /**
     * The first line of a reason; when it ends in a colon, a few lines after it too: "these tellers wait for each
     * other in a circle:" announces its point on the next lines, and cut there it says nothing.
     */
    private static List<String> headline(List<String> lines) {
        if (lines.isEmpty()) {
            return lines;
        }
        return lines.subList(0, lines.get(0).endsWith(":") ? Math.min(HEADLINE_LINES, lines.size()) : 1);
    }
}

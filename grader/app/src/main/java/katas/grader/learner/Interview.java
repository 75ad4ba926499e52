package katas.grader.learner;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import katas.grader.report.TextWrap;
import katas.grader.scoring.KataResult;

/**
 * {@code ./grade interview}: a timed session on one kata. It shows the task (no hints, no links to
 * solutions), then each Enter (or {@code g}) grades and {@code q} ends; it warns at 5 minutes left and stops
 * at the limit. A grade still running at the limit finishes and counts: the last grade is the session's
 * score. The report goes to {@code interview-<kata>-<timestamp>.md} in the reports folder.
 */
public final class Interview {

    /** The warning comes this long before the limit (in sessions longer than this). */
    public static final Duration WARNING = Duration.ofMinutes(5);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final String kata;
    private final String brief;
    private final int minutes;
    private final KataGrading grading;
    private final SessionInput input;
    private final Clock clock;
    private final PrintWriter out;
    private final int width;

    public Interview(String kata, String brief, int minutes, KataGrading grading, SessionInput input, Clock clock,
            PrintWriter out, int width) {
        this.kata = kata;
        this.brief = brief;
        this.minutes = minutes;
        this.grading = grading;
        this.input = input;
        this.clock = clock;
        this.out = out;
        this.width = width;
    }

    /** Runs the session and writes its report into {@code reportDir}; returns the report's path. */
    public Path run(Path reportDir) throws IOException, InterruptedException {
        Instant start = clock.instant();
        Instant end = start.plus(Duration.ofMinutes(minutes));
        Instant warnAt = end.minus(WARNING);
        boolean warned = !warnAt.isAfter(start);
        InterviewLog log = new InterviewLog(kata, minutes, start);
        out.println(brief.stripTrailing());
        out.println();
        out.println("=".repeat(Math.min(width, 72)));
        say("Interview on " + kata + ": " + minutes + (minutes == 1 ? " minute" : " minutes")
                + ". Edit exercises/" + kata + "/src/main/java, then press Enter (or g, then Enter) to grade; q ends. "
                + "Hints and solutions are not part of it.");
        out.flush();
        String ending;
        KataResult last = null;
        while (true) {
            Instant now = clock.instant();
            if (!now.isBefore(end)) {
                ending = "time was up";
                break;
            }
            SessionInput.Line line = input.next(Duration.between(now, warned ? end : warnAt));
            if (!warned && !clock.instant().isBefore(warnAt)) {
                warned = true;
                say("5 minutes left (" + InterviewLog.clock(Duration.between(start, clock.instant())) + " used).");
            }
            if (line.ended()) {
                ending = "the input ended";
                break;
            }
            if (line.text().isEmpty()) {
                continue;
            }
            String command = line.text().get().strip().toLowerCase(Locale.ROOT);
            if (command.equals("q")) {
                ending = "ended with q";
                break;
            }
            if (!command.isEmpty() && !command.equals("g")) {
                say("Enter (or g) grades, q ends.");
                continue;
            }
            int number = log.gradesUsed() + 1;
            out.println("Grade " + number + ": grading " + kata + "...");
            out.flush();
            KataResult result;
            try {
                result = grading.grade();
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                say("The grader failed (" + e + "); this grade does not count. Try again.");
                continue;
            }
            Duration after = Duration.between(start, clock.instant());
            log.add(after, result);
            RunVerdict.lines("Grade " + number + " at " + InterviewLog.clock(after), last, result, width)
                    .forEach(out::println);
            last = result;
            Duration left = Duration.between(clock.instant(), end);
            if (!warned && !clock.instant().isBefore(warnAt)) {
                // The grade ran past the warning: the time left, said now, is the warning; a late "5 minutes
                // left" after it would contradict it.
                warned = true;
            }
            say(left.isNegative() || left.isZero() ? "That grade ended after the limit: it counts."
                    : InterviewLog.clock(left) + " left. Enter grades again, q ends.");
            out.flush();
        }
        Duration used = Duration.between(start, clock.instant());
        say(switch (ending) {
            case "time was up" -> "Time is up: " + minutes + (minutes == 1 ? " minute." : " minutes.");
            default -> "Session ended after " + InterviewLog.clock(used) + ".";
        } + " " + log.gradesUsed() + (log.gradesUsed() == 1 ? " grade" : " grades") + " used; first full pass: "
                + log.firstFullPass().map(InterviewLog::clock).orElse("not reached") + "; final score: "
                + log.last().map(r -> r.points() + "/" + r.max()).orElse("no grade made") + ".");
        Path report = reportDir.resolve("interview-" + kata + "-"
                + STAMP.format(LocalDateTime.ofInstant(start, clock.getZone())) + ".md");
        Files.createDirectories(reportDir);
        Files.writeString(report, log.render(used, ending, clock.getZone()));
        say("Report: " + report);
        out.flush();
        return report;
    }

    private void say(String text) {
        TextWrap.wrap(text, "", "  ", width).forEach(out::println);
    }
}

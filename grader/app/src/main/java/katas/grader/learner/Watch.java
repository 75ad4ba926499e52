package katas.grader.learner;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import katas.grader.report.TextWrap;
import katas.grader.scoring.KataResult;
import katas.grader.scoring.KataStatus;

/**
 * {@code ./grade watch KATA}: grades the kata once, then again after every save of its sources, with a
 * short verdict per grade, until the events close (Ctrl-C). An editor's save often writes several events
 * (a temporary file, the file, its folder): a grade starts only once the sources have been quiet for the
 * debounce time. Saves during a grade wait for it to end, then make one more grade, however many they were.
 *
 * <p>Each grade runs the visible tests first, alone: while they fail, their verdict is the grade (seconds,
 * where the hidden tests and a speedup measurement take up to a minute), and the rest runs once they pass.
 */
public final class Watch {

    /** Quiet time after a save before grading: long enough for an editor's burst of writes, short to wait. */
    public static final Duration DEBOUNCE = Duration.ofMillis(300);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final String kata;
    private final SourceEvents events;
    private final KataGrading visibleOnly;
    private final KataGrading grading;
    private final Clock clock;
    private final PrintWriter out;
    private final int width;
    private int runs;
    private KataResult last;

    /**
     * @param visibleOnly a grade of the visible tests alone, made first each time; null to grade everything at once
     * @param grading the whole grade, remembered as the learner's
     */
    public Watch(String kata, SourceEvents events, KataGrading visibleOnly, KataGrading grading, Clock clock,
            PrintWriter out, int width) {
        this.kata = kata;
        this.events = events;
        this.visibleOnly = visibleOnly;
        this.grading = grading;
        this.clock = clock;
        this.out = out;
        this.width = width;
    }

    /** Watches until the events close; returns the number of grades made. */
    public int run() throws InterruptedException {
        TextWrap.wrap("Watching exercises/" + kata + "/src/main/java: every save grades " + kata + " again. Ctrl-C stops.",
                "", "  ", width).forEach(out::println);
        grade();
        while (events.await(null) == SourceEvents.Event.CHANGED) {
            if (!settle()) {
                break;
            }
            grade();
        }
        out.println("Stopped watching " + kata + " after " + runs + (runs == 1 ? " grade." : " grades."));
        out.flush();
        return runs;
    }

    /** Waits until the sources have been quiet for {@link #DEBOUNCE}; false when the events closed meanwhile. */
    private boolean settle() throws InterruptedException {
        Instant quietUntil = clock.instant().plus(DEBOUNCE);
        while (true) {
            Duration left = Duration.between(clock.instant(), quietUntil);
            if (left.isNegative() || left.isZero()) {
                return true;
            }
            switch (events.await(left)) {
                case CHANGED -> quietUntil = clock.instant().plus(DEBOUNCE);
                case CLOSED -> {
                    return false;
                }
                case QUIET -> {
                    // Checked against the clock above.
                }
            }
        }
    }

    private void grade() {
        runs++;
        String label = "Run " + runs + " (" + TIME.format(LocalTime.ofInstant(clock.instant(), zone())) + ")";
        out.println();
        out.println(label + ": grading " + kata + "...");
        out.flush();
        try {
            KataResult quick = visibleOnly == null ? null : visibleOnly.grade();
            if (quick != null && visibleTestsFail(quick)) {
                RunVerdict.lines(label, last, quick, width).forEach(out::println);
                TextWrap.wrap("The hidden tests run once the visible ones pass.", "  ", "  ", width)
                        .forEach(out::println);
                // What the next run is compared with: comparing it with an older whole grade said "no change"
                // after the visible tests had moved.
                last = quick;
            } else {
                KataResult now = grading.grade();
                RunVerdict.lines(label, last, now, width).forEach(out::println);
                last = now;
            }
        } catch (Exception e) {
            out.println(label + ": the grader failed (" + e + "); the next save tries again.");
        }
        out.println("Waiting for a save (Ctrl-C stops).");
        out.flush();
    }

    /** The visible tests did not compile or lost points; a kata without visible tests has nothing to stop at. */
    private static boolean visibleTestsFail(KataResult quick) {
        return quick.status() != KataStatus.GRADED || quick.max() > 0 && !quick.complete();
    }

    private ZoneId zone() {
        return clock.getZone();
    }
}

package katas.grader.learner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import katas.grader.scoring.KataResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("./grade watch")
class WatchTest {

    private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");

    private final FakeClock clock = new FakeClock(T0);
    private final StringWriter out = new StringWriter();
    /** When each grade started. */
    private final List<Instant> graded = new ArrayList<>();

    /** A grading function that takes {@code takes} on the clock and hands out {@code results} in turn (the last again). */
    private KataGrading grading(Duration takes, KataResult... results) {
        Deque<KataResult> left = new ArrayDeque<>(List.of(results));
        return () -> {
            graded.add(clock.instant());
            clock.advance(takes);
            return left.size() > 1 ? left.removeFirst() : left.peekFirst();
        };
    }

    private int watch(KataGrading grading, Instant... saves) throws Exception {
        return new Watch("fix-the-race", new ScriptedEvents(clock, List.of(saves)), null, grading, clock,
                new PrintWriter(out), 60).run();
    }

    private static Instant at(long millis) {
        return T0.plusMillis(millis);
    }

    @Test
    @DisplayName("grades once at the start, then once per burst of save events, when they have been quiet for the debounce time")
    void debounces() throws Exception {
        int runs = watch(grading(Duration.ofSeconds(1), Results.kata("fix-the-race", 20, 0)),
                at(5_000), at(5_050), at(5_200), // one save of an editor: three events
                at(9_000));
        assertThat(runs).isEqualTo(3);
        assertThat(graded).containsExactly(T0, at(5_200).plus(Watch.DEBOUNCE), at(9_000).plus(Watch.DEBOUNCE));
        assertThat(out.toString()).contains("Stopped watching fix-the-race after 3 grades.");
    }

    @Test
    @DisplayName("lets a running grade finish when saves come, then grades once more for all of them")
    void oneMoreGradeAfterARunningOne() throws Exception {
        int runs = watch(grading(Duration.ofSeconds(10), Results.kata("fix-the-race", 20, 0)),
                at(2_000), at(4_000), at(7_000));
        assertThat(runs).isEqualTo(2);
        // The saves waited in the queue: the second grade starts once the first ended and they were drained.
        assertThat(graded).containsExactly(T0, at(10_000).plus(Watch.DEBOUNCE));
    }

    @Test
    @DisplayName("says what changed since the last run and the first lost rule's whole reason, wrapped to the terminal")
    void verdicts() throws Exception {
        String reason = "only 155519 of 160000 hits were counted: two threads read the same count and both wrote it back"
                + "\n  12 threads x 5000 calls, seed 42";
        watch(grading(Duration.ofSeconds(1), Results.withFailure("fix-the-race", 20, 0, reason),
                Results.withFailure("fix-the-race", 40, 0, reason), Results.withFailure("fix-the-race", 40, 60, null)),
                at(3_000), at(6_000));
        String text = out.toString();
        assertThat(text).contains("fix-the-race 20/100 (visible 20/40")
                .contains("since the last run: visible 20/40 -> 40/40")
                .contains("since the last run: hidden 0/60 -> 60/60")
                .contains("full marks")
                .contains("lost: hidden: rule 1, no hit is lost")
                .contains("12 threads x 5000 calls, seed 42")
                .contains("counted: two threads read the same count");
        assertThat(text.lines()).allMatch(line -> line.length() <= 60, "wrapped to 60 columns");
    }

    @Test
    @DisplayName("grades nothing more when Ctrl-C comes while saves are settling")
    void stopsWhileSettling() throws Exception {
        SourceEvents events = new ScriptedEvents(clock, List.of(at(1_000))) {
            @Override
            public Event await(Duration timeout) {
                return timeout == null ? super.await(null) : Event.CLOSED;
            }
        };
        int runs = new Watch("fix-the-race", events, null, grading(Duration.ofSeconds(1), Results.kata("fix-the-race", 0, 0)),
                clock, new PrintWriter(out), 80).run();
        assertThat(runs).isEqualTo(1);
    }

    @Test
    @DisplayName("runs the visible tests alone first, and while they fail their verdict is the whole grade")
    void visibleTestsFirst() throws Exception {
        List<String> asked = new ArrayList<>();
        KataGrading visible = () -> {
            asked.add("visible");
            return asked.size() < 3 ? Results.visibleOnly("fix-the-race", 20) : Results.visibleOnly("fix-the-race", 40);
        };
        KataGrading whole = () -> {
            asked.add("whole");
            return Results.kata("fix-the-race", 40, 30);
        };
        int runs = new Watch("fix-the-race", new ScriptedEvents(clock, List.of(at(1_000), at(2_000))), visible, whole,
                clock, new PrintWriter(out), 80).run();
        assertThat(runs).isEqualTo(3);
        assertThat(asked).containsExactly("visible", "visible", "visible", "whole");
        assertThat(out.toString()).contains("Run 1 (10:00:00): fix-the-race 20/40 (visible 20/40)")
                .contains("The hidden tests run once the visible ones pass.")
                .contains("Run 3 (10:00:02): fix-the-race 70/100 (visible 40/40 · hidden 30/60)\n"
                        + "  since the last run: visible 20/40 -> 40/40\n");
        // Run 2 is compared with run 1, both of the visible tests alone.
        assertThat(out.toString().split("Run 2 ")[2]).startsWith("(10:00:01): fix-the-race 20/40 (visible 20/40)\n"
                + "  no change since the last run\n");
    }

    @Test
    @DisplayName("grades everything at once for a kata that has no visible tests, rather than showing nothing")
    void visibleTestsThatGiveNoPart() throws Exception {
        KataGrading none = () -> Results.visibleOnly("fix-the-race", -1);
        int runs = new Watch("fix-the-race", new ScriptedEvents(clock, List.of()), none,
                () -> Results.kata("fix-the-race", 40, 60), clock, new PrintWriter(out), 80).run();
        assertThat(runs).isEqualTo(1);
        assertThat(out.toString()).contains("fix-the-race 100/100, full marks");
    }

    @Test
    @DisplayName("goes on watching after the grader failed")
    void survivesAGraderFailure() throws Exception {
        int[] calls = {0};
        KataGrading failingOnce = () -> {
            if (calls[0]++ == 0) {
                throw new IllegalStateException("javac crashed");
            }
            return Results.kata("fix-the-race", 40, 60);
        };
        int runs = watch(failingOnce, at(1_000));
        assertThat(runs).isEqualTo(2);
        assertThat(out.toString()).contains("the grader failed (java.lang.IllegalStateException: javac crashed)")
                .contains("fix-the-race 100/100, full marks");
    }
}

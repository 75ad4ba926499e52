package katas.startandjoin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import katas.startandjoin.ScriptedSource.Stop;
import katas.startandjoin.Stage.Outcome;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The visible tests of start-and-join, one or more per rule of the README. Each call of fetchAll runs on a
 * thread of its own while the test watches it ({@link Stage}): the sources are scripted to meet each other,
 * wait for their turn, block until stopped or fail, and record on which thread they ran and whether they were
 * interrupted. Shapes (how many sources, their sections, which one fails and how, how the others react when
 * stopped) are drawn from the seed.
 */
@DisplayName("ReportBuilder")
@KataTest
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class ReportBuilderTest {

    @Nested
    @Order(1)
    @DisplayName("fetching")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class Fetching {

        @Test
        @Order(1)
        @Tag("rule-1")
        @Tag("rule-2")
        @Tag("rule-5")
        @DisplayName("fetches sources that can only finish together, because each waits until all are being fetched")
        void fetchesAllSourcesAtTheSameTime(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                int count = round.between("sources", 2, 13);
                List<String> sections = Briefing.sections(round, count);
                try (Stage stage = new Stage()) {
                    sections.forEach(stage::meeting);
                    stage.start(new ReportBuilder());
                    Outcome outcome = stage.outcome(() -> "Each of the " + count + " sources waits until all of them "
                            + "are being fetched, and only " + stage.fetchedCount() + " ever were at the same time: "
                            + "fetchAll must start a thread for every source before it waits for any (is join() "
                            + "inside the loop that starts the threads?) (rule 1)");
                    stage.assertReport(outcome, sections);
                    stage.assertEveryThreadEnded(outcome);
                }
            });
        }

        @Test
        @Order(2)
        @Tag("rule-2")
        @DisplayName("lists the sections in the sources' order, whatever order they finish in, and none for no source")
        void keepsTheOrderOfTheSources(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                int count = round.between("sources", 3, 11);
                List<String> sections = Briefing.distinctSections(round, count);
                List<Integer> finishing = finishingOrder(round, count);
                try (Stage stage = new Stage()) {
                    List<ScriptedSource> sources = sections.stream().map(stage::waitingForItsTurn).toList();
                    stage.start(new ReportBuilder());
                    stage.awaitFetching(count, "fetchAll must start every source's thread before it waits (rule 1)");
                    for (int index : finishing) {
                        stage.finish(sources.get(index));
                        stage.awaitLeft(sources.get(index), "It was told to finish.");
                    }
                    Outcome outcome = stage.outcome("Every source has finished; fetchAll should have returned.");
                    stage.assertReport(outcome, sections);
                }
            });
            assertThat(new ReportBuilder().fetchAll(List.of()))
                    .as("the report of no source at all: empty (rule 2)").isEmpty();
        }
    }

    @Nested
    @Order(2)
    @DisplayName("when a source fails")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class WhenASourceFails {

        @Test
        @Order(1)
        @Tag("rule-3")
        @Tag("rule-4")
        @Tag("rule-5")
        @DisplayName("throws SourceFailedException with what the source threw, whatever its kind, and stops the others")
        void reportsEveryKindOfFailure(Shapes shapes) throws Exception {
            for (Throwable failure : Briefing.oneFailureOfEachKind(shapes, "the weather service")) {
                int count = shapes.between("sources with " + kind(failure), 3, 9);
                int failing = shapes.between("failing source with " + kind(failure), 1, count - 1);
                try (Stage stage = new Stage()) {
                    ScriptedSource failed = scriptFailure(shapes, stage, count, failing, failure, true, s -> {
                    });
                    stage.start(new ReportBuilder());
                    Outcome outcome = stage.outcome(() -> failed + " threw " + failure + " once all sources were being "
                            + "fetched, and the others wait until they are stopped: fetchAll must interrupt them (rule "
                            + "4), wait for their threads (rule 5) and throw SourceFailedException (rule 3)");
                    stage.assertFailedWith(outcome, failed);
                    stage.assertOthersStopped(outcome, failed);
                    stage.assertEveryThreadEnded(outcome);
                }
            }
        }

        @Test
        @Order(2)
        @Tag("rule-4")
        @Tag("rule-5")
        @DisplayName("waits for the stopped sources to end before it throws, even those that take a while to stop")
        void waitsForTheStoppedSources(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                int count = round.between("sources", 3, 8);
                int failing = round.between("failing source", 0, count - 1);
                // Not the first source: a caller that stops waiting at the first failure it sees has joined that one.
                int drawn = round.between("source slow to stop", 1, count - 2);
                int slowToStop = failing > 0 && drawn >= failing ? drawn + 1 : drawn;
                Throwable failure = Briefing.anyFailure(round, "failure", "the crew service");
                try (Stage stage = new Stage()) {
                    ScriptedSource failed = scriptFailure(round, stage, count, failing, failure, true, stops -> {
                        stops.set(slowToStop, Briefing.windingDownStop(round, "stop of source " + slowToStop));
                    });
                    stage.start(new ReportBuilder());
                    Outcome outcome = stage.outcome(() -> failed + " threw " + failure + ": fetchAll must interrupt "
                            + "the others (rule 4), wait for their threads to end (rule 5), and throw");
                    stage.assertFailedWith(outcome, failed);
                    stage.assertEveryThreadEnded(outcome);
                    stage.assertOthersStopped(outcome, failed);
                }
            });
        }
    }

    @Nested
    @Order(3)
    @DisplayName("when its caller is interrupted")
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class WhenItsCallerIsInterrupted {

        @Test
        @Order(1)
        @Tag("rule-6")
        @Tag("rule-5")
        @DisplayName("stops every fetch, waits for all their threads to end, and throws InterruptedException")
        void stopsEverythingAndSaysSo(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                int count = round.between("sources", 1, 9);
                int slowToStop = round.between("a source slow to stop", 0, count - 1);
                try (Stage stage = new Stage()) {
                    for (int i = 0; i < count; i++) {
                        stage.blocking(Briefing.sections(round, 1).get(0), i == slowToStop
                                ? Briefing.windingDownStop(round, "stop of source " + i)
                                : Briefing.anyStop(round, "stop of source " + i), Briefing.stopFailure(round, "stop "
                                + "failure of source " + i));
                    }
                    stage.start(new ReportBuilder());
                    stage.awaitFetching(count, "fetchAll must start every source's thread before it waits (rule 1)");
                    stage.interruptCaller();
                    Outcome outcome = stage.outcome("Its caller was interrupted while every source was being "
                            + "fetched: fetchAll must interrupt their threads, wait for them to end, and throw "
                            + "InterruptedException (rule 6)");
                    stage.assertInterruptReported(outcome);
                    stage.assertFetchesStoppedOnInterrupt(outcome);
                    stage.assertEveryThreadEnded(outcome);
                }
            });
        }

        @Test
        @Order(2)
        @Tag("rule-6")
        @DisplayName("when its caller was interrupted before the call, returns no report and leaves no thread behind")
        void interruptedBeforeTheCall(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                ReportBuilder builder = new ReportBuilder();
                aReportThatWorks(round, builder);
                int count = round.between("sources", 1, 7);
                try (Stage stage = new Stage("the report whose caller was interrupted before the call")) {
                    for (int i = 0; i < count; i++) {
                        stage.blocking(Briefing.sections(round, 1).get(0), Briefing.anyStop(round, "stop of source "
                                + i), Briefing.stopFailure(round, "stop failure of source " + i));
                    }
                    stage.startInterrupted(builder);
                    Outcome outcome = stage.outcome("Its caller was interrupted before it called fetchAll: fetchAll "
                            + "must stop whatever it started, wait for it, and throw InterruptedException (rule 6)");
                    stage.assertInterruptReported(outcome);
                    stage.assertFetchesStoppedOnInterrupt(outcome);
                    stage.assertEveryThreadEnded(outcome);
                }
            });
        }
    }

    @Nested
    @Order(4)
    @DisplayName("again")
    class Again {

        @Test
        @Tag("rule-7")
        @DisplayName("builds the next report with the same builder after one that failed or was interrupted")
        void buildsTheNextReport(Shapes shapes) throws Exception {
            ReportBuilder builder = new ReportBuilder();
            List<String> steps = new ArrayList<>(shapes.shuffled("reports before the last",
                    List.of("succeeds", "fails", "is interrupted", "fails")));
            steps.add("succeeds");
            for (int step = 0; step < steps.size(); step++) {
                String what = "report " + (step + 1) + " of " + steps.size() + " (" + steps + ") with one builder";
                int count = shapes.between("sources of report " + (step + 1), 2, 7);
                try (Stage stage = new Stage(what)) {
                    switch (steps.get(step)) {
                        case "succeeds" -> {
                            List<String> sections = Briefing.sections(shapes, count);
                            sections.forEach(stage::meeting);
                            stage.start(builder);
                            Outcome outcome = stage.outcome("The " + what + " should have succeeded (rule 7).");
                            stage.assertReport(outcome, sections);
                        }
                        case "fails" -> {
                            Throwable failure = Briefing.anyFailure(shapes, "failure of report " + (step + 1),
                                    "the fuel service");
                            ScriptedSource failed = scriptFailure(shapes, stage, count,
                                    shapes.between("failing source of report " + (step + 1), 0, count - 1), failure,
                                    true, s -> {
                                    });
                            stage.start(builder);
                            Outcome outcome = stage.outcome("The " + what + " should have failed (rule 7).");
                            stage.assertFailedWith(outcome, failed);
                        }
                        default -> {
                            for (int i = 0; i < count; i++) {
                                stage.blocking("section " + i, Stop.THROWS_INTERRUPTED_EXCEPTION, null);
                            }
                            stage.start(builder);
                            stage.awaitFetching(count, "The " + what + " should fetch every source.");
                            stage.interruptCaller();
                            Outcome outcome = stage.outcome("The " + what + " should have stopped when interrupted "
                                    + "(rule 7).");
                            stage.assertInterruptReported(outcome);
                        }
                    }
                }
            }
        }
    }

    /**
     * Scripts {@code count} sources: the one at {@code failing} throws {@code failure} (once all are being
     * fetched, or at once), the others block until stopped and react as drawn; a source before the failing one
     * throws when stopped, so that the fallout of stopping it can be mistaken for the failure.
     */
    static ScriptedSource scriptFailure(Shapes round, Stage stage, int count, int failing, Throwable failure,
            boolean onceAllAreFetching, Consumer<List<Stop>> adjust) {
        List<Stop> stops = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            stops.add(i < failing && i == 0 ? Briefing.throwingStop(round, "stop of source " + i)
                    : Briefing.anyStop(round, "stop of source " + i));
        }
        adjust.accept(stops);
        List<String> sections = Briefing.sections(round, count);
        ScriptedSource failed = null;
        for (int i = 0; i < count; i++) {
            if (i == failing) {
                failed = stage.failing(failure, onceAllAreFetching);
            } else {
                stage.blocking(sections.get(i), stops.get(i), Briefing.stopFailure(round, "stop failure of source " + i));
            }
        }
        return failed;
    }

    /**
     * Builds a small report with {@code builder} and checks it: an interrupted caller's tests start with one, so
     * that code that throws whatever happens (the untouched stub) does not pass them.
     */
    static void aReportThatWorks(Shapes round, ReportBuilder builder) throws InterruptedException {
        List<String> sections = Briefing.sections(round, round.between("sources of a report that works", 1, 4));
        try (Stage stage = new Stage("a report that works, first")) {
            sections.forEach(stage::meeting);
            stage.start(builder);
            stage.assertReport(stage.outcome("Its sources wait until all are being fetched (rule 1)."), sections);
        }
    }

    /** An order to finish {@code count} sources in, never the order of the list. */
    static List<Integer> finishingOrder(Shapes round, int count) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            order.add(i);
        }
        List<Integer> shuffled = new ArrayList<>(round.shuffled("finishing order", order));
        if (shuffled.equals(order)) {
            java.util.Collections.reverse(shuffled);
        }
        return shuffled;
    }

    static String kind(Throwable failure) {
        return failure.getClass().getSimpleName();
    }
}

package katas.startandjoin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import katas.startandjoin.ScriptedSource.Stop;
import katas.startandjoin.Stage.Outcome;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden: the edges of the rules. Interrupts that keep coming while the stopped sources wind down, or that
 * arrive after some sources have returned; a failure before the other threads have even started; failures
 * that have causes of their own, or that are InterruptedExceptions nobody asked for; a single source.
 */
@DisplayName("ReportBuilder at the edges")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReportBuilderEdgeTest {

    @Test
    @Order(1)
    @Tag("rule-6")
    @Tag("rule-5")
    @DisplayName("keeps waiting for its threads when its caller is interrupted again and again")
    void keepsWaitingWhenInterruptedAgainAndAgain(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            ReportBuilder builder = new ReportBuilder();
            ReportBuilderTest.aReportThatWorks(round, builder);
            int count = round.between("sources", 1, 8);
            int slowToStop = round.between("a source slow to stop", 0, count - 1);
            try (Stage stage = new Stage("the report whose caller is interrupted again and again")) {
                for (int i = 0; i < count; i++) {
                    stage.blocking("section " + i, i == slowToStop ? Briefing.windingDownStop(round, "stop of source "
                            + i) : Briefing.anyStop(round, "stop of source " + i), Briefing.stopFailure(round,
                            "stop failure of source " + i));
                }
                stage.start(builder);
                stage.awaitFetching(count, "fetchAll must start every source's thread before it waits (rule 1)");
                stage.keepInterruptingCaller();
                Outcome outcome = stage.outcome("Its caller was interrupted again and again while the sources were "
                        + "being fetched: fetchAll must stop them, wait until every thread has ended (even while "
                        + "interrupted again), then throw (rule 6)");
                stage.assertFetchesStoppedOnInterrupt(outcome);
                stage.assertEveryThreadEnded(outcome);
                assertThat(outcome.thrown()).as("what fetchAll did when its caller was interrupted again and again: "
                        + "it must not return a report (rule 6)\n%s", stage.describe()).isNotNull();
            }
        });
    }

    @Test
    @Order(2)
    @Tag("rule-6")
    @Tag("rule-5")
    @DisplayName("throws InterruptedException when its caller is interrupted after some sources have returned")
    void interruptedAfterSomeReturned(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int count = round.between("sources", 2, 10);
            int slow = round.between("a slow source", 0, count - 1);
            try (Stage stage = new Stage()) {
                List<ScriptedSource> quick = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    if (i == slow || round.chance("source " + i + " is slow", 0.4)) {
                        stage.blocking("section " + i, Briefing.anyStop(round, "stop of source " + i),
                                Briefing.stopFailure(round, "stop failure of source " + i));
                    } else {
                        quick.add(stage.returning("section " + i));
                    }
                }
                stage.start(new ReportBuilder());
                stage.awaitFetching(count, "fetchAll must start every source's thread before it waits (rule 1)");
                for (ScriptedSource source : quick) {
                    stage.awaitLeft(source, "It returns at once.");
                }
                stage.interruptCaller();
                Outcome outcome = stage.outcome("Its caller was interrupted while some sources were still being "
                        + "fetched: fetchAll must stop them, wait for them and throw InterruptedException (rule 6)");
                stage.assertInterruptReported(outcome);
                stage.assertFetchesStoppedOnInterrupt(outcome);
                stage.assertEveryThreadEnded(outcome);
            }
        });
    }

    @Test
    @Order(3)
    @Tag("rule-6")
    @DisplayName("throws InterruptedException even when every source it stopped returned what it had")
    void throwsEvenWhenEveryStoppedSourceReturned(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int count = round.between("sources", 1, 6);
            try (Stage stage = new Stage()) {
                for (int i = 0; i < count; i++) {
                    stage.blocking("section " + i, round.oneOf("stop of source " + i, Stop.RETURNS_WHAT_IT_HAS,
                            Stop.WINDS_DOWN_THEN_RETURNS), null);
                }
                stage.start(new ReportBuilder());
                stage.awaitFetching(count, "fetchAll must start every source's thread before it waits (rule 1)");
                stage.interruptCaller();
                Outcome outcome = stage.outcome("Its caller was interrupted while every source was being fetched: "
                        + "fetchAll must stop them, wait for them and throw InterruptedException (rule 6)");
                stage.assertInterruptReported(outcome);
                stage.assertEveryThreadEnded(outcome);
            }
        });
    }

    @Test
    @Order(4)
    @Tag("rule-5")
    @Tag("rule-4")
    @Tag("rule-6")
    @DisplayName("waits for a stopped source as long as it takes to wind down, after a failure or an interrupt")
    void waitsAsLongAsAStoppedSourceTakes(Shapes shapes) throws Exception {
        for (String why : shapes.shuffled("what stops the sources", List.of("a failure", "an interrupt"))) {
            int count = shapes.between("sources when stopped by " + why, 2, 6);
            int slow = shapes.between("the source slow to stop when stopped by " + why, 0, count - 1);
            long millis = shapes.between("how long it winds down when stopped by " + why, 350, 550);
            try (Stage stage = new Stage()) {
                ScriptedSource failed = null;
                int failing = why.equals("a failure") ? (slow + 1) % count : -1;
                for (int i = 0; i < count; i++) {
                    if (i == failing) {
                        failed = stage.failing(Briefing.anyFailure(shapes, "failure", "the gate service"), true);
                    } else if (i == slow) {
                        stage.slowToStop("section " + i, Briefing.windingDownStop(shapes, "stop of source " + i),
                                millis);
                    } else {
                        stage.blocking("section " + i, Briefing.anyStop(shapes, "stop of source " + i),
                                Briefing.stopFailure(shapes, "stop failure of source " + i));
                    }
                }
                stage.start(new ReportBuilder());
                stage.awaitFetching(count, "fetchAll must start every source's thread before it waits (rule 1)");
                if (failed == null) {
                    stage.interruptCaller();
                }
                Outcome outcome = stage.outcome("Source " + slow + " takes " + millis + " ms to stop after it was "
                        + "interrupted: fetchAll must wait for it (rule 5)");
                stage.assertEveryThreadEnded(outcome);
                if (failed != null) {
                    stage.assertFailedWith(outcome, failed);
                } else {
                    stage.assertInterruptReported(outcome);
                }
            }
        }
    }

    @Test
    @Order(5)
    @Tag("rule-4")
    @Tag("rule-5")
    @Tag("rule-3")
    @DisplayName("stops every other source when one fails at once, even those whose threads had not started yet")
    void stopsTheOthersWhenOneFailsBeforeTheyStart(Shapes shapes) throws Exception {
        shapes.check(4, round -> {
            int count = round.between("sources", 2, 30);
            int failing = round.between("failing source", 0, Math.min(2, count - 1));
            Throwable failure = Briefing.anyFailure(round, "failure", "the roster service");
            try (Stage stage = new Stage()) {
                ScriptedSource failed = ReportBuilderTest.scriptFailure(round, stage, count, failing, failure, false,
                        s -> {
                        });
                stage.start(new ReportBuilder());
                Outcome outcome = stage.outcome(() -> failed + " threw " + failure + " at once: every other source "
                        + "must be stopped, including those whose threads start after the failure (rule 4)");
                stage.assertFailedWith(outcome, failed);
                stage.assertOthersStopped(outcome, failed);
                stage.assertEveryThreadEnded(outcome);
            }
        });
    }

    @Test
    @Order(6)
    @Tag("rule-3")
    @DisplayName("reports a failure that has a cause of its own as it is, without unwrapping it")
    void reportsAFailureWithACauseAsItIs(Shapes shapes) throws Exception {
        List<Throwable> wrapped = shapes.shuffled("failures with causes", List.of(
                new ExecutionException("the ATC feed failed", new IllegalStateException("feed closed")),
                new UncheckedIOException("the ATC feed failed", new IOException("connection reset")),
                new RuntimeException("the ATC feed failed", new IOException("no route to host")),
                new AssertionError("the ATC feed failed", new IllegalArgumentException("bad airport code"))));
        for (Throwable failure : wrapped.subList(0, 2)) {
            int count = shapes.between("sources with " + failure.getClass().getSimpleName(), 2, 7);
            try (Stage stage = new Stage()) {
                ScriptedSource failed = ReportBuilderTest.scriptFailure(shapes, stage, count, shapes.between(
                        "failing source with " + failure.getClass().getSimpleName(), 0, count - 1), failure, true,
                        s -> {
                        });
                stage.start(new ReportBuilder());
                Outcome outcome = stage.outcome(() -> failed + " threw " + failure + ": fetchAll must stop the others "
                        + "and throw SourceFailedException (rule 3)");
                stage.assertFailedWith(outcome, failed);
            }
        }
    }

    @Test
    @Order(7)
    @Tag("rule-3")
    @DisplayName("reports an InterruptedException that a source throws on its own, unasked, like any other failure")
    void reportsAnInterruptedExceptionNobodyAskedFor(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int count = round.between("sources", 1, 7);
            Throwable failure = new InterruptedException("the news feed was cancelled upstream");
            try (Stage stage = new Stage()) {
                ScriptedSource failed = ReportBuilderTest.scriptFailure(round, stage, count, round.between(
                        "failing source", 0, count - 1), failure, round.chance("fails once all are being fetched",
                        0.5), s -> {
                        });
                stage.start(new ReportBuilder());
                Outcome outcome = stage.outcome(() -> failed + " threw an InterruptedException of its own, though "
                        + "nobody had interrupted anything: that is a failure like any other (rule 3)");
                stage.assertFailedWith(outcome, failed);
                stage.assertEveryThreadEnded(outcome);
            }
        });
    }

    @Test
    @Order(8)
    @Tag("rule-1")
    @Tag("rule-2")
    @DisplayName("fetches a single source on a thread of its own too")
    void fetchesASingleSourceOnAThreadOfItsOwn(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            try (Stage stage = new Stage()) {
                String section = Briefing.sections(round, 1).get(0);
                ScriptedSource only = round.chance("it waits for its turn (else returns at once)", 0.5)
                        ? stage.waitingForItsTurn(section) : stage.returning(section);
                stage.start(new ReportBuilder());
                stage.awaitFetching(1, "fetchAll must start a thread for its one source (rule 1)");
                stage.finish(only);
                Outcome outcome = stage.outcome("Its only source has finished; fetchAll should have returned.");
                stage.assertReport(outcome, List.of(section));
                stage.assertEveryThreadEnded(outcome);
            }
        });
    }

    @Test
    @Order(9)
    @Tag("rule-6")
    @Tag("rule-7")
    @DisplayName("builds the next report with the same builder after reports that failed or were interrupted")
    void buildsTheNextReportAfterAnInterrupt(Shapes shapes) throws Exception {
        ReportBuilder builder = new ReportBuilder();
        for (String what : List.of("interrupted before the call", "failed", "interrupted before the call")) {
            int count = shapes.between("sources of the report that " + what, 1, 6);
            try (Stage stage = new Stage("the report that " + what)) {
                if (what.equals("failed")) {
                    ScriptedSource failed = ReportBuilderTest.scriptFailure(shapes, stage, Math.max(2, count),
                            shapes.between("failing source", 0, Math.max(2, count) - 1), Briefing.anyFailure(shapes,
                                    "failure", "the gate service"), true, s -> {
                            });
                    stage.start(builder);
                    stage.assertFailedWith(stage.outcome("It should have failed (rule 3)."), failed);
                    continue;
                }
                for (int i = 0; i < count; i++) {
                    stage.blocking("section " + i, Stop.THROWS_INTERRUPTED_EXCEPTION, null);
                }
                stage.startInterrupted(builder);
                Outcome outcome = stage.outcome("Its caller was interrupted before the call (rule 6).");
                stage.assertInterruptReported(outcome);
                stage.assertEveryThreadEnded(outcome);
            }
        }
        int count = shapes.between("sources of the next report", 1, 8);
        List<String> sections = Briefing.sections(shapes, count);
        try (Stage stage = new Stage("the report after those")) {
            sections.forEach(stage::meeting);
            stage.start(builder);
            Outcome outcome = stage.outcome("The report after a failed and two interrupted ones should have "
                    + "succeeded (rule 7).");
            stage.assertReport(outcome, sections);
        }
    }
}

package katas.startandjoin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
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
    @Test
    @Order(10)
    @Tag("rule-1")
    @Tag("rule-2")
    @DisplayName("fetches more sources than any fixed batch at the same time, up to three hundred")
    void fetchesMoreSourcesThanAnyBatch(Shapes shapes) throws Exception {
        // One report of any size from 150, then one of 300: a batch of any size below the largest is caught.
        int[] reports = {0};
        shapes.check(2, round -> {
            int count = reports[0]++ == 0 ? round.between("sources", 150, 300) : round.between("sources", 300, 300);
            List<String> sections = Briefing.sections(round, count);
            try (Stage stage = new Stage("a report of " + count + " sources")) {
                sections.forEach(stage::meeting);
                stage.start(new ReportBuilder());
                Outcome outcome = stage.outcome(() -> "Each of the " + count + " sources waits until all of them "
                        + "are being fetched, and only " + stage.fetchedCount() + " ever were at the same time: "
                        + "fetchAll must start a thread for every source, however many there are, before it waits "
                        + "for any (rule 1)");
                stage.assertReport(outcome, sections);
                stage.assertEveryThreadEnded(outcome);
            }
        });
    }

    @Test
    @Order(11)
    @Tag("rule-3")
    @Tag("rule-2")
    @DisplayName("names the place of the source that failed when an equal source is listed before it")
    void namesThePlaceOfTheFailureAmongEqualSources(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int count = round.between("sources", 2, 8);
            int first = round.between("first place of the source listed twice", 0, count - 2);
            int second = round.between("second place, where it fails", first + 1, count - 1);
            Throwable failure = Briefing.anyFailure(round, "failure", "the NOTAM service");
            CountDownLatch never = new CountDownLatch(1);
            List<Source> sources = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                if (i == first) {
                    sources.add(new Service("NOTAMs", () -> "NOTAMs, first look"));
                } else if (i == second) {
                    sources.add(new Service("NOTAMs", () -> {
                        throw katas.testkit.Sneaky.raise(failure);
                    }));
                } else {
                    String section = "slot times, part " + i;
                    sources.add(() -> {
                        never.await();
                        return section;
                    });
                }
            }
            Throwable thrown = null;
            try {
                new ReportBuilder().fetchAll(sources);
            } catch (Throwable t) {
                thrown = t;
            } finally {
                never.countDown();
            }
            assertThat(thrown).as("what fetchAll threw when source %d (equal to source %d, listed before it) threw "
                    + "%s: SourceFailedException (rule 3)", second, first, failure).isInstanceOf(
                    SourceFailedException.class);
            SourceFailedException failed = (SourceFailedException) thrown;
            assertThat(failed.getCause()).as("the cause: exactly what source %d threw (rule 3)", second)
                    .isSameAs(failure);
            assertThat(failed.source()).as("the index of the failed source: source %d threw, and source %d, "
                    + "equal to it and listed before it, did not; the failure is the source's at its own place in "
                    + "the list (rules 2 and 3)", second, first).isEqualTo(second);
        });
    }

    @Test
    @Order(12)
    @Tag("rule-1")
    @Tag("rule-4")
    @DisplayName("fetches at the same time for any caller, with sources of any class")
    void fetchesAtTheSameTimeForAnyCaller(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            int count = round.between("sources", 2, 9);
            List<String> sections = Briefing.sections(round, count);
            CyclicBarrier all = new CyclicBarrier(count);
            Map<Thread, Integer> threads = new ConcurrentHashMap<>();
            List<Source> sources = new ArrayList<>();
            for (String section : sections) {
                sources.add(() -> {
                    threads.merge(Thread.currentThread(), 1, Integer::sum);
                    all.await(2, TimeUnit.SECONDS);
                    return section;
                });
            }
            AtomicReference<Object> result = new AtomicReference<>();
            Thread dispatcher = new Thread(() -> {
                try {
                    result.set(new ReportBuilder().fetchAll(sources));
                } catch (Throwable t) {
                    result.set(t);
                }
            }, round.oneOf("the dispatcher's thread", "ops desk", "briefing printer", "dispatcher"));
            dispatcher.start();
            dispatcher.join(TimeUnit.SECONDS.toMillis(6));
            Thread[] callers = {dispatcher};
            boolean ended = !dispatcher.isAlive();
            if (!ended) {
                dispatcher.interrupt();
                dispatcher.join(TimeUnit.SECONDS.toMillis(2));
            }
            assertThat(ended).as("fetchAll, called from a plain thread of an application, had not returned after "
                    + "6 s (rule 1)").isTrue();
            assertThat(threads.keySet()).as("the threads that fetched the sources, called from a plain thread of an "
                    + "application: a new thread for every source, never the calling thread (rule 1)")
                    .hasSize(count).doesNotContain(callers);
            assertThat(result.get()).as("what fetchAll gave a plain thread of an application for %d sources that "
                    + "each wait until all of them are being fetched: their report; a fetch one after the other never "
                    + "gets them all fetched at the same time (rule 1)", count).isEqualTo(sections);
        });
    }

    @Test
    @Order(13)
    @Tag("rule-7")
    @Tag("rule-6")
    @Tag("rule-5")
    @DisplayName("stops only its own fetches when one of two reports built at the same time is interrupted")
    void stopsOnlyItsOwnFetches(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            ReportBuilder builder = new ReportBuilder();
            for (boolean otherFirst : round.shuffled("which report starts first", List.of(true, false))) {
                twoReportsOneInterrupted(round, builder, otherFirst);
            }
        });
    }

    @Test
    @Order(14)
    @Tag("rule-6")
    @Tag("rule-3")
    @DisplayName("says it was interrupted when interrupted while it waits for the sources it stopped after a failure")
    void interruptedWhileWaitingAfterAFailure(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int count = round.between("sources", 2, 7);
            int failing = round.between("failing source", 0, count - 1);
            int drawn = round.between("source slow to stop", 0, count - 2);
            int slow = drawn >= failing ? drawn + 1 : drawn;
            Throwable failure = Briefing.anyFailure(round, "failure", "the de-icing service");
            try (Stage stage = new Stage("the failed report whose caller is interrupted while it waits")) {
                ScriptedSource failed = null;
                ScriptedSource windingDown = null;
                for (int i = 0; i < count; i++) {
                    if (i == failing) {
                        failed = stage.failing(failure, true);
                    } else if (i == slow) {
                        windingDown = stage.slowToStop("section " + i, Briefing.windingDownStop(round,
                                "stop of source " + i), 120);
                    } else {
                        stage.blocking("section " + i, Briefing.anyStop(round, "stop of source " + i),
                                Briefing.stopFailure(round, "stop failure of source " + i));
                    }
                }
                stage.start(new ReportBuilder());
                stage.awaitLeft(failed, "It fails once all sources are being fetched (rule 1).");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (!windingDown.windingDown && windingDown.leftNanos == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                stage.interruptCaller();
                ScriptedSource theFailed = failed;
                Outcome outcome = stage.outcome(() -> theFailed + " threw " + failure + " and its caller was "
                        + "interrupted while a stopped source wound down: fetchAll must wait for every thread and "
                        + "then say it was interrupted (rule 6)");
                stage.assertEveryThreadEnded(outcome);
                assertThat(outcome.report()).as("the report of a call that failed and whose caller was interrupted: "
                        + "none (rules 3 and 6)").isNull();
                assertThat(outcome.thrown() instanceof InterruptedException || outcome.interruptedAtExit())
                        .as("its caller was interrupted while fetchAll waited for the sources stopped after %s "
                        + "failed, and fetchAll threw %s with the interrupt status cleared: whoever interrupted it "
                        + "cannot tell; throw InterruptedException, or set the interrupt status again before "
                        + "throwing something else (rule 6)\n%s", theFailed, outcome.thrown(), stage.describe())
                        .isTrue();
            }
        });
    }

    private static void twoReportsOneInterrupted(Shapes round, ReportBuilder builder, boolean otherFirst)
            throws Exception {
        String order = otherFirst ? " (started second)" : " (started first)";
        int interruptedCount = round.between("sources of the interrupted report" + order, 1, 7);
        int otherCount = round.between("sources of the other report" + order, 1, 7);
        try (Stage interrupted = new Stage("the report whose caller is interrupted" + order);
                Stage other = new Stage("the report built at the same time, whose caller is not interrupted")) {
            for (int i = 0; i < interruptedCount; i++) {
                interrupted.blocking("section " + i, Briefing.anyStop(round, "stop of source " + i),
                        Briefing.stopFailure(round, "stop failure of source " + i));
            }
            List<String> sections = Briefing.sections(round, otherCount);
            List<ScriptedSource> waiting = sections.stream().map(other::waitingForItsTurn).toList();
            Stage firstStarted = otherFirst ? other : interrupted;
            Stage secondStarted = otherFirst ? interrupted : other;
            firstStarted.start(builder);
            firstStarted.awaitFetching(firstStarted.scripted().size(), "fetchAll must start every source's "
                    + "thread before it waits (rule 1)");
            secondStarted.start(builder);
            secondStarted.awaitFetching(secondStarted.scripted().size(), "fetchAll must start every source's "
                    + "thread before it waits (rule 1)");
            interrupted.interruptCaller();
            Outcome outcome = interrupted.outcome("Of two reports built at the same time with one builder, one "
                    + "caller was interrupted: its fetchAll must stop its own sources, wait for its own threads "
                    + "and throw InterruptedException, and leave the other report alone (rules 6 and 7)");
            interrupted.assertInterruptReported(outcome);
            interrupted.assertFetchesStoppedOnInterrupt(outcome);
            interrupted.assertEveryThreadEnded(outcome);
            List<ScriptedSource> stoppedByMistake = waiting.stream().filter(ScriptedSource::wasInterrupted)
                    .toList();
            assertThat(stoppedByMistake).as("the sources of the other report, built at the same time with the "
                    + "same builder, that were interrupted when only the other report's caller was: one call's "
                    + "threads never mix with another's (rule 7)\n%s", other.describe()).isEmpty();
            for (ScriptedSource source : waiting) {
                other.finish(source);
            }
            Outcome otherOutcome = other.outcome("Its sources have all finished; fetchAll should have returned "
                    + "its report, whatever happened to the other report's call (rule 7).");
            other.assertReport(otherOutcome, sections);
            other.assertEveryThreadEnded(otherOutcome);
        }
    }

    /** A source that equals every other of the same service, as a value would, whatever each one does. */
    private record Service(String name, Source fetcher) implements Source {
        @Override
        public String fetch() throws Exception {
            return fetcher.fetch();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Service service && service.name.equals(name);
        }

        @Override
        public int hashCode() {
            return name.hashCode();
        }
    }
}

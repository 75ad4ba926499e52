package katas.startandjoin;

import static org.assertj.core.api.Assertions.assertThat;

import airline.ops.NotamFeed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import katas.startandjoin.ScriptedSource.Stop;
import katas.startandjoin.Stage.Outcome;
import katas.testkit.CallerThread;
import katas.testkit.EveryFailure;
import katas.testkit.KataTest;
import katas.testkit.Sensor;
import katas.testkit.Shapes;
import katas.testkit.ThreadEnd;
import katas.testkit.WindDown;
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
    @Order(7)
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
    @Order(8)
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
    @Order(9)
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
    @Order(10)
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
    @Order(11)
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
    @Order(12)
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
    @Order(12)
    @Tag("rule-3")
    @DisplayName("reports the first failure, not what a source it stops throws at once, even before the stopping returns")
    void reportsTheFirstFailureNotTheFalloutOfTheStop(Shapes shapes) throws Exception {
        // The other sources read a Sensor: interrupting one wakes its sensor on the interrupting thread, which holds
        // that thread until the stopped source has thrown and its thread has ended. So whatever the thread that
        // stops the others does after its interrupt() calls, the stopped sources have failed first: a failing
        // source's thread that stops the others before it records its own failure has recorded their fallout first.
        shapes.check(2, round -> {
            int count = round.between("sources", 2, 6);
            int failing = round.between("failing source", 0, count - 1);
            Throwable failure = Briefing.anyFailure(round, "failure", "the de-icing queue");
            CountDownLatch reading = new CountDownLatch(count - 1);
            java.util.concurrent.atomic.AtomicBoolean over = new java.util.concurrent.atomic.AtomicBoolean();
            Set<Thread> holding = Sensor.holdingSet();
            Set<Thread> threads = ConcurrentHashMap.newKeySet();
            List<Throwable> fallout = new ArrayList<>();
            List<Source> sources = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                if (i == failing) {
                    sources.add(() -> {
                        threads.add(Thread.currentThread());
                        reading.await(5, TimeUnit.SECONDS); // every other source reads its sensor (5 s at most)
                        throw katas.testkit.Sneaky.raise(failure);
                    });
                    continue;
                }
                String stop = round.oneOf("what source " + i + " throws at once when stopped",
                        "InterruptedException", "IOException", "IllegalStateException");
                Throwable thrown = switch (stop) {
                    case "InterruptedException" -> new InterruptedException("the reading of source " + i
                            + " was interrupted");
                    case "IOException" -> new IOException("the channel of source " + i + " was closed by an "
                            + "interrupt");
                    default -> new IllegalStateException("source " + i + " was stopped");
                };
                fallout.add(thrown);
                String section = "section " + i;
                sources.add(() -> {
                    threads.add(Thread.currentThread());
                    Sensor sensor = new Sensor(holding, () -> { });
                    if (sensor.read(reading::countDown, over::get)) {
                        sensor.threw();
                        throw katas.testkit.Sneaky.raise(thrown);
                    }
                    return section;
                });
            }
            CallerThread.Outcome<List<String>> outcome = CallerThread.call(() -> new ReportBuilder().fetchAll(sources),
                    () -> {
                        over.set(true);
                        CallerThread.joinQuietly(threads);
                    });
            Throwable got = outcome.thrown();
            String what = "source " + failing + " of " + count + " threw " + failure + " once the others were "
                    + "being fetched";
            if (!(got instanceof SourceFailedException reported)) {
                throw new AssertionError(what + ", and fetchAll " + (got == null ? "returned " + outcome.returned()
                        : "threw " + got) + " instead of SourceFailedException for it (rule 3)", got);
            }
            if (reported.source() != failing || reported.getCause() != failure) {
                throw new AssertionError(what + ", and fetchAll threw SourceFailedException for source "
                        + reported.source() + " with the cause " + reported.getCause() + (fallout.contains(
                        reported.getCause()) ? ", what that source threw at once when it was stopped after the "
                        + "failure: the first failure is the report's failure, never the fallout of stopping the "
                        + "others. Record the failure before you stop the others (rule 3)" : " (rule 3)"), got);
            }
        });
    }

    @Test
    @Order(13)
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
    @Order(14)
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
    @Order(15)
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
    @Order(6)
    @Tag("rule-1")
    @Tag("rule-2")
    @DisplayName("fetches more sources than any fixed batch at the same time, up to four hundred")
    void fetchesMoreSourcesThanAnyBatch(Shapes shapes) throws Exception {
        // One report of any size from 150, then one of LARGEST_REPORT, just under the kata's thread limit
        // (kata.json, maxThreads): a batch of any size below the largest report is caught.
        int[] reports = {0};
        shapes.check(2, round -> {
            int count = reports[0]++ == 0 ? round.between("sources", 150, LARGEST_REPORT)
                    : round.between("sources", LARGEST_REPORT, LARGEST_REPORT);
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

    /** The largest report of the tests: as many sources as the kata's thread limit allows, with room to spare. */
    private static final int LARGEST_REPORT = 400;

    @Test
    @Order(16)
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
    @Order(5)
    @Tag("rule-1")
    @Tag("rule-4")
    @DisplayName("fetches at the same time for any caller, with sources of any class")
    void fetchesAtTheSameTimeForAnyCaller(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            int count = round.between("sources", 2, 9);
            List<String> sections = Briefing.sections(round, count);
            CyclicBarrier all = new CyclicBarrier(count);
            Map<Thread, Integer> threads = new ConcurrentHashMap<>();
            // Sources of the application's own classes, whose names say nothing about tests: a class of
            // another package, or a proxy of the interface (as a client library may hand out).
            boolean proxies = round.chance("the sources are proxies (else a class of the application)", 0.5);
            List<Source> sources = new ArrayList<>();
            for (String section : sections) {
                NotamFeed feed = new NotamFeed(section, all, threads);
                sources.add(proxies ? proxyOf(feed) : feed);
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
            boolean ended = !ThreadEnd.stillRuns(dispatcher);
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
    @Order(17)
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
    @Order(18)
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

    @Test
    @Order(1)
    @Tag("rule-6")
    @Tag("rule-5")
    @DisplayName("returns no report when its caller was interrupted before the call, even with no source or quick ones")
    void noReportForACallerInterruptedBeforeTheCall(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            ReportBuilder builder = new ReportBuilder();
            ReportBuilderTest.aReportThatWorks(round, builder);
            // No source at all first: nothing to join, so join() can never notice the interrupt.
            int count = round.between("quick sources", 1, 12);
            for (int sources : new int[] {0, count}) {
                String what = sources == 0 ? "no source at all" : sources + " sources that return at once";
                try (Stage stage = new Stage("the report of " + what + " whose caller was interrupted before the "
                        + "call")) {
                    Briefing.sections(round, sources).forEach(stage::returning);
                    stage.startInterrupted(builder);
                    Outcome outcome = stage.outcome("Its caller was interrupted before it called fetchAll (rule 6).");
                    if (outcome.thrown() == null) {
                        throw new AssertionError("the caller of fetchAll was interrupted before the call, with "
                                + what + ", and fetchAll returned the report " + outcome.report() + ": an "
                                + "interrupted caller never gets a report, however quick the sources; join() on a "
                                + "thread that has already ended does not look at the interrupt status, so look at "
                                + "it yourself (rule 6)\n" + stage.describe());
                    }
                    stage.assertInterruptReported(outcome);
                    stage.assertEveryThreadEnded(outcome);
                }
            }
        });
    }

    @Test
    @Order(2)
    @Tag("rule-3")
    @Tag("rule-6")
    @DisplayName("says it was interrupted, not that a source failed, when the sources it stopped for its caller throw")
    void interruptNotTheFalloutOfStoppingTheSources(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int count = round.between("sources", 1, 8);
            int surelyThrows = round.between("a source that throws a failure of its own when stopped", 0, count - 1);
            try (Stage stage = new Stage("the report whose caller is interrupted")) {
                for (int i = 0; i < count; i++) {
                    Stop stop = i == surelyThrows ? Stop.THROWS_A_FAILURE
                            : Briefing.throwingStop(round, "stop of source " + i);
                    stage.blocking("section " + i, stop, anyFailureOrOutage(round, "stop failure of source " + i,
                            "the fuel service, stopped"));
                }
                stage.start(new ReportBuilder());
                stage.awaitFetching(count, "fetchAll must start every source's thread before it waits (rule 1)");
                stage.interruptCaller();
                Outcome outcome = stage.outcome("Its caller was interrupted while every source was being fetched: "
                        + "fetchAll must stop them, wait for them and throw InterruptedException (rule 6)");
                stage.assertEveryThreadEnded(outcome);
                if (outcome.thrown() instanceof SourceFailedException failed) {
                    throw new AssertionError("the caller of fetchAll was interrupted while every source was being "
                            + "fetched, and fetchAll threw SourceFailedException for source " + failed.source()
                            + " (" + failed.getCause() + "), which threw only because fetchAll stopped it for the "
                            + "interrupted caller: what a stopped source throws is never the report's failure (rule "
                            + "3); an interrupted caller hears that it was interrupted: InterruptedException (rule 6)"
                            + "\n" + stage.describe(), failed);
                }
                stage.assertInterruptReported(outcome);
            }
        });
    }

    @Test
    @Order(3)
    @Tag("rule-2")
    @Tag("rule-7")
    @DisplayName("fetches the same sources anew for every report, also when asked for the very same list again")
    void fetchesTheSameSourcesAnewForEveryReport(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            ReportBuilder builder = new ReportBuilder();
            int count = round.between("sources", 1, 8);
            List<Feed> feeds = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                feeds.add(new Feed());
            }
            List<Source> sources = new ArrayList<>(feeds);
            if (round.chance("a source is listed twice", 0.4)) {
                sources.add(round.between("where the repeated source goes", 0, count), feeds.get(round.between(
                        "the repeated source", 0, count - 1)));
            }
            List<Source> theList = List.copyOf(sources);
            List<String> asked = List.of("the list", "the very same list again", "an equal list", "the same list");
            int reports = round.between("reports", 3, asked.size());
            for (int r = 0; r < reports; r++) {
                List<String> sections = Briefing.distinctSections(round, count);
                for (int i = 0; i < count; i++) {
                    feeds.get(i).section = sections.get(i) + " (morning " + (r + 1) + ")";
                    feeds.get(i).fetches.set(0);
                }
                List<Source> given = asked.get(r).equals("an equal list") ? new ArrayList<>(theList) : theList;
                List<String> expected = theList.stream().map(s -> ((Feed) s).section).toList();
                List<String> report = builder.fetchAll(given);
                assertThat(report).as("report %d of one builder, asked for %s (the same source objects, whose "
                        + "sections changed since the last report): what each source returns now, not an earlier "
                        + "report; every report fetches its sources anew (rules 2 and 7)", r + 1, asked.get(r))
                        .isEqualTo(expected);
                for (int i = 0; i < count; i++) {
                    Feed feed = feeds.get(i);
                    long listed = theList.stream().filter(s -> s == feed).count();
                    assertThat(feed.fetches.get()).as("how often source %d, listed %d time(s), was fetched for "
                            + "report %d of one builder (%s): once per report for each place it is listed (rule 2)",
                            theList.indexOf(feed), listed, r + 1, asked.get(r)).isEqualTo((int) listed);
                }
            }
        });
    }

    @Test
    @Order(4)
    @Tag("rule-3")
    @Tag("rule-4")
    @Tag("rule-5")
    @DisplayName("reports a failure of every kind a source may throw, out of memory and neither Exception nor Error too, and stops the others")
    void reportsAThrowableThatIsNeitherExceptionNorError(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            List<Throwable> kinds = new ArrayList<>(EveryFailure.shuffled(round, "failure kinds in order",
                    "the NOTAM service"));
            kinds.add(round.between("where the outage goes", 0, kinds.size()), new ServiceOutage(
                    "the NOTAM service is unreachable"));
            for (int k = 0; k < kinds.size(); k++) {
                Throwable failure = kinds.get(k);
                int count = round.between("sources of report " + k, 1, 6);
                int failing = round.between("failing source of report " + k, 0, count - 1);
                boolean onceAll = round.chance("report " + k + " fails once all are being fetched (else at once)",
                        0.5);
                try (Stage stage = new Stage("report " + k + ", whose source throws " + EveryFailure.describe(
                        failure))) {
                    ScriptedSource failed = null;
                    for (int i = 0; i < count; i++) {
                        if (i == failing) {
                            failed = stage.failing(failure, onceAll);
                        } else if (round.chance("report " + k + ": source " + i + " returns at once (else waits "
                                + "until stopped)", 0.3)) {
                            stage.returning("section " + i);
                        } else {
                            stage.blocking("section " + i, Briefing.anyStop(round, "report " + k + ": stop of source "
                                    + i), Briefing.stopFailure(round, "report " + k + ": stop failure of source " + i));
                        }
                    }
                    stage.start(new ReportBuilder());
                    ScriptedSource theFailed = failed;
                    Outcome outcome = stage.outcome(() -> theFailed + " threw " + EveryFailure.describe(failure)
                            + ": whatever a source throws (an OutOfMemoryError, a LinkageError, ThreadDeath, a "
                            + "Throwable that is neither an Exception nor an Error...) is a failure of the report: "
                            + "catch Throwable and let nothing through, stop the others and throw "
                            + "SourceFailedException with it as the cause (rules 3 and 4)");
                    stage.assertFailedWith(outcome, failed);
                    stage.assertOthersStopped(outcome, failed);
                    stage.assertEveryThreadEnded(outcome);
                }
            }
        });
    }

    @Test
    @Order(19)
    @Tag("rule-6")
    @Tag("rule-7")
    @Tag("rule-5")
    @DisplayName("clears the interrupt status with the InterruptedException it throws, and leaves it clear when nobody "
            + "interrupted its caller, so the same thread builds its next report")
    void clearsTheInterruptStatusItReports(Shapes shapes) throws Exception {
        // The calls run on this test's own thread, one after another, as an application's thread would make them:
        // the thread that caught an InterruptedException has handled that interrupt, and its next call must work.
        shapes.check(2, round -> {
            ReportBuilder builder = new ReportBuilder();
            for (String moment : round.shuffled("moments of the interrupt", List.of(BEFORE_THE_CALL,
                    WHILE_IT_WAITS, AGAIN_WHILE_THEY_WIND_DOWN, AFTER_A_FAILURE_AND_AGAIN))) {
                if (moment.equals(AFTER_A_FAILURE_AND_AGAIN)) {
                    failedThenInterruptedOnThisThread(round, builder);
                } else {
                    interruptedOnThisThread(round, builder, moment);
                }
                List<String> sections = Briefing.sections(round, round.between("sources of the report after the "
                        + "one interrupted " + moment, 0, 6));
                List<Source> quick = sections.stream().<Source>map(section -> () -> section).toList();
                List<String> report;
                try {
                    report = builder.fetchAll(quick);
                } catch (InterruptedException refused) {
                    Thread.interrupted();
                    throw new AssertionError("fetchAll threw InterruptedException for an interrupt " + moment + ", "
                            + "and the next report on the same thread, whose caller nobody had interrupted again, was "
                            + "refused with InterruptedException too: the interrupt status was still set from the "
                            + "interrupt fetchAll had already reported. Throwing InterruptedException clears it (rules 6 "
                            + "and 7)", refused);
                }
                boolean statusLeft = Thread.interrupted();
                assertThat(report).as("the report after one whose caller was interrupted %s, on the same thread "
                        + "(rule 7)", moment).isEqualTo(sections);
                assertThat(statusLeft).as("the interrupt status of a caller nobody interrupted, after fetchAll "
                        + "returned its report of %d source(s): clear; fetchAll sets it only for an interrupt its caller "
                        + "really had (rule 6)", sections.size()).isFalse();
            }
            failedOnThisThread(round, builder);
        });
    }

    private static final String BEFORE_THE_CALL = "before the call";
    private static final String WHILE_IT_WAITS = "while it waits";
    private static final String AGAIN_WHILE_THEY_WIND_DOWN = "while it waits, and again while its stopped sources "
            + "wind down";
    private static final String AFTER_A_FAILURE_AND_AGAIN = "after a source failed, and again while the sources the "
            + "failure stopped wind down";

    /**
     * One call of fetchAll on this thread, interrupted {@code moment}; the status must be handled as rule 6 says. Some
     * of its sources, once stopped, wind down until the test lets them end: while the call waits for them, its caller
     * is interrupted again, 1 or 2 times (before the call: 0 to 2 times, if fetchAll starts sources at all), each time
     * once the call has taken the interrupt before and is seen waiting. Those interrupts, too, it has been told of.
     */
    private static void interruptedOnThisThread(Shapes round, ReportBuilder builder, String moment) throws Exception {
        boolean before = moment.equals(BEFORE_THE_CALL);
        int count = round.between("sources of the report interrupted " + moment, before ? 0 : 1, 6);
        boolean returnWhatTheyHave = round.chance("stopped sources of the report interrupted " + moment
                + " return what they have (else throw InterruptedException)", 0.4);
        int quickOnes = before ? round.between("sources that return at once, interrupted " + moment, 0, count) : 0;
        int again = before ? round.between("interrupts again while the stopped sources wind down, interrupted "
                + moment, 0, 2) : moment.equals(WHILE_IT_WAITS) ? 0 : round.between("interrupts again while the "
                + "stopped sources wind down", 1, 2);
        int slowOnes = again == 0 || count == quickOnes ? 0 : round.between("stopped sources slow to wind down, "
                + "interrupted " + moment, 1, count - quickOnes);
        CountDownLatch fetching = new CountDownLatch(count - quickOnes);
        CountDownLatch released = new CountDownLatch(1);
        WindDown windDown = new WindDown();
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        List<Source> sources = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String section = "section " + i;
            if (i < quickOnes) {
                sources.add(() -> {
                    threads.add(Thread.currentThread());
                    return section;
                });
                continue;
            }
            Source waiting = waitsForRelease(section, threads, fetching, released, returnWhatTheyHave);
            sources.add(i < count - slowOnes ? waiting : windsDownWhenStopped(waiting, windDown));
        }
        if (before) {
            Thread.currentThread().interrupt();
        }
        // Every source waits until its thread is interrupted: fetchAll cannot end before the first interrupt, nor
        // before a slow source has ended, which it does only after the last interrupt has been taken.
        Thread interrupter = CallerThread.interruptAgainWhileWindingDown(before ? null : () -> fetching.getCount() == 0,
                again, windDown, "interrupter of the report's caller");
        List<Thread> runningAtTheEnd = new ArrayList<>();
        CallerThread.Outcome<List<String>> outcome = fetchAllInterrupted(builder, sources, threads, released, windDown,
                interrupter, runningAtTheEnd);
        List<String> report = outcome.returned();
        Throwable thrown = outcome.thrown();
        boolean statusAfter = outcome.interruptStatus();
        String call = "fetchAll of " + count + " source(s) on a thread interrupted " + moment + (again == 0 ? ""
                : " (" + (again == 1 ? "once" : "twice") + " more while " + slowOnes + " of them took a while to stop, "
                + "if they were stopped)");
        if (thrown == null) {
            throw new AssertionError(call + " returned the report " + report + ": an interrupted caller gets no report, "
                    + "it gets InterruptedException (rule 6)");
        }
        assertEveryThreadEnded(call, thrown, runningAtTheEnd);
        if (thrown instanceof InterruptedException && statusAfter) {
            throw new AssertionError(call + " threw InterruptedException and left the thread's interrupt status set. "
                    + "Like every blocking method of the JDK, throwing InterruptedException clears it (look at it with "
                    + "Thread.interrupted(), which clears it, not isInterrupted()): the caller that catches the exception "
                    + "has been told, and its next report, sleep or wait on that thread would be refused at once for "
                    + "an interrupt it has already handled (rules 6 and 7)", thrown);
        }
        if (!(thrown instanceof InterruptedException) && !statusAfter) {
            throw new AssertionError(call + " threw " + thrown + " with the thread's interrupt status cleared, so "
                    + "whoever interrupted it cannot tell: throw InterruptedException, or set the interrupt status "
                    + "again before throwing something else (rule 6)", thrown);
        }
    }

    /**
     * {@code source}, which, stopped, then winds down (deaf to interrupts) until the test lets it end:
     * the call waits for it meanwhile, and its caller is interrupted again.
     */
    private static Source windsDownWhenStopped(Source source, WindDown windDown) {
        return () -> {
            try {
                return source.fetch();
            } finally {
                windDown.hold();
            }
        };
    }

    /**
     * fetchAll of {@code sources} on this thread, which {@code interrupter} interrupts; the threads the sources ran on
     * that were still running when it returned or threw go into {@code running} (a call waits for every thread it
     * started: rule 5). Afterwards the test lets go of everything it holds.
     */
    private static CallerThread.Outcome<List<String>> fetchAllInterrupted(ReportBuilder builder, List<Source> sources,
            Set<Thread> threads, CountDownLatch released, WindDown windDown, Thread interrupter, List<Thread> running) {
        return CallerThread.call(() -> {
            try {
                return builder.fetchAll(sources);
            } finally {
                threads.stream().filter(ThreadEnd::stillRuns).forEach(running::add);
            }
        }, () -> {
            released.countDown();
            windDown.over();
            CallerThread.stop(interrupter);
            CallerThread.joinQuietly(threads);
        });
    }

    private static void assertEveryThreadEnded(String call, Throwable thrown, List<Thread> running) {
        if (!running.isEmpty()) {
            throw new AssertionError(call + (thrown == null ? " returned" : " threw " + thrown) + " while "
                    + running.size() + " thread(s) it started were still running (a stopped source winding down): "
                    + "fetchAll waits for every thread it started, even when its caller is interrupted again while "
                    + "it waits. Keep joining, remember the interrupt, and report it once all have ended (rules 5 "
                    + "and 6)", thrown);
        }
    }

    /**
     * A report one of whose sources fails once all the others are fetching. Once a source the failure stopped winds
     * down, its caller is interrupted, then 1 or 2 times again while the call waits for that source (each time once
     * it has taken the interrupt before): fetchAll still waits for every thread it started, and reports the
     * interrupt (rule 6).
     */
    private static void failedThenInterruptedOnThisThread(Shapes round, ReportBuilder builder) throws Exception {
        String call = "fetchAll on a thread interrupted " + AFTER_A_FAILURE_AND_AGAIN;
        int count = round.between("sources of the report interrupted after a failure", 2, 6);
        int failing = round.between("failing source of the report interrupted after a failure", 0, count - 1);
        int again = round.between("interrupts again while the sources the failure stopped wind down", 1, 2);
        Throwable failure = Briefing.anyFailure(round, "failure of the report interrupted after it",
                "the fuel desk");
        boolean returnWhatTheyHave = round.chance("stopped sources of the report interrupted after a failure return "
                + "what they have (else throw InterruptedException)", 0.4);
        CountDownLatch fetching = new CountDownLatch(count - 1);
        CountDownLatch released = new CountDownLatch(1);
        WindDown windDown = new WindDown();
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        List<Source> sources = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (i == failing) {
                sources.add(() -> {
                    threads.add(Thread.currentThread());
                    fetching.await(5, TimeUnit.SECONDS);
                    throw katas.testkit.Sneaky.raise(failure);
                });
            } else {
                sources.add(windsDownWhenStopped(waitsForRelease("section " + i, threads, fetching, released,
                        returnWhatTheyHave), windDown));
            }
        }
        // The first interrupt comes once a source the failure stopped holds: the call knows of the failure by then.
        Thread interrupter = CallerThread.interruptAgainWhileWindingDown(windDown::holding, again, windDown,
                "interrupter of the failed report's caller");
        List<Thread> runningAtTheEnd = new ArrayList<>();
        CallerThread.Outcome<List<String>> outcome = fetchAllInterrupted(builder, sources, threads, released, windDown,
                interrupter, runningAtTheEnd);
        Throwable thrown = outcome.thrown();
        String described = call + " (source " + failing + " of " + count + " threw " + failure + "; interrupted "
                + (again == 1 ? "once" : "twice") + " more)";
        assertEveryThreadEnded(described, thrown, runningAtTheEnd);
        if (thrown == null) {
            throw new AssertionError(described + " returned the report " + outcome.returned() + ": a failed call "
                    + "whose caller was interrupted gets no report (rules 3 and 6)");
        }
        if (thrown instanceof InterruptedException == outcome.interruptStatus()) {
            throw new AssertionError(described + " threw " + thrown + " with the interrupt status "
                    + (outcome.interruptStatus() ? "set: throwing InterruptedException clears it" : "cleared: whoever "
                    + "interrupted it cannot tell; throw InterruptedException, or set the status again before "
                    + "throwing something else") + " (rule 6)", thrown);
        }
    }

    /** A report whose source fails, its caller never interrupted: the status stays clear. */
    private static void failedOnThisThread(Shapes round, ReportBuilder builder) throws Exception {
        int count = round.between("sources of the failed report", 1, 6);
        int failing = round.between("failing source of the failed report", 0, count - 1);
        Throwable failure = Briefing.anyFailure(round, "failure of the failed report", "the crew roster service");
        boolean returnWhatTheyHave = round.chance("the failed report's stopped sources return what they have", 0.4);
        CountDownLatch released = new CountDownLatch(1);
        Set<Thread> threads = ConcurrentHashMap.newKeySet();
        List<Source> sources = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String section = "section " + i;
            if (i == failing) {
                sources.add(() -> {
                    threads.add(Thread.currentThread());
                    throw katas.testkit.Sneaky.raise(failure);
                });
                continue;
            }
            sources.add(waitsForRelease(section, threads, new CountDownLatch(0), released, returnWhatTheyHave));
        }
        CallerThread.Outcome<List<String>> outcome = CallerThread.call(() -> builder.fetchAll(sources), () -> {
            released.countDown();
            CallerThread.joinQuietly(threads);
        });
        Throwable thrown = outcome.thrown();
        boolean statusAfter = outcome.interruptStatus();
        assertThat(thrown).as("what fetchAll threw when source %d of %d threw %s (rule 3)", failing, count, failure)
                .isInstanceOf(SourceFailedException.class);
        assertThat(statusAfter).as("the interrupt status of a caller nobody interrupted, after fetchAll threw "
                + "SourceFailedException because source %d failed: clear; the sources it stopped were interrupted, "
                + "never its caller, and fetchAll sets the caller's status only for an interrupt the caller really had "
                + "(rule 6)", failing).isFalse();
    }

    /**
     * A source that says it is fetching, then waits for the test's release; stopped (interrupted), it returns what it
     * has or throws the InterruptedException, as drawn.
     */
    private static Source waitsForRelease(String section, Set<Thread> threads, CountDownLatch fetching,
            CountDownLatch released, boolean returnWhatTheyHave) {
        return () -> {
            threads.add(Thread.currentThread());
            fetching.countDown();
            try {
                released.await();
            } catch (InterruptedException stopped) {
                if (!returnWhatTheyHave) {
                    throw stopped;
                }
            }
            return section;
        };
    }

    /** A failure of any kind, or a Throwable that is neither an Exception nor an Error. */
    private static Throwable anyFailureOrOutage(Shapes round, String name, String what) {
        List<Throwable> kinds = new ArrayList<>(Briefing.oneFailureOfEachKind(round, what));
        kinds.add(new ServiceOutage(what + ": unreachable"));
        return round.oneOf(name, kinds);
    }

    /** A source whose section the test changes between reports, counting how often it is fetched. */
    private static final class Feed implements Source {
        volatile String section;
        final AtomicInteger fetches = new AtomicInteger();

        @Override
        public String fetch() {
            fetches.incrementAndGet();
            return section;
        }
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

    /** A proxy of the Source interface that fetches {@code feed}, as a client library might hand one out. */
    private static Source proxyOf(Source feed) {
        return (Source) Proxy.newProxyInstance(Source.class.getClassLoader(), new Class<?>[] {Source.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "fetch" -> feed.fetch();
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "proxy of " + feed;
                });
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

package katas.startandjoin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Hidden: the visible rules again, with more shapes: up to forty sources, sources that return at once among
 * slow ones, the same source listed twice, failures anywhere in the list and several at once, reports built at
 * the same time from several threads with one builder.
 */
@DisplayName("ReportBuilder under stress")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReportBuilderStressTest {

    @Test
    @Order(1)
    @Tag("rule-1")
    @Tag("rule-2")
    @Tag("rule-5")
    @DisplayName("fetches up to forty sources at the same time, some of which return at once")
    void fetchesManySourcesAtTheSameTime(Shapes shapes) throws Exception {
        shapes.check(5, round -> {
            int count = round.between("sources", 2, 40);
            boolean someAtOnce = round.chance("some sources return at once", 0.4);
            List<String> sections = Briefing.sections(round, count);
            try (Stage stage = new Stage()) {
                java.util.Random random = round.random();
                for (int i = 0; i < count; i++) {
                    if (someAtOnce && i > 0 && random.nextInt(3) == 0) {
                        stage.returning(sections.get(i));
                    } else {
                        stage.meeting(sections.get(i));
                    }
                }
                stage.start(new ReportBuilder());
                Outcome outcome = stage.outcome(() -> "The sources that wait until all of them are being fetched "
                        + "never all were at the same time (" + stage.fetchedCount() + " of " + count + " fetched): "
                        + "fetchAll must start a thread for every source before it waits for any (rule 1)");
                stage.assertReport(outcome, sections);
                stage.assertEveryThreadEnded(outcome);
            }
        });
    }

    @Test
    @Order(2)
    @Tag("rule-2")
    @DisplayName("keeps the sources' order when some return at once and the others finish in any order")
    void keepsTheOrderWhateverTheFinishingOrder(Shapes shapes) throws Exception {
        shapes.check(4, round -> {
            int count = round.between("sources", 2, 16);
            List<String> sections = Briefing.distinctSections(round, count);
            java.util.Random random = round.random();
            try (Stage stage = new Stage()) {
                List<ScriptedSource> waiting = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    if (random.nextInt(4) == 0) {
                        stage.returning(sections.get(i));
                    } else {
                        waiting.add(stage.waitingForItsTurn(sections.get(i)));
                    }
                }
                stage.start(new ReportBuilder());
                stage.awaitFetching(count, "fetchAll must start every source's thread before it waits (rule 1)");
                List<ScriptedSource> turns = new ArrayList<>(waiting);
                Collections.shuffle(turns, random);
                if (round.chance("the last finishes first", 0.3)) {
                    Collections.reverse(waiting);
                    turns = waiting;
                }
                for (ScriptedSource source : turns) {
                    stage.finish(source);
                    stage.awaitLeft(source, "It was told to finish.");
                }
                Outcome outcome = stage.outcome("Every source has finished; fetchAll should have returned.");
                stage.assertReport(outcome, sections);
            }
        });
    }

    @Test
    @Order(3)
    @Tag("rule-2")
    @Tag("rule-1")
    @DisplayName("fetches a source listed twice twice, each time on a thread of its own")
    void fetchesASourceListedTwiceTwice(Shapes shapes) throws Exception {
        shapes.check(4, round -> {
            AtomicInteger calls = new AtomicInteger();
            Map<Thread, Integer> threads = new ConcurrentHashMap<>();
            List<String> returned = Collections.synchronizedList(new ArrayList<>());
            Source repeated = () -> {
                String section = "de-icing queue, look " + calls.incrementAndGet();
                threads.merge(Thread.currentThread(), 1, Integer::sum);
                returned.add(section);
                return section;
            };
            int others = round.between("other sources", 0, 6);
            int times = round.between("times listed", 2, 4);
            List<Source> sources = new ArrayList<>();
            for (int i = 0; i < others; i++) {
                String section = "gate changes, part " + i;
                sources.add(() -> section);
            }
            for (int i = 0; i < times; i++) {
                sources.add(repeated);
            }
            List<Source> given = round.shuffled("sources", sources);
            List<String> report = new ReportBuilder().fetchAll(given);
            assertThat(calls.get()).as("how often a source listed %d times was fetched (rule 2)", times)
                    .isEqualTo(times);
            assertThat(threads).as("the threads that fetched a source listed %d times: a thread of its own each "
                    + "time (rule 1)", times).hasSize(times);
            assertThat(threads.keySet()).as("the threads that fetched a source listed %d times: never the calling "
                    + "thread (rule 1)", times).doesNotContain(Thread.currentThread());
            List<String> atItsPlaces = new ArrayList<>();
            for (int i = 0; i < given.size(); i++) {
                if (given.get(i) == repeated) {
                    atItsPlaces.add(report.get(i));
                } else {
                    assertThat(report.get(i)).as("the section of source %d (rule 2)", i)
                            .isEqualTo(given.get(i).fetch());
                }
            }
            assertThat(atItsPlaces).as("the sections at the %d places of a source listed %d times: what it returned "
                    + "each time it was fetched, one answer per place (rule 2)", times, times)
                    .containsExactlyInAnyOrderElementsOf(returned);
        });
    }

    @Test
    @Order(4)
    @Tag("rule-3")
    @Tag("rule-4")
    @Tag("rule-5")
    @DisplayName("reports the failure of any source, not the fallout of stopping the others, and stops them all")
    void reportsTheFirstFailureNotTheFallout(Shapes shapes) throws Exception {
        shapes.check(5, round -> {
            int count = round.between("sources", 2, 14);
            int failing = round.between("failing source", 0, count - 1);
            boolean onceAll = round.chance("fails once all are being fetched (else at once)", 0.6);
            Throwable failure = Briefing.anyFailure(round, "failure", "the slot service");
            try (Stage stage = new Stage()) {
                ScriptedSource failed = ReportBuilderTest.scriptFailure(round, stage, count, failing, failure, onceAll,
                        stops -> {
                            for (int i = 0; i < count; i++) {
                                if (i != failing && round.chance("source " + i + " throws when stopped", 0.5)) {
                                    stops.set(i, Briefing.throwingStop(round, "stop of source " + i));
                                }
                            }
                        });
                stage.start(new ReportBuilder());
                Outcome outcome = stage.outcome(() -> failed + " threw " + failure + ": fetchAll must interrupt the "
                        + "others (rule 4), wait for their threads to end (rule 5), and throw SourceFailedException "
                        + "(rule 3)");
                stage.assertFailedWith(outcome, failed);
                stage.assertOthersStopped(outcome, failed);
                stage.assertEveryThreadEnded(outcome);
            }
        });
    }

    @Test
    @Order(5)
    @Tag("rule-3")
    @Tag("rule-5")
    @DisplayName("when several sources fail at once, reports one of them with its own index")
    void reportsOneOfSeveralFailures(Shapes shapes) throws Exception {
        shapes.check(4, round -> {
            int count = round.between("sources", 2, 12);
            int failingCount = round.between("failing sources", 2, count);
            List<Integer> indexes = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                indexes.add(i);
            }
            List<Integer> failingIndexes = round.shuffled("sources in order of failing", indexes)
                    .subList(0, failingCount);
            try (Stage stage = new Stage()) {
                List<ScriptedSource> failed = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    if (failingIndexes.contains(i)) {
                        failed.add(stage.failing(Briefing.anyFailure(round, "failure of source " + i,
                                "service " + i), round.chance("source " + i + " fails once all are being fetched", 0.5)));
                    } else {
                        stage.blocking("section " + i, Briefing.anyStop(round, "stop of source " + i),
                                Briefing.stopFailure(round, "stop failure of source " + i));
                    }
                }
                stage.start(new ReportBuilder());
                Outcome outcome = stage.outcome(() -> Stage.list(failed) + " threw: fetchAll must stop the others, "
                        + "wait for them and throw SourceFailedException for one of the failed sources (rule 3)");
                stage.assertFailedWithOneOf(outcome, failed);
                stage.assertEveryThreadEnded(outcome);
            }
        });
    }

    @Test
    @Order(6)
    @Tag("rule-7")
    @Tag("rule-1")
    @DisplayName("builds several reports at the same time with one builder, none mixing with another")
    void buildsReportsAtTheSameTime(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            ReportBuilder builder = new ReportBuilder();
            int reports = round.between("reports at the same time", 2, 4);
            int failingReport = round.chance("one of them fails", 0.7) ? round.between("the failing report", 0,
                    reports - 1) : -1;
            List<Stage> stages = new ArrayList<>();
            List<List<String>> expected = new ArrayList<>();
            List<ScriptedSource> failures = new ArrayList<>();
            CountDownLatch gate = new CountDownLatch(1);
            try {
                for (int r = 0; r < reports; r++) {
                    Stage stage = new Stage("report " + (r + 1) + " of " + reports + " built at the same time");
                    stages.add(stage);
                    int count = round.between("sources of report " + (r + 1), 1, 9);
                    if (r == failingReport) {
                        failures.add(ReportBuilderTest.scriptFailure(round, stage, Math.max(2, count), round.between(
                                "failing source", 0, Math.max(2, count) - 1), Briefing.anyFailure(round, "failure",
                                "the catering service"), true, s -> {
                                }));
                        expected.add(null);
                    } else {
                        List<String> sections = Briefing.sections(round, count);
                        sections.forEach(stage::meeting);
                        expected.add(sections);
                        failures.add(null);
                    }
                }
                for (Stage stage : stages) {
                    stage.start(builder, false, gate);
                }
                gate.countDown();
                for (int r = 0; r < reports; r++) {
                    Stage stage = stages.get(r);
                    Outcome outcome = stage.outcome("Several reports were built at the same time with one builder: "
                            + "each call must keep its own sources, sections, failure and threads (rule 7)");
                    if (expected.get(r) != null) {
                        stage.assertReport(outcome, expected.get(r));
                    } else {
                        stage.assertFailedWith(outcome, failures.get(r));
                        stage.assertOthersStopped(outcome, failures.get(r));
                    }
                    stage.assertEveryThreadEnded(outcome);
                }
            } finally {
                for (Stage stage : stages) {
                    stage.close();
                }
            }
        });
    }

    @Test
    @Order(7)
    @Tag("rule-7")
    @Tag("rule-2")
    @DisplayName("never changes a report it has returned, whatever reports the same or other threads build next")
    void neverChangesAReportItReturned(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            ReportBuilder builder = new ReportBuilder();
            int callers = round.between("calling threads", 1, 3);
            int reportsEach = round.between("reports per calling thread", 3, 5);
            int failing = round.between("the report of each thread that fails", 1, reportsEach - 2);
            List<List<List<String>>> expected = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                List<List<String>> ofThread = new ArrayList<>();
                for (int r = 0; r < reportsEach; r++) {
                    List<String> sections = new ArrayList<>();
                    int count = round.between("sources of report " + r + " of thread " + c, 1, 6);
                    for (String section : Briefing.distinctSections(round, count)) {
                        sections.add(section + " (thread " + c + ", report " + r + ")");
                    }
                    ofThread.add(List.copyOf(sections));
                }
                expected.add(ofThread);
            }
            List<String> changed = Collections.synchronizedList(new ArrayList<>());
            List<List<List<String>>> kept = Collections.synchronizedList(new ArrayList<>());
            CountDownLatch allBuilt = new CountDownLatch(callers);
            CountDownLatch checkAgain = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                int caller = c;
                Thread thread = new Thread(() -> {
                    List<List<String>> returned = new ArrayList<>();
                    try {
                        for (int r = 0; r < reportsEach; r++) {
                            if (r == failing) {
                                failedReport(builder);
                            }
                            List<Source> sources = new ArrayList<>();
                            for (String section : expected.get(caller).get(r)) {
                                sources.add(() -> section);
                            }
                            returned.add(builder.fetchAll(sources));
                            for (int earlier = 0; earlier <= r; earlier++) {
                                if (!returned.get(earlier).equals(expected.get(caller).get(earlier))) {
                                    changed.add("report " + earlier + " of thread " + caller + ", read again after "
                                            + "its report " + r + ", was " + returned.get(earlier) + " where "
                                            + "fetchAll had returned " + expected.get(caller).get(earlier));
                                }
                            }
                        }
                        kept.add(returned);
                        allBuilt.countDown();
                        checkAgain.await();
                        for (int r = 0; r < reportsEach; r++) {
                            if (!returned.get(r).equals(expected.get(caller).get(r))) {
                                changed.add("report " + r + " of thread " + caller + ", read again once every "
                                        + "thread had built all its reports, was " + returned.get(r) + " where "
                                        + "fetchAll had returned " + expected.get(caller).get(r));
                            }
                        }
                    } catch (Throwable t) {
                        changed.add("thread " + caller + " failed: " + t);
                        allBuilt.countDown();
                    }
                }, "briefing desk " + c);
                threads.add(thread);
                thread.start();
            }
            boolean built = allBuilt.await(8, java.util.concurrent.TimeUnit.SECONDS);
            // Reports built on this thread too, after all the others: theirs must not change either.
            List<String> last = Briefing.distinctSections(round, round.between("sources of this thread's report", 1,
                    6));
            List<Source> lastSources = new ArrayList<>();
            last.forEach(section -> lastSources.add(() -> section));
            assertThat(builder.fetchAll(lastSources)).as("a report built after the others (rule 2)").isEqualTo(last);
            checkAgain.countDown();
            for (Thread thread : threads) {
                thread.join(JOIN_MILLIS);
            }
            assertThat(built).as("%d threads building %d reports each of sources that return at once had not "
                    + "finished after 8 s", callers, reportsEach).isTrue();
            assertThat(changed).as("reports that fetchAll had returned and that changed afterwards, when the same "
                    + "thread or another one built the next reports with the same builder: a returned report is "
                    + "the caller's and never changes; build each report in a list of its own, not in a buffer "
                    + "reused from call to call (rule 7)").isEmpty();
        });
    }

    private static final long JOIN_MILLIS = 8_000;

    /** A report whose one source fails at once: the builder must not let it touch the reports before it. */
    private static void failedReport(ReportBuilder builder) throws InterruptedException {
        try {
            builder.fetchAll(List.of(() -> "a section of a failed report", () -> {
                throw new IllegalStateException("the fuel service is down");
            }));
            throw new AssertionError("fetchAll returned a report though one of its sources threw (rule 3)");
        } catch (SourceFailedException expected) {
            // as it should
        }
    }
}

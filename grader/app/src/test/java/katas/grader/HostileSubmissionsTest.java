package katas.grader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import katas.grader.discovery.Kata;
import katas.grader.discovery.KataDiscovery;
import katas.grader.discovery.KitLayout;
import katas.grader.execution.TestRecord;
import katas.grader.execution.TestStatus;
import katas.grader.integrity.Seal;
import katas.grader.report.ReportFiles;
import katas.grader.execution.Containment;
import katas.grader.scoring.KataResult;
import katas.grader.scoring.KataStatus;
import katas.grader.parts.PartStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Submissions that try, by accident or on purpose, to break the grader. Each one is graded in the
 * same run as the others, as in a class's grading, and each must end with its own plain message
 * while the katas after it are still graded and the report is written.
 */
@DisplayName("The grader, given hostile submissions,")
class HostileSubmissionsTest {

    private static final List<String> HOSTILE = List.of("infinite-loop", "deadlock", "system-exit", "out-of-memory",
            "thread-bomb", "process-bomb", "output-flood", "fake-results", "native-output-flood",
            "reflects-into-the-fork", "shadows-the-grader", "registers-an-extension", "detaches-a-process",
            "contaminates-the-next-fork");

    @TempDir
    static Path kitDir;
    @TempDir
    static Path reports;
    @TempDir
    static Path markers;
    static GradeResult result;

    @BeforeAll
    static void gradeEveryHostileKataInOneRun() throws Exception {
        MiniKit kit = new MiniKit(kitDir);
        for (String stub : HOSTILE) {
            kit.kata(stub, stub);
        }
        kit.replace("detaches-a-process", "MARKER_PATH", markers.resolve("detached-process-wrote-this").toString());
        kit.replace("contaminates-the-next-fork", "MARKER_PATH", markers.resolve("forge-was-loaded").toString());
        kit.kata("zz-good-after-all-of-them", "good");
        kit.kata("edited-test", "good");
        kit.kata("edited-manifest", "good");
        KitLayout layout = KitLayout.of(kitDir);
        for (Kata kata : new KataDiscovery().discover(layout).katas()) {
            Seal.write(kata);
        }
        Path test = kit.exercise("edited-test").resolve("src/test/java/hostile/CalculatorTest.java");
        Files.writeString(test, Files.readString(test).replace("assertEquals(42,", "assertEquals(42 - 0,"));
        Path manifest = kit.exercise("edited-manifest").resolve("kata.json");
        Files.writeString(manifest, Files.readString(manifest).replace("\"points\": 100", "\"points\": 1"));
        // Fair play off: the rule would refuse some of these before they reach the fork, whose own
        // defences are what this test proves (refusalNamesTheRuleAndTheCall checks the rule).
        result = new Grader().grade(GradeRequest.builder().layout(layout).fairPlay(false).build(),
                new Listeners(List.of(new ReportFiles(reports, false, Map.of()))));
    }

    @Test
    @DisplayName("stops an endless loop at the test's bound and says the thread was still running")
    void stopsAnEndlessLoop() {
        TestRecord first = firstTest("infinite-loop");
        assertThat(first.status()).isEqualTo(TestStatus.TIMED_OUT);
        assertThat(first.message()).contains("did not finish within 3 s").contains("RUNNABLE");
        assertThat(secondTest("infinite-loop").status()).isEqualTo(TestStatus.PASSED);
    }

    @Test
    @DisplayName("names a deadlock cycle: which thread holds which lock and waits for which, and where")
    void namesADeadlockCycle() {
        TestRecord first = firstTest("deadlock");
        assertThat(first.status()).isEqualTo(TestStatus.TIMED_OUT);
        assertThat(first.message()).contains("DEADLOCK").contains("'other-diner'").contains("holds the lock of Object@")
                .contains("Calculator.lockBoth(Calculator.java:");
    }

    @Test
    @DisplayName("reports System.exit with where it was called, and grades the tests after it in a new JVM")
    void survivesSystemExit() {
        TestRecord first = firstTest("system-exit");
        assertThat(first.status()).isEqualTo(TestStatus.CRASHED);
        assertThat(first.message()).contains("called System.exit at Calculator.answer(Calculator.java:5)");
        assertThat(secondTest("system-exit").status()).isEqualTo(TestStatus.PASSED);
        assertThat(kata("system-exit").points()).isZero();
    }

    @Test
    @DisplayName("reports running out of memory in plain words, with the heap limit")
    void reportsOutOfMemory() {
        TestRecord first = firstTest("out-of-memory");
        assertThat(first.status()).isIn(TestStatus.FAILED, TestStatus.CRASHED);
        assertThat(first.message()).contains("ran out of memory");
        assertThat(secondTest("out-of-memory").status()).isEqualTo(TestStatus.PASSED);
    }

    @Test
    @DisplayName("stops a thread bomb at the kata's thread limit")
    void stopsAThreadBomb() {
        TestRecord first = firstTest("thread-bomb");
        assertThat(first.status()).isEqualTo(TestStatus.LIMIT_EXCEEDED);
        assertThat(first.message()).contains("created more than 50 threads");
        assertThat(secondTest("thread-bomb").status()).isEqualTo(TestStatus.PASSED);
    }

    @Test
    @DisplayName("stops a process bomb at the kata's process limit and leaves no child running")
    void stopsAProcessBomb() {
        TestRecord first = firstTest("process-bomb");
        assertThat(first.status()).isEqualTo(TestStatus.LIMIT_EXCEEDED);
        assertThat(first.message()).contains("started more than 2 child processes");
        // Each one with its parent: an escape that happens once in a while must say where the orphan went.
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("sleep 120"))
                .map(p -> p.pid() + " (parent " + p.parent().map(q -> q.pid() + " " + q.info().commandLine().orElse("?"))
                        .orElse("none") + "; this JVM is " + ProcessHandle.current().pid() + ")"))
                .as("children of the process bomb still alive").isEmpty();
    }

    @Test
    @DisplayName("cuts an output flood at the per-test limit and says so")
    void cutsAnOutputFlood() {
        TestRecord first = firstTest("output-flood");
        assertThat(first.status()).isEqualTo(TestStatus.LIMIT_EXCEEDED);
        assertThat(first.message()).contains("more than the limit of 16 KB per test");
        assertThat(first.output()).hasSizeLessThan(20 * 1024).contains("more bytes cut");
    }

    @Test
    @DisplayName("stops a flood written straight to the process's output")
    void stopsARawOutputFlood() {
        TestRecord first = firstTest("native-output-flood");
        assertThat(first.status()).isEqualTo(TestStatus.LIMIT_EXCEEDED);
        assertThat(first.message()).contains("MB straight to the console");
        assertThat(secondTest("native-output-flood").status()).isEqualTo(TestStatus.PASSED);
    }

    @Test
    @DisplayName("is not fooled by result lines printed on stdout")
    void ignoresFakeResultLines() {
        assertThat(firstTest("fake-results").status()).isEqualTo(TestStatus.FAILED);
        assertThat(firstTest("fake-results").output()).contains("\"status\":\"PASSED\"");
        assertThat(kata("fake-results").points()).isZero();
    }

    @Test
    @DisplayName("reports an edited visible test and gives its part no points")
    void reportsAnEditedVisibleTest() {
        KataResult edited = kata("edited-test");
        assertThat(edited.parts().get(0).status()).isEqualTo(PartStatus.TAMPERED);
        assertThat(edited.parts().get(0).reason()).contains("src/test/java/hostile/CalculatorTest.java");
        assertThat(edited.points()).isZero();
    }

    @Test
    @DisplayName("scores an edited kata.json 0 of 100, so that editing points can never raise a percentage")
    void distrustsAnEditedManifest() {
        KataResult edited = kata("edited-manifest");
        assertThat(edited.message()).contains("kata.json was edited");
        assertThat(edited.points()).isZero();
        assertThat(edited.max()).isEqualTo(100);
    }

    @Test
    @DisplayName("still grades the katas after all of them, and writes the report")
    void gradesTheRestAndWritesTheReport() throws Exception {
        assertThat(kata("zz-good-after-all-of-them").points()).isEqualTo(100);
        assertThat(result.katas()).hasSize(HOSTILE.size() + 3);
        assertThat(Files.readString(reports.resolve("results.json"))).contains("\"id\" : \"native-output-flood\"");
    }

    @Test
    @DisplayName("keeps reflection, Unsafe, attaching and native code out of the fork runtime, and grades honestly")
    void keepsReflectionOutOfTheForkRuntime() {
        TestRecord first = firstTest("reflects-into-the-fork");
        assertThat(first.status()).isEqualTo(TestStatus.FAILED);
        assertThat(kata("reflects-into-the-fork").points()).isZero();
        assertThat(first.output()).contains("blocked: setAccessible on EventSender.send: InaccessibleObjectException")
                .contains("blocked: setAccessible on ForkGuard's fields: InaccessibleObjectException")
                .contains("blocked: privateLookupIn ForkMain: IllegalAccessException")
                .contains("blocked: a thread's task: InaccessibleObjectException")
                .contains("blocked: attach to this JVM");
        if (Runtime.version().feature() >= 23) {
            assertThat(first.output()).doesNotContain("ATTACK SUCCEEDED");
        }
    }

    @Test
    @DisplayName("refuses learner classes outside the kata's package, naming the file, so none can stand in for the grader's")
    void refusesLookAlikeClasses() {
        KataResult shadow = kata("shadows-the-grader");
        assertThat(shadow.status()).isEqualTo(KataStatus.DOES_NOT_COMPILE);
        assertThat(shadow.message()).contains("katas/testkit/KataTest.java: declares package katas.testkit, but "
                + "your classes must be in package hostile");
        assertThat(shadow.points()).isZero();
    }

    @Test
    @DisplayName("loads no extension from a services file among the learner's resources")
    void ignoresAnExtensionOfTheLearners() {
        TestRecord first = firstTest("registers-an-extension");
        assertThat(first.status()).isEqualTo(TestStatus.FAILED);
        assertThat(first.output()).doesNotContain("FORGED");
        assertThat(kata("registers-an-extension").points()).isZero();
    }

    @Test
    @DisplayName("stops a process the learner's code detaches (setsid, double fork) before the grade is over")
    void stopsADetachedProcess() throws Exception {
        assumeTrue(Containment.get().limitation().isEmpty(), Containment.get().limitation());
        assertThat(kata("detaches-a-process").notes()).anyMatch(n -> n.contains("child process(es) running; the "
                + "grader stopped them"));
        Thread.sleep(12_000); // the process would write 10 s after it started, if it still ran
        assertThat(markers.resolve("detached-process-wrote-this")).as("written by a process that outlived its grade")
                .doesNotExist();
    }

    @Test
    @DisplayName("gives the next fork the classes as compiled, whatever the last one planted among them")
    void restoresWhatTheNextForkLoads() {
        assertThat(firstTest("contaminates-the-next-fork").status()).isEqualTo(TestStatus.CRASHED);
        assertThat(secondTest("contaminates-the-next-fork").status()).isEqualTo(TestStatus.PASSED);
        assertThat(markers.resolve("forge-was-loaded")).as("the planted extension was loaded").doesNotExist();
        assertThat(kata("contaminates-the-next-fork").points()).isZero();
    }

    private static KataResult kata(String id) {
        return result.katas().stream().filter(k -> k.id().equals(id)).findFirst().orElseThrow();
    }

    private static TestRecord firstTest(String id) {
        return test(id, "a_answersFortyTwo");
    }

    private static TestRecord secondTest(String id) {
        return test(id, "b_stillRunsAfterTheFirstTest");
    }

    private static TestRecord test(String id, String method) {
        return kata(id).parts().get(0).tests().stream().filter(t -> t.name().contains(method)).findFirst()
                .orElseThrow(() -> new AssertionError(id + " has no test " + method + ": " + kata(id)));
    }
}

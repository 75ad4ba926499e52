package katas.grader;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import katas.grader.discovery.Kata;
import katas.grader.discovery.KataDiscovery;
import katas.grader.discovery.KitLayout;
import katas.grader.execution.TestRecord;
import katas.grader.execution.TestStatus;
import katas.grader.integrity.Seal;
import katas.grader.scoring.KataResult;
import katas.testkit.KataTest;
import katas.testkit.TimeBound;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fail-fast grade that is told which test to run first runs it before the others, and only then them. */
@KataTest
@TimeBound(seconds = 120)
@DisplayName("A grade given tests to run first")
class FirstTestsTest {

    private static final String SECOND_TEST =
            "[engine:junit-jupiter]/[class:hostile.CalculatorTest]/[method:b_stillRunsAfterTheFirstTest()]";

    @Test
    @DisplayName("runs them before all others, then the others in their usual order, and stops at the first failure")
    void runsThemFirst(@TempDir Path dir) throws Exception {
        Map<String, TestStatus> usual = statuses(dir.resolve("usual"), List.of());
        assertThat(usual).containsEntry("a_answersFortyTwo", TestStatus.FAILED)
                .containsEntry("b_stillRunsAfterTheFirstTest", TestStatus.NOT_RUN);
        Map<String, TestStatus> first = statuses(dir.resolve("first"), List.of(SECOND_TEST));
        assertThat(first).containsEntry("b_stillRunsAfterTheFirstTest", TestStatus.PASSED)
                .containsEntry("a_answersFortyTwo", TestStatus.FAILED);
    }

    @Test
    @DisplayName("ignores a test to run first that does not exist, and runs every test as usual")
    void ignoresATestThatDoesNotExist(@TempDir Path dir) throws Exception {
        Map<String, TestStatus> stale = statuses(dir, List.of(SECOND_TEST.replace("b_still", "renamed")));
        assertThat(stale).containsEntry("a_answersFortyTwo", TestStatus.FAILED)
                .containsEntry("b_stillRunsAfterTheFirstTest", TestStatus.NOT_RUN);
    }

    /** Fail-fast grades of a stub that fails the first of its two tests: each test's status by method name. */
    private static Map<String, TestStatus> statuses(Path dir, List<String> firstTests) throws Exception {
        MiniKit kit = new MiniKit(dir).kata("two-tests", "fake-results");
        KitLayout layout = KitLayout.of(kit.root());
        for (Kata kata : new KataDiscovery().discover(layout).katas()) {
            Seal.write(kata);
        }
        KataResult result = new Grader().grade(GradeRequest.builder().layout(layout).failFast(true)
                .firstTests(firstTests).build(), new Listeners(List.of())).katas().get(0);
        return result.parts().stream().flatMap(p -> p.tests().stream())
                .collect(Collectors.toMap(FirstTestsTest::method, TestRecord::status));
    }

    private static String method(TestRecord test) {
        return test.id().replaceAll(".*\\[method:([^(]*)\\(.*", "$1");
    }
}

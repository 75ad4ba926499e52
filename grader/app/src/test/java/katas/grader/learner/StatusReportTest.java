package katas.grader.learner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import katas.grader.discovery.Catalog;
import katas.grader.discovery.Kata;
import katas.grader.discovery.KataManifest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("./grade status")
class StatusReportTest {

    private static final Instant AT = Instant.parse("2026-11-30T16:02:05Z");

    @TempDir
    Path kit;

    private Kata kata(String id, int order) throws Exception {
        Path dir = kit.resolve("exercises").resolve(id);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("README.md"), "## Hints\n\n<details><summary>Hint 1: a</summary>a</details>\n"
                + "<details><summary>Hint 2: b</summary>b</details>\n");
        return new Kata(new KataManifest(id, id, order, "t", "s", "p", List.of(Results.VISIBLE), null), dir,
                kit.resolve("solutions").resolve(id), kit.resolve("hidden").resolve(id), List.of(), List.of(), List.of());
    }

    private String status(GradeState state) throws Exception {
        Catalog catalog = new Catalog(List.of(kata("start-and-join", 1), kata("fix-the-race", 2),
                kata("break-the-deadlock", 3), kata("parallel-primes", 4)), Map.of("broken-kata", "kata.json: bad"));
        StringWriter out = new StringWriter();
        new StatusReport(new PrintWriter(out, true), ZoneOffset.UTC, false).print(catalog, state);
        return out.toString();
    }

    @Test
    @DisplayName("lists every kata in teaching order with its last score, solved or not, and the next one to do")
    void listsEveryKata() throws Exception {
        GradeState state = GradeState.empty().withGrade(Results.kata("start-and-join", 40, 60), AT)
                .withGrade(Results.kata("fix-the-race", 40, 12), AT).withHintsShown("fix-the-race", 1)
                .withGrade(Results.kata("parallel-primes", 0, 0), AT);

        assertThat(status(state)).isEqualTo("""
                Your katas, in teaching order (the last grade of each in this checkout):

                 + 1. start-and-join         100/100  solved, 2026-11-30 16:02
                 ~ 2. fix-the-race            52/100  not solved yet, 2026-11-30 16:02, 1 of 2 hints seen
                   3. break-the-deadlock           -  not graded yet
                 x 4. parallel-primes          0/100  not solved yet, 2026-11-30 16:02
                 !    broken-kata            cannot be read: kata.json: bad

                Progress: [#####>--------------] 1/4 katas solved
                Next: fix-the-race: read exercises/fix-the-race/README.md, then run ./grade fix-the-race (stuck? ./grade hint fix-the-race)
                """);
    }

    @Test
    @DisplayName("right-aligns the numbers past kata 9, so that the names stay in one column")
    void alignsTwoDigitNumbers() throws Exception {
        Catalog catalog = new Catalog(List.of(kata("start-and-join", 1), kata("async-rate-limiter", 12)),
                Map.of("broken-kata", "kata.json: bad"));
        StringWriter out = new StringWriter();
        new StatusReport(new PrintWriter(out, true), ZoneOffset.UTC, false).print(catalog, GradeState.empty());

        assertThat(out.toString()).contains("""
                    1. start-and-join               -  not graded yet
                   12. async-rate-limiter           -  not graded yet
                 !     broken-kata            cannot be read: kata.json: bad
                """);
    }

    @Test
    @DisplayName("calls a kata solved on every part graded here solved, when the hidden tests are not in the checkout")
    void solvedWithoutHiddenTests() throws Exception {
        GradeState state = GradeState.empty().withGrade(Results.solvedWithoutHiddenTests("start-and-join"), AT);

        assertThat(status(state)).contains(" + 1. start-and-join          40/100  solved on every part graded here")
                .contains("Next: fix-the-race:");
    }

    @Test
    @DisplayName("starts from nothing on a fresh checkout, and says well done when every kata is solved")
    void freshAndDone() throws Exception {
        assertThat(status(GradeState.empty())).contains("0/4 katas solved").contains("Next: start-and-join:");

        GradeState all = GradeState.empty();
        for (String id : List.of("start-and-join", "fix-the-race", "break-the-deadlock", "parallel-primes")) {
            all = all.withGrade(Results.kata(id, 40, 60), AT);
        }
        assertThat(status(all)).contains("Progress: [####################] 4/4 katas solved")
                .contains("Next: every kata is solved. Well done.");
    }
}

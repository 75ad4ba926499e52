package katas.grader.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import katas.grader.GradeResult;
import katas.grader.Machine;
import katas.grader.execution.TestRecord;
import katas.grader.execution.TestStatus;
import katas.grader.parts.PartScore;
import katas.grader.parts.PartStatus;
import katas.grader.scoring.KataResult;
import katas.grader.scoring.KataStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The Markdown summary")
class MarkdownSummaryTest {

    private final String md = MarkdownSummary.render(Grades.everything());

    @Test
    @DisplayName("Has a title with the total and a machine line naming cores, JDK, OS and the hidden tests")
    void titleAndMachine() {
        assertThat(md).startsWith("# Concurrency katas: 249/400 points\n");
        assertThat(md).contains("on 2 cores, JDK Eclipse Adoptium 25.0.3, Linux 6.18 amd64; hidden tests present; "
                + "KATA_CORES not set");
    }

    @Test
    @DisplayName("Names the KATA_CORES the speedup targets assumed, and says when the hidden tests are missing")
    void coresAssumedAndNoHiddenTests() {
        GradeResult result = new GradeResult(Grades.everything().startedAt(), 1, new Machine(2, "JDK", "OS"),
                "exercise", false, 4, 4242, List.of(Grades.full()));

        assertThat(MarkdownSummary.render(result)).contains("hidden tests **not in this checkout**")
                .contains("speedup targets assume KATA_CORES=4");
    }

    @Test
    @DisplayName("Warns that on one core races rarely show, so a pass proves little")
    void warnsOnOneCore() {
        GradeResult result = new GradeResult(Grades.everything().startedAt(), 1, new Machine(1, "JDK", "OS"),
                "exercise", true, 0, 4242, List.of(Grades.full()));

        assertThat(MarkdownSummary.render(result)).contains("on 1 core, JDK").contains("races and deadlocks rarely show");
    }

    @Test
    @DisplayName("Has a table with one row per kata: mark, points, parts and the first reason lost")
    void table() {
        List<String> rows = md.lines().filter(l -> l.startsWith("| ")).toList();

        assertThat(rows).hasSize(2 + 5);
        assertThat(rows.get(0)).isEqualTo("| Kata | Points | Parts | First reason lost |");
        assertThat(rows.get(2)).isEqualTo("| ✅ fix-the-race | 100/100 | visible 40/40, hidden 60/60 |  |");
        assertThat(rows.get(4)).startsWith("| 🟡 parallel-primes | 78/100 | tests 50/50, speedup 28/50 | measured");
        assertThat(rows.get(5)).isEqualTo("| ❌ break-the-deadlock | 0/100 | does not compile | "
                + "Account.java:12: error: ';' expected |");
        assertThat(rows.get(6)).isEqualTo("| ❌ broken-kata | 0/0 | the kata cannot be read | "
                + "kata.json: unknown field \"pionts\" |");
    }

    @Test
    @DisplayName("Escapes pipes and Markdown in table cells, so a message cannot add columns or inject HTML")
    void escapesCells() {
        String row = md.lines().filter(l -> l.startsWith("| 🟡 bank-account")).findFirst().orElseThrow();

        assertThat(row).contains("expected \\| 100 \\| but was \\| 99 \\| \\*lost\\* \\<script\\>alert(1)\\</script\\>");
        // Exactly the table's five separators are left unescaped.
        assertThat(row.replace("\\|", "").chars().filter(c -> c == '|').count()).isEqualTo(5);
    }

    @Test
    @DisplayName("Folds each kata into a details section listing every lost test with its message")
    void details() {
        assertThat(md.split("<details>", -1)).hasSize(1 + 5);
        assertThat(md).contains("<details><summary>🟡 <b>bank-account</b>: 71/100 — Bank | account</summary>\n\n");
        assertThat(md).contains("- BankAccount \\> under contention \\> is never overdrawn: expected \\| 100");
        assertThat(md).contains("- BankAccount \\> transfers \\> both ways: did not finish within 5 s");
        assertThat(md).contains("**Visible tests**: 26/40. 1 of 3 tests did not pass\n\n");
        assertThat(md).contains("- HANG in BankAccount \\> transfers \\> both ways: deadlock: Thread-1 holds A, wants B\n"
                + "  ```text\n    Thread-1 holds A, waits for B\n    Thread-2 holds B, waits for A\n  ```\n");
        assertThat(md).contains("**Notes**\n\n- the visible tests could not be verified against the kit");
    }

    @Test
    @DisplayName("Shows output in a code block whose fence the output cannot close, without terminal colour codes")
    void outputBlock() {
        assertThat(md).contains("  ````text\n  Expecting actual:\n    -10L\n  --- output ---\n  withdrawing 10\n  ```\n"
                + "  not a fence\n  ```\n  red\n  ````\n");
    }

    @Test
    @DisplayName("Shows the speedup with its target, cores and spread")
    void speedup() {
        assertThat(md).contains("**Speedup**: 28/50, 1.45x on 2 cores (target 1.80x, spread 0.12 over 3 pairs). "
                + "measured 1.45x, 0.35x short of the 1.80x target");
    }

    @Test
    @DisplayName("Shows the compiler's message for code that does not compile")
    void compilerMessage() {
        assertThat(md).contains("**does not compile**\n\n```text\nAccount.java:12: error: ';' expected\n");
    }

    @Test
    @DisplayName("Shows the whole message of every lost test, not only of the first few, and output of the first few")
    void everyMessageWhole() {
        List<TestRecord> lost = java.util.stream.IntStream.rangeClosed(1, 6)
                .mapToObj(n -> Grades.failed("Bank > shape " + n, TestStatus.FAILED,
                        "these tellers wait in a circle:\n  cycle of shape " + n, "printed by " + n))
                .toList();
        KataResult kata = new KataResult("break-the-deadlock", "Break the deadlock", "exercise", KataStatus.GRADED,
                null, List.of(new PartScore(Grades.VISIBLE, PartStatus.NONE, 0, "lost", lost, null)), List.of(),
                List.of(), 100, List.of());

        String summary = MarkdownSummary.render(Grades.grade(kata));

        assertThat(summary).contains("cycle of shape 1").contains("cycle of shape 6")
                .contains("printed by 3").doesNotContain("printed by 4");
    }

    @Test
    @DisplayName("Never cuts a line, however long: its end is often what matters")
    void neverCutsALine() {
        String frame = "it waits at Bank.transfer(Bank.java:31) " + "x".repeat(300) + " the end";
        var test = Grades.failed("Bank > transfers", katas.grader.execution.TestStatus.FAILED,
                "DEADLOCK:\n" + frame, null);
        var kata = new katas.grader.scoring.KataResult("k", "K", "exercise", katas.grader.scoring.KataStatus.GRADED,
                null, List.of(new katas.grader.parts.PartScore(Grades.VISIBLE, katas.grader.parts.PartStatus.NONE, 0,
                        "lost", List.of(test), null)), List.of(), List.of(), 1, List.of());

        assertThat(MarkdownSummary.render(Grades.grade(kata))).contains("  " + frame + "\n");
    }
}

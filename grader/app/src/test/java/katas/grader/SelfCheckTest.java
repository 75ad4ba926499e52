package katas.grader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import katas.grader.discovery.Kata;
import katas.grader.discovery.KataDiscovery;
import katas.grader.discovery.KitLayout;
import katas.grader.integrity.Seal;
import katas.grader.selfcheck.SelfCheck;
import katas.testkit.KataTest;
import katas.testkit.TimeBound;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The self-check must pass a sound kata and name every broken promise of a broken one. */
@KataTest
@TimeBound(seconds = 300)
@DisplayName("The self-check")
class SelfCheckTest {

    private static final String FIRST_TEST =
            "[engine:junit-jupiter]/[class:hostile.CalculatorTest]/[method:a_answersFortyTwo()]";

    @Test
    @DisplayName("passes a kata whose stub fails, whose solution passes and whose mutants are all caught")
    void passesASoundKata(@TempDir Path dir) throws Exception {
        MiniKit kit = soundKit(dir);
        Outcome outcome = selfCheck(kit);
        assertThat(outcome.kept()).as(outcome.text()).isTrue();
        assertThat(outcome.text()).contains("sound").contains("solution 1 grades, 0 false failures")
                .contains("mutants caught 3/3").contains("rule 1, The answer is 42: 2 tests");
    }

    @Test
    @DisplayName("records the test that stopped each mutant, for the next check to run first, and forgets mutants "
            + "that are gone")
    void recordsTheTestThatStoppedEachMutant(@TempDir Path dir) throws Exception {
        MiniKit kit = soundKit(dir);
        Path record = kit.root().resolve("solutions/sound/mutant-first-failures.tsv");
        Files.writeString(record, "gone\t[engine:junit-jupiter]/[class:hostile.CalculatorTest]/[method:x()]\n"
                + "not a line of the record\n");
        Outcome outcome = selfCheck(kit);
        assertThat(outcome.kept()).as(outcome.text()).isTrue();
        assertThat(Files.readAllLines(record)).containsExactly(
                "deadlock\t" + FIRST_TEST, "fake-results\t" + FIRST_TEST, "system-exit\t" + FIRST_TEST);
        Outcome again = selfCheck(kit);
        assertThat(again.kept()).as(again.text()).isTrue();
        assertThat(Files.readAllLines(record)).hasSize(3);
    }

    @Test
    @DisplayName("names the kata and the broken promise: a stub that earns points, a surviving mutant, too few "
            + "mutants, no README, no seal")
    void namesEveryBrokenPromise(@TempDir Path dir) throws Exception {
        MiniKit kit = new MiniKit(dir).kata("too-easy", "good")
                .withInstructorMaterial("too-easy", "good", "fake-results", "good-too");
        Outcome outcome = selfCheck(kit);
        assertThat(outcome.kept()).isFalse();
        assertThat(outcome.text())
                .contains("too-easy: the untouched stub earns 100 points in part 'visible'")
                .contains("too-easy: the stub passes every visible test")
                .contains("too-easy: mutant good-too (good-too) survived run 1: no test failed in part visible")
                .contains("too-easy: has 2 mutants; the contract asks for at least 3")
                .contains("too-easy: has no README.md")
                .contains("too-easy: the seal of its visible tests");
    }

    @Test
    @DisplayName("in the soak, proves every part a mutant must lose, each with a fail-fast grade of its own, since a "
            + "fail-fast grade stops at the first failure of any part")
    void provesEveryPartAMutantMustLose(@TempDir Path dir) throws Exception {
        MiniKit kit = new MiniKit(dir).kata("two-parts", "fake-results")
                .withInstructorMaterial("two-parts", "good", "fake-results", "deadlock", "good-too")
                .withReadme("two-parts").withHiddenPart("two-parts")
                .mustLose("two-parts", "fake-results", "visible, hidden")
                .mustLose("two-parts", "deadlock", "hidden, visible")
                .mustLose("two-parts", "good-too", "visible, hidden");
        seal(kit);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // Two runs of each mutant: the soak, which proves every named part (the test command, the first).
        new SelfCheck(KitLayout.of(kit.root()), 1, 2, OptionalInt.empty(),
                new PrintStream(bytes, true, StandardCharsets.UTF_8)).minimumMutants(3).kataBudget(Duration.ofMinutes(10))
                .run(List.of());
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("mutants caught 2/3 (4/6 grades)")
                .contains("two-parts: mutant good-too (good-too) survived run 1: no test failed in part visible, hidden")
                .doesNotContain("mutant fake-results (").doesNotContain("mutant deadlock (");
    }

    @Test
    @DisplayName("names a kata whose check goes over its time budget, with the time it took")
    void namesAKataOverBudget(@TempDir Path dir) throws Exception {
        MiniKit kit = new MiniKit(dir).kata("slow", "fake-results")
                .withInstructorMaterial("slow", "good", "fake-results")
                .withReadme("slow");
        seal(kit);
        Outcome outcome = selfCheck(kit, Duration.ofMillis(1));
        assertThat(outcome.kept()).isFalse();
        assertThat(outcome.text()).containsPattern("slow: its contract check took [0-9.]+ s, over the budget of 3 ms \\(SelfCheck"
                + ".KATA_BUDGET x 3 for a kata that starts processes\\)");
    }

    @Test
    @DisplayName("gives a kata more time on a busy machine: twice its budget when two side-by-side grades get one "
            + "core's worth of CPU")
    void scalesTheBudgetToABusyMachine(@TempDir Path dir) throws Exception {
        MiniKit kit = new MiniKit(dir).kata("busy", "fake-results")
                .withInstructorMaterial("busy", "good", "fake-results")
                .withReadme("busy");
        seal(kit);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean kept = new SelfCheck(KitLayout.of(kit.root()), 1, 1, OptionalInt.empty(),
                new PrintStream(bytes, true, StandardCharsets.UTF_8)).minimumMutants(1).kataBudget(Duration.ofMillis(1))
                .jobs(2).capacity(threads -> 1.0).run(List.of());
        assertThat(kept).isFalse();
        assertThat(bytes.toString(StandardCharsets.UTF_8))
                .containsPattern("busy: its contract check took [0-9.]+ s, over the budget of 3 ms "
                        + "\\(SelfCheck.KATA_BUDGET x 3 for a kata that starts processes\\) x 2.00 for a busy machine");
    }

    /** A kata whose stub fails, whose solution passes and whose three mutants are caught, sealed. */
    private static MiniKit soundKit(Path dir) throws Exception {
        MiniKit kit = new MiniKit(dir).kata("sound", "fake-results")
                .withInstructorMaterial("sound", "good", "fake-results", "system-exit", "deadlock")
                .withReadme("sound");
        seal(kit);
        return kit;
    }

    private static void seal(MiniKit kit) throws Exception {
        for (Kata kata : new KataDiscovery().discover(KitLayout.of(kit.root())).katas()) {
            Seal.write(kata);
        }
    }

    private record Outcome(boolean kept, String text) {
    }

    private static Outcome selfCheck(MiniKit kit) throws Exception {
        // These tests are not about time: a busy machine must not fail them.
        return selfCheck(kit, Duration.ofMinutes(10));
    }

    private static Outcome selfCheck(MiniKit kit, Duration budget) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean kept = new SelfCheck(KitLayout.of(kit.root()), 1, 1, OptionalInt.empty(),
                new PrintStream(bytes, true, StandardCharsets.UTF_8)).minimumMutants(3).kataBudget(budget).run(List.of());
        return new Outcome(kept, bytes.toString(StandardCharsets.UTF_8));
    }
}

package katas.grader.learner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("./grade hint")
class HintGiverTest {

    private static final String README = """
            # Kata 2: fix-the-race

            ## Run it

            <details><summary>Not a hint: outside the Hints section</summary>
            nothing
            </details>

            ## Hints

            <details><summary>Hint 1: where is the race?</summary>

            `hits++` is three steps: read `hits`, add one, write it back. Two threads can both read 41 and
            both write 42.
            </details>

            <details><summary>Hint 2: make the steps one</summary>

            Use a lock.

            Or an atomic:
            ```
            counter.incrementAndGet();
            ```
            </details>

            <details><summary>Hint 3: the account</summary>
            Check and debit together.
            </details>

            ## Further reading
            """;

    @TempDir
    Path kit;
    private Path readme;
    private StringWriter out;
    private StringWriter err;

    @BeforeEach
    void writeReadme() throws Exception {
        readme = kit.resolve("exercises/fix-the-race/README.md");
        Files.createDirectories(readme.getParent());
        Files.writeString(readme, README);
    }

    private String hint(boolean again) throws Exception {
        out = new StringWriter();
        err = new StringWriter();
        new HintGiver(new StateFile(kit), new PrintWriter(out, true), new PrintWriter(err, true), 60)
                .give("fix-the-race", readme, again);
        return out.toString();
    }

    @Test
    @DisplayName("reads the hints of the README's Hints section only, each with its title and text")
    void readsTheHintsSection() throws Exception {
        List<Hints.Hint> hints = Hints.read(readme);

        assertThat(hints).extracting(Hints.Hint::title)
                .containsExactly("where is the race?", "make the steps one", "the account");
        assertThat(hints.get(2).body()).isEqualTo("Check and debit together.");
        assertThat(Hints.read(kit.resolve("no/README.md"))).isEmpty();
    }

    @Test
    @DisplayName("shows one hint per call, numbered, wrapped to the terminal, and says how many are left")
    void oneHintPerCall() throws Exception {
        assertThat(hint(false)).isEqualTo("""
                fix-the-race, hint 1 of 3: where is the race?

                  `hits++` is three steps: read `hits`, add one, write it
                  back. Two threads can both read 41 and both write 42.

                2 hints left: ./grade hint fix-the-race shows the next; --again repeats this one.
                """);
        assertThat(hint(false)).startsWith("fix-the-race, hint 2 of 3: make the steps one\n\n  Use a lock.\n\n"
                        + "  Or an atomic:\n  ```\n  counter.incrementAndGet();\n  ```\n")
                .endsWith("1 hint left: ./grade hint fix-the-race shows the next; --again repeats this one.\n");
        assertThat(hint(false)).startsWith("fix-the-race, hint 3 of 3: the account\n")
                .endsWith("That was the last hint of fix-the-race (./grade hint fix-the-race --again repeats it).\n");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    @DisplayName("says clearly when no hint is left, and where they all are")
    void saysWhenNoneIsLeft() throws Exception {
        hint(false);
        hint(false);
        hint(false);

        assertThat(hint(false)).isEqualTo("No hints left for fix-the-race: you have seen all 3. ./grade hint "
                + "fix-the-race --again shows hint 3 once more; all of them are under \"Hints\" in "
                + "exercises/fix-the-race/README.md.\n");
    }

    @Test
    @DisplayName("--again repeats the last hint shown without moving on, and says so when none was shown")
    void againRepeats() throws Exception {
        assertThat(hint(true)).isEqualTo("No hint of fix-the-race shown yet: ./grade hint fix-the-race shows hint 1 of 3.\n");
        hint(false);

        assertThat(hint(true)).startsWith("fix-the-race, hint 1 of 3: where is the race?\n")
                .endsWith("Next: ./grade hint fix-the-race shows hint 2 of 3.\n");
        assertThat(hint(false)).startsWith("fix-the-race, hint 2 of 3");
    }

    @Test
    @DisplayName("remembers the hints shown per kata, in the state file, next to the grades")
    void remembersPerKata() throws Exception {
        new StateFile(kit).save(GradeState.empty().withHintsShown("break-the-deadlock", 4)
                .withGrade(Results.kata("fix-the-race", 40, 0), java.time.Instant.EPOCH));
        hint(false);

        GradeState state = new StateFile(kit).load().state();
        assertThat(state.hintsShown()).containsExactlyInAnyOrderEntriesOf(
                java.util.Map.of("fix-the-race", 1, "break-the-deadlock", 4));
        assertThat(state.grades()).containsOnlyKeys("fix-the-race");
    }

    @Test
    @DisplayName("starts afresh, saying so, when the state file is malformed")
    void malformedState() throws Exception {
        Files.createDirectories(kit.resolve(".grade-state"));
        Files.writeString(kit.resolve(".grade-state/state.json"), "{ \"hintsShown\": ");

        assertThat(hint(false)).startsWith("fix-the-race, hint 1 of 3");
        assertThat(err.toString()).startsWith("grade: could not read .grade-state/state.json");
        assertThat(hint(false)).startsWith("fix-the-race, hint 2 of 3");
    }

    @Test
    @DisplayName("says so when the README has no hints")
    void noHints() throws Exception {
        Files.writeString(readme, "# A kata\n\n## Story\n");

        assertThat(hint(false)).startsWith("fix-the-race has no hints: its README");
    }
}

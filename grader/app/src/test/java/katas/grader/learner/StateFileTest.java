package katas.grader.learner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The state file .grade-state/state.json")
class StateFileTest {

    private static final Instant NOW = Instant.parse("2026-11-30T16:02:05Z");

    @TempDir
    Path kit;

    private Path file() {
        return kit.resolve(".grade-state/state.json");
    }

    @Test
    @DisplayName("is a fresh start, without a word, when it does not exist")
    void missingIsAFreshStart() {
        StateFile.Loaded loaded = new StateFile(kit).load();

        assertThat(loaded.state()).isEqualTo(GradeState.empty());
        assertThat(loaded.problem()).isNull();
    }

    @Test
    @DisplayName("gives back the grades and hints it was given")
    void roundTrip() throws Exception {
        GradeState state = GradeState.empty().withGrade(Results.kata("fix-the-race", 40, 12), NOW)
                .withGrade(Results.solvedWithoutHiddenTests("start-and-join"), NOW).withHintsShown("fix-the-race", 2);
        new StateFile(kit).save(state);

        StateFile.Loaded loaded = new StateFile(kit).load();
        assertThat(loaded.problem()).isNull();
        assertThat(loaded.state()).isEqualTo(state);
        assertThat(loaded.state().grades().get("start-and-join"))
                .isEqualTo(new GradeState.LastGrade(40, 100, true, false, NOW));
        assertThat(Files.list(file().getParent())).containsExactly(file());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "{ not json", "[1, 2, 3]", "null", "\u0000\u0001binary"})
    @DisplayName("is a fresh start with a one-line message when it is not a JSON object")
    void malformedIsAFreshStartWithAMessage(String content) throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), content);

        StateFile.Loaded loaded = new StateFile(kit).load();

        assertThat(loaded.state()).isEqualTo(GradeState.empty());
        assertThat(loaded.problem()).startsWith("could not read .grade-state/state.json (")
                .contains("starting afresh").doesNotContain("\n");
    }

    @Test
    @DisplayName("is a fresh start when it is a folder, or far too large")
    void unreadableIsAFreshStart() throws Exception {
        Files.createDirectories(file());
        assertThat(new StateFile(kit).load().problem()).contains("starting afresh");

        Files.delete(file());
        Files.write(file(), new byte[(1 << 20) + 1]);
        assertThat(new StateFile(kit).load().problem()).contains("larger than 1 MB");
    }

    @Test
    @DisplayName("drops each entry that makes no sense, and keeps the others")
    void dropsNonsenseEntries() throws Exception {
        Files.createDirectories(file().getParent());
        Files.writeString(file(), """
                { "grades": {
                    "fix-the-race": { "points": 40, "max": 100, "solved": true, "complete": false, "gradedAt": "2026-11-30T16:02:05Z" },
                    "over-the-top": { "points": 500, "max": 100, "solved": true, "complete": true, "gradedAt": "2026-11-30T16:02:05Z" },
                    "../escape": { "points": 1, "max": 100, "solved": false, "complete": false, "gradedAt": "2026-11-30T16:02:05Z" },
                    "no-date": { "points": 1, "max": 100, "solved": false, "complete": false, "gradedAt": "yesterday" },
                    "a-string": { "points": "40", "max": 100, "solved": true, "complete": false, "gradedAt": "2026-11-30T16:02:05Z" },
                    "not-an-object": 7 },
                  "hintsShown": { "fix-the-race": 2, "negative": -1, "text": "3" } }
                """);

        StateFile.Loaded loaded = new StateFile(kit).load();

        assertThat(loaded.problem()).isNull();
        assertThat(loaded.state().grades()).containsOnlyKeys("fix-the-race");
        assertThat(loaded.state().hintsShown()).containsExactlyEntriesOf(java.util.Map.of("fix-the-race", 2));
    }

    @Test
    @DisplayName("replaces a link put in its place instead of writing through it")
    void replacesALink(@TempDir Path elsewhere) throws Exception {
        Path target = elsewhere.resolve("precious.txt");
        Files.writeString(target, "keep me");
        Files.createDirectories(file().getParent());
        Files.createSymbolicLink(file(), target);

        new StateFile(kit).save(GradeState.empty().withHintsShown("fix-the-race", 1));

        assertThat(target).hasContent("keep me");
        assertThat(Files.isSymbolicLink(file())).isFalse();
        assertThat(new StateFile(kit).load().state().hintsShown("fix-the-race")).isEqualTo(1);
    }

    @Test
    @DisplayName("keeps, at the end of a grade, the grades read before it: what the code under grading wrote there goes")
    void theRecorderIgnoresWhatTheGradedCodeWrote() throws Exception {
        StateFile file = new StateFile(kit);
        file.save(GradeState.empty().withGrade(Results.kata("start-and-join", 40, 60), NOW));
        GradeState before = file.load().state();
        // While grading, the learner's code forges a full score for another kata, and a hint is shown elsewhere.
        file.save(before.withGrade(Results.kata("break-the-deadlock", 40, 60), NOW).withHintsShown("fix-the-race", 1));
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        new StateRecorder(file, before, Clock.fixed(NOW.plusSeconds(60), ZoneOffset.UTC),
                new PrintStream(err, true, StandardCharsets.UTF_8))
                .gradingFinished(Results.grade(Results.kata("fix-the-race", 40, 12)));

        GradeState after = file.load().state();
        assertThat(after.grades()).containsOnlyKeys("start-and-join", "fix-the-race");
        assertThat(after.grades().get("fix-the-race"))
                .isEqualTo(new GradeState.LastGrade(52, 100, false, false, NOW.plusSeconds(60)));
        assertThat(after.hintsShown("fix-the-race")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    @DisplayName("warns, and changes no grade, when the grade cannot be remembered")
    void warnsWhenItCannotWrite() throws Exception {
        // A folder, with something in it, where the file should be: nothing can be moved over it.
        Files.createDirectories(file().resolve("in-the-way"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        new StateRecorder(new StateFile(kit), GradeState.empty(), Clock.systemUTC(),
                new PrintStream(err, true, StandardCharsets.UTF_8))
                .gradingFinished(Results.grade(Results.kata("fix-the-race", 40, 60)));

        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("warning: could not remember this grade in ")
                .contains("the grades are unaffected");
    }
}

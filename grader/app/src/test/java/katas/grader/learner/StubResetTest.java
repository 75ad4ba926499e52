package katas.grader.learner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import katas.grader.discovery.Kata;
import katas.grader.discovery.KataManifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("./grade reset")
class StubResetTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T16:02:05Z"), ZoneOffset.UTC);
    private static final String STUB = "class Counter { void increment() { hits++; } // TODO: lost updates }\n";
    private static final String MINE = "class Counter { synchronized void increment() { hits++; } }\n";

    @TempDir
    Path kit;
    private Kata kata;
    private Path counter;
    private final StringWriter out = new StringWriter();

    @BeforeEach
    void kit() throws Exception {
        Path dir = kit.resolve("exercises/fix-the-race");
        counter = dir.resolve("src/main/java/katas/Counter.java");
        Files.createDirectories(counter.getParent());
        Files.writeString(counter, STUB);
        kata = new Kata(new KataManifest("fix-the-race", "Fix the race", 2, "t", "s", "katas", List.of(Results.VISIBLE),
                null), dir, kit.resolve("solutions/fix-the-race"), kit.resolve("hidden"), List.of(), List.of(), List.of());
    }

    private void git(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-c", "user.name=Learner", "-c",
                "user.email=learner@example.org", "-c", "commit.gpgsign=false", "-C", kit.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(output).isZero();
    }

    private void commitTheKit() throws Exception {
        git("init", "-q");
        Files.writeString(kit.resolve(".gitignore"), "/.grade-state/\n");
        git("add", "-A");
        git("commit", "-q", "-m", "The kit");
    }

    private StubReset reset() {
        return new StubReset(kit, CLOCK, new PrintWriter(out, true));
    }

    @Test
    @DisplayName("puts the committed stub back, after copying the learner's files, new ones too, to a dated folder")
    void putsTheStubBack() throws Exception {
        commitTheKit();
        Files.writeString(counter, MINE);
        Path helper = counter.resolveSibling("Helper.java");
        Files.writeString(helper, "class Helper {}\n");

        reset().reset(kata, "HEAD");

        assertThat(counter).hasContent(STUB);
        assertThat(helper).doesNotExist();
        Path saved = kit.resolve(".grade-state/saved/fix-the-race-2026-11-30-160205/src/main/java/katas");
        assertThat(saved.resolve("Counter.java")).hasContent(MINE);
        assertThat(saved.resolve("Helper.java")).hasContent("class Helper {}");
        assertThat(out.toString()).startsWith("Put back the stub of fix-the-race: exercises/fix-the-race/src/main as "
                        + "committed in HEAD (")
                .contains("Your version is kept in .grade-state/saved/fix-the-race-2026-11-30-160205/ (to bring it "
                        + "back: cp -R .grade-state/saved/fix-the-race-2026-11-30-160205/src/main exercises/fix-the-race/src/).");
    }

    @Test
    @DisplayName("never overwrites an earlier saved copy made in the same second")
    void neverOverwritesASavedCopy() throws Exception {
        commitTheKit();
        Files.writeString(counter, MINE);
        reset().reset(kata, "HEAD");
        Files.writeString(counter, "class Counter { /* second try */ }\n");

        reset().reset(kata, "HEAD");

        assertThat(kit.resolve(".grade-state/saved/fix-the-race-2026-11-30-160205/src/main/java/katas/Counter.java"))
                .hasContent(MINE);
        assertThat(kit.resolve(".grade-state/saved/fix-the-race-2026-11-30-160205-2/src/main/java/katas/Counter.java"))
                .hasContent("class Counter { /* second try */ }");
    }

    @Test
    @DisplayName("goes back to the commit named with --from, for a learner who committed their own work")
    void fromAnEarlierCommit() throws Exception {
        commitTheKit();
        Files.writeString(counter, MINE);
        git("commit", "-q", "-a", "-m", "My solution");

        reset().reset(kata, "HEAD");
        assertThat(out.toString()).contains("is already as committed in HEAD").contains("--from COMMIT");
        assertThat(kit.resolve(".grade-state/saved")).doesNotExist();

        reset().reset(kata, "HEAD~1");
        assertThat(counter).hasContent(STUB);
        assertThat(kit.resolve(".grade-state/saved/fix-the-race-2026-11-30-160205/src/main/java/katas/Counter.java"))
                .hasContent(MINE);
    }

    @Test
    @DisplayName("changes nothing outside a git checkout, and says how to get the stub instead")
    void outsideGit() throws Exception {
        Files.writeString(counter, MINE);

        assertThatThrownBy(() -> reset().reset(kata, "HEAD")).isInstanceOf(NotPossibleHere.class)
                .hasMessageContaining("is not a git checkout: nothing was changed")
                .hasMessageContaining("copy exercises/fix-the-race/src/main from a fresh download");
        assertThat(counter).hasContent(MINE);
        assertThat(kit.resolve(".grade-state")).doesNotExist();
    }

    @Test
    @DisplayName("changes nothing for a commit that does not exist")
    void unknownCommit() throws Exception {
        commitTheKit();
        Files.writeString(counter, MINE);

        assertThatThrownBy(() -> reset().reset(kata, "no-such-commit")).isInstanceOf(NotPossibleHere.class)
                .hasMessageStartingWith("there is no commit 'no-such-commit' in this checkout: nothing was changed");
        assertThat(counter).hasContent(MINE);
    }
}

package katas.grader.compile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The package rule for learner sources")
class PackageRuleTest {

    @TempDir
    Path root;

    private void write(String relative, String text) throws Exception {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    @DisplayName("accepts classes in the kata's package and below it, each in its package's folder")
    void acceptsTheKatasPackage() throws Exception {
        write("katas/fixtherace/HitCounter.java", "/* package katas.grader; */\npackage katas.fixtherace;\nclass A {}");
        write("katas/fixtherace/util/Striped.java", "// a helper\npackage katas.fixtherace.util;\nclass B {}");
        assertThat(PackageRule.problems(SourceSet.of(root), "katas.fixtherace")).isEmpty();
    }

    @Test
    @DisplayName("names every file that declares another package, none, a module, or sits in the wrong folder")
    void namesEveryMisplacedFile() throws Exception {
        write("katas/testkit/Contention.java", "package katas.testkit;\npublic class Contention {}");
        write("katas/grader/fork/ForkEvent.java", "package katas.grader.fork;\nclass ForkEvent {}");
        write("Loose.java", "class Loose {}");
        write("module-info.java", "module sneaky {}");
        write("katas/fixtherace/Moved.java", "package katas.fixtherace.other;\nclass Moved {}");
        assertThat(PackageRule.problems(SourceSet.of(root), "katas.fixtherace")).containsExactlyInAnyOrder(
                "katas/testkit/Contention.java: declares package katas.testkit, but your classes must be in package "
                        + "katas.fixtherace (or a package inside it)",
                "katas/grader/fork/ForkEvent.java: declares package katas.grader.fork, but your classes must be in "
                        + "package katas.fixtherace (or a package inside it)",
                "Loose.java: declares no package, but your classes must be in package katas.fixtherace (or a package "
                        + "inside it)",
                "module-info.java: a module declaration is not allowed; keep your classes in package katas.fixtherace",
                "katas/fixtherace/Moved.java: is in package katas.fixtherace.other but not in its folder "
                        + "katas/fixtherace/other/");
    }

    @Test
    @DisplayName("is not fooled by a package that only starts like the kata's")
    void rejectsALookAlikePackage() throws Exception {
        write("katas/fixtheraceX/A.java", "package katas.fixtheraceX;\nclass A {}");
        assertThat(PackageRule.problems(SourceSet.of(root), "katas.fixtherace")).hasSize(1);
    }
}

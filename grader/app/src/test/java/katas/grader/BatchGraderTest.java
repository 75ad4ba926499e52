package katas.grader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import katas.grader.batch.BatchGrader;
import katas.grader.discovery.KitLayout;
import katas.testkit.KataTest;
import katas.testkit.TimeBound;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@KataTest
@TimeBound(seconds = 120)
@DisplayName("Grading a folder of student repositories")
class BatchGraderTest {

    @Test
    @DisplayName("writes one gradebook row per student with per-kata points, and a row that says why for a broken one")
    void writesOneRowPerStudent(@TempDir Path dir) throws Exception {
        MiniKit kit = new MiniKit(dir.resolve("kit")).kata("answer", "good");
        Path students = dir.resolve("class");
        new MiniKit(students.resolve("ada")).kata("answer", "good");
        new MiniKit(students.resolve("bob")).kata("answer", "fake-results");
        MiniKit broken = new MiniKit(students.resolve("cy")).kata("answer", "good");
        Files.writeString(broken.exercise("answer").resolve("src/main/java/hostile/Calculator.java"), "class {");
        Files.createDirectories(students.resolve("not-a-repo"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Path csv = new BatchGrader(KitLayout.of(kit.root()), OptionalInt.empty(),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()))
                .grade(students, List.of());

        assertThat(Files.readAllLines(csv)).containsExactly(
                "student,total,max,answer,problems",
                "ada,100,100,100,",
                "bob,0,100,0,",
                "cy,0,100,0,answer does not compile");
        assertThat(students.resolve("gradebook-reports/bob.json")).exists();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Graded 3 student repositories");
    }
}

package katas.grader.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedClassesTest {

    private static final List<String> JVM = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString());

    @Test
    @DisplayName("outside the self-check a fork's JVM gets no option of it")
    void noneAddsNothing() {
        assertThat(SharedClasses.NONE.options(JVM, "")).isEmpty();
        SharedClasses.NONE.archiveInBackground();
        assertThat(SharedClasses.NONE.ready()).isFalse();
    }

    @Test
    @DisplayName("only the first fork lists the classes it loads; the others start as always until the archive exists")
    void firstForkLists(@TempDir Path dir) {
        SharedClasses shared = SharedClasses.in(dir);

        assertThat(shared.options(JVM, "")).containsExactly("-XX:DumpLoadedClassList=" + dir.resolve("classes.lst"));
        assertThat(shared.options(JVM, "")).isEmpty();
        assertThat(shared.ready()).isFalse();
    }

    @Test
    @DisplayName("with no class listed, no archive is made and forks go on without one")
    void nothingListed(@TempDir Path dir) throws InterruptedException {
        SharedClasses shared = SharedClasses.in(dir);
        shared.options(JVM, "");

        shared.archiveInBackground();
        Thread.sleep(200);

        assertThat(shared.ready()).isFalse();
        assertThat(shared.options(JVM, "")).isEmpty();
    }

    @Test
    @DisplayName("from the classes listed, a JVM makes the archive that every later fork maps, without a word on its console")
    void archiveMade(@TempDir Path dir) throws IOException {
        SharedClasses shared = SharedClasses.in(dir);
        shared.options(JVM, "");
        Files.writeString(dir.resolve("classes.lst"), "java/lang/Object\njava/lang/String\n");

        shared.archiveInBackground();
        shared.archiveInBackground(); // a second call starts no second dump

        await().atMost(Duration.ofMinutes(2)).until(shared::ready);
        assertThat(shared.options(JVM, "")).containsExactly("-XX:SharedArchiveFile=" + dir.resolve("classes.jsa"),
                "-Xlog:cds*=off");
        shared.close();
        assertThat(dir).doesNotExist();
        assertThat(shared.ready()).isFalse();
    }
}

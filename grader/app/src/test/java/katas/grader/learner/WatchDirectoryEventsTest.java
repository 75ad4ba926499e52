package katas.grader.learner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("./grade watch's file events")
class WatchDirectoryEventsTest {

    @TempDir
    Path sources;

    @Test
    @DisplayName("see a save in a folder that appeared after the watch began")
    void seesNewFolders() throws Exception {
        try (DirectoryEvents events = new DirectoryEvents(sources)) {
            Files.createDirectories(sources.resolve("katas/fixtherace"));
            assertThat(events.await(Duration.ofSeconds(20))).isEqualTo(SourceEvents.Event.CHANGED);
            Files.writeString(sources.resolve("katas/fixtherace/HitCounter.java"), "class HitCounter {}");
            assertThat(awaitChange(events)).isTrue();
        }
    }

    @Test
    @DisplayName("end with CLOSED once closed (Ctrl-C)")
    void closes() throws Exception {
        DirectoryEvents events = new DirectoryEvents(sources);
        events.close();
        assertThat(events.await(null)).isEqualTo(SourceEvents.Event.CLOSED);
    }

    @Test
    @DisplayName("count .java files as sources, not an editor's swap and backup files")
    void sources() {
        assertThat(DirectoryEvents.isSource(Path.of("a/HitCounter.java"))).isTrue();
        assertThat(DirectoryEvents.isSource(Path.of("a/.HitCounter.java.swp"))).isFalse();
        assertThat(DirectoryEvents.isSource(Path.of("a/HitCounter.java~"))).isFalse();
        assertThat(DirectoryEvents.isSource(Path.of("a/4913"))).isFalse();
        assertThat(DirectoryEvents.isSource(Path.of("a/.#HitCounter.java"))).isFalse();
    }

    /** The write shows within 20 s (inotify: at once; a polling WatchService: within seconds). */
    private static boolean awaitChange(DirectoryEvents events) throws InterruptedException {
        return events.await(Duration.ofSeconds(20)) == SourceEvents.Event.CHANGED;
    }
}

package katas.grader.compile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The kata compiler")
class KataCompilerTest {

    private static final String COUNTER = """
            package k;
            public class Counter {
                public static final int LIMIT = %d;
                private long hits;
                public void increment() { %s }
                public long get() { return hits; }
                private void helper%s() { }
            }
            """;
    private static final String TEST = """
            package k;
            class CounterTest {
                long check() { Counter c = new Counter(); c.increment(); return c.get() + Counter.LIMIT; }
            }
            """;

    @TempDir
    Path dir;

    private Path write(String relative, String text) throws Exception {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private CompileResult compileCounter(KataCompiler compiler, String name, String counter) throws Exception {
        write(name + "/src/k/Counter.java", counter);
        return compiler.compile(SourceSet.of(dir.resolve(name + "/src")), List.of(), dir.resolve(name + "/classes"));
    }

    private CompileResult compileTest(KataCompiler compiler, String name) throws Exception {
        write(name + "/test/k/CounterTest.java", TEST);
        return compiler.compile(SourceSet.of(dir.resolve(name + "/test")), List.of(dir.resolve(name + "/classes")),
                dir.resolve(name + "/test-classes"));
    }

    @Test
    @DisplayName("compiles tests once for code with the same API: other bodies and private members do not count")
    void reusesTestsForTheSameApi() throws Exception {
        KataCompiler compiler = new KataCompiler();
        assertThat(compileCounter(compiler, "reference", COUNTER.formatted(10, "hits++;", "A")).ok()).isTrue();
        assertThat(compileTest(compiler, "reference").ok()).isTrue();
        assertThat(compileCounter(compiler, "mutant", COUNTER.formatted(10, "hits += 2;", "B")).ok()).isTrue();
        assertThat(compileTest(compiler, "mutant").ok()).isTrue();
        assertThat(compiler.cacheStatistics()).isEqualTo("1 reused, 3 compiled");
        assertThat(Files.readAllBytes(dir.resolve("mutant/test-classes/k/CounterTest.class")))
                .isEqualTo(Files.readAllBytes(dir.resolve("reference/test-classes/k/CounterTest.class")));
    }

    @Test
    @DisplayName("compiles tests again when a constant they inline changes")
    void recompilesWhenAConstantChanges() throws Exception {
        KataCompiler compiler = new KataCompiler();
        compileCounter(compiler, "reference", COUNTER.formatted(10, "hits++;", "A"));
        compileTest(compiler, "reference");
        compileCounter(compiler, "other", COUNTER.formatted(11, "hits++;", "A"));
        compileTest(compiler, "other");
        assertThat(compiler.cacheStatistics()).isEqualTo("0 reused, 4 compiled");
    }

    @Test
    @DisplayName("compiles again when a public signature changes, and reports javac's errors")
    void recompilesWhenTheApiChanges() throws Exception {
        KataCompiler compiler = new KataCompiler();
        compileCounter(compiler, "reference", COUNTER.formatted(10, "hits++;", "A"));
        compileTest(compiler, "reference");
        compileCounter(compiler, "renamed", COUNTER.formatted(10, "hits++;", "A").replace("increment", "inc"));
        CompileResult broken = compileTest(compiler, "renamed");
        assertThat(broken.ok()).isFalse();
        assertThat(broken.errors()).contains("CounterTest.java:3:").contains("cannot find symbol");
    }
}

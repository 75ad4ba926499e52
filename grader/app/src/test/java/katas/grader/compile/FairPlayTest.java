package katas.grader.compile;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The rule of fair play")
class FairPlayTest {

    private static final String CLASS = """
            package k;
            import java.util.*;
            import java.util.concurrent.*;
            import java.util.concurrent.atomic.*;
            import java.lang.invoke.*;
            public class Bank {
                private final Object lock = new Object();
                private long balance;
                private volatile long hits;
                private static final VarHandle HITS;
                static {
                    try {
                        HITS = MethodHandles.lookup().findVarHandle(Bank.class, "hits", long.class);
                    } catch (ReflectiveOperationException e) {
                        throw new ExceptionInInitializerError(e);
                    }
                }
                public void deposit(long amount) throws Exception {
                    %s
                }
            }
            """;

    @TempDir
    Path dir;

    private List<String> problems(String body) throws Exception {
        Path file = dir.resolve("src/k/Bank.java");
        Files.createDirectories(file.getParent());
        Files.writeString(file, CLASS.formatted(body));
        CompileResult result = new KataCompiler().compile(SourceSet.of(dir.resolve("src")), List.of(),
                dir.resolve("classes"));
        assertThat(result.ok()).as(result.errors()).isTrue();
        return FairPlay.problems(dir.resolve("classes"));
    }

    @Test
    @DisplayName("lets ordinary concurrent code through: locks, atomics, lambdas, records, pools, var handles, processes")
    void ordinaryCodeKeepsTheRule() throws Exception {
        assertThat(problems("""
                record Entry(String who, long amount) { }
                synchronized (lock) { balance += amount; }
                HITS.getAndAdd(this, 1L);
                var list = new ArrayList<Entry>(); list.add(new Entry("me" + amount, amount));
                list.sort(Comparator.comparing(Entry::who));
                try (var pool = Executors.newFixedThreadPool(2)) { pool.submit(() -> balance++).get(); }
                String name = getClass().getName() + Thread.currentThread().getName();
                Thread.currentThread().interrupt();
                String launcher = ProcessHandle.current().info().command().orElse(System.getProperty("java.home"));
                new ProcessBuilder(launcher, "-cp", System.getProperty("java.class.path")).redirectErrorStream(true);
                try { throw new IllegalStateException(); } catch (IllegalStateException e) {
                    e.printStackTrace();
                    e.printStackTrace(System.err);
                }
                long cpu = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
                var started = ProcessHandle.current().info().startInstant();
                var wrapped = new java.lang.reflect.UndeclaredThrowableException(new java.io.IOException());
                switch (name) { case "a" -> balance--; default -> balance++; }
                """)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @DisplayName("refuses code that could tell the tests from anywhere else, naming the class and the call")
    @ValueSource(strings = {
        "Thread.currentThread().getStackTrace();",
        "new Throwable().getStackTrace();",
        "StackWalker.getInstance().walk(s -> s.count());",
        "Thread.getAllStackTraces();",
        "java.lang.management.ManagementFactory.getThreadMXBean().dumpAllThreads(false, false);",
        "System.setErr(new java.io.PrintStream(new java.io.ByteArrayOutputStream()));",
        "Thread.enumerate(new Thread[10]);",
        "new Thread(Thread.currentThread().getThreadGroup().getParent(), () -> { }).start();",
        "Class.forName(\"k.Bank\");",
        "Bank.class.getDeclaredField(\"balance\").setAccessible(true);",
        "MethodHandles.privateLookupIn(Thread.class, MethodHandles.lookup());",
        "MethodHandles.lookup().findStatic(Thread.class, \"dumpStack\", MethodType.methodType(void.class));",
        "ClassLoader.getSystemClassLoader();",
        "Bank.class.getResource(\"Bank.class\");",
        "java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments();",
        "ProcessHandle.current().info().commandLine();",
        "System.getenv();",
        "System.getProperties();",
        "System.getProperty(\"sun.java.command\");",
        "if (System.getProperty(\"jdk.module.main\") != null) balance++;",
        "new java.beans.Statement(this, \"deposit\", new Object[] {1L}).execute();",
        "String s = \"katas.testkit.Shapes\";",
        "if (System.getProperty(\"java.class.path\").contains(\"junit\")) balance++;",
        "if (System.getProperty(\"java.class.path\").toLowerCase().contains(\"jupiter\")) balance++;",
        "if (Runtime.getRuntime().maxMemory() < 300L << 20) balance++;",
        // Round-5 red team, in two katas: a class path with the tests' output folder in it means "under the tests"
        // (java.class.path itself stays readable: process-pool-primes starts its workers with it).
        "if (System.getProperty(\"java.class.path\").contains(\"test-classes\")) balance++;",
        "if (System.getProperty(\"java.class.path\").contains(\"hidden-classes\")) balance++;",
    })
    void refusesWhatCouldSniffTheTests(String body) throws Exception {
        List<String> problems = problems(body);
        assertThat(problems).isNotEmpty();
        assertThat(problems).allSatisfy(p -> assertThat(p).startsWith("k.Bank "));
    }

    @Test
    @DisplayName("names what it found in the learner's words: the kind of thing and the member called")
    void namesTheCall() throws Exception {
        assertThat(problems("Thread.currentThread().getStackTrace();"))
                .containsExactly("k.Bank looks at the call stack: it calls java.lang.Thread.getStackTrace");
    }
}

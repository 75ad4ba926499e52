package katas.processpoolprimes;

import static katas.processpoolprimes.Pools.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.ThreadsLeftBehind;
import katas.testkit.Watch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/** Hidden: how the workers are started, reused, and let write to standard error; a constructor that fails. */
@DisplayName("ProcessPool launching its workers, hidden")
@KataTest
// Rule 12 on every path a test takes, not only in the tests about closing (red team I)
@ExtendWith(ThreadsLeftBehind.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcessPoolLaunchTest {

    @Test
    @Order(4)
    @Tag("rule-4")
    @DisplayName("starts its workers once, with their arguments, and only those run while it counts")
    void startsItsWorkersOnceWithTheirArguments(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 1, 4);
        List<String> extra = new ArrayList<>(shapes.shuffled("extra worker arguments",
                List.of("", "with space", "-Dnot.an.option=1", "katas.processpoolprimes.PrimeWorker", "last")));
        extra = extra.subList(0, shapes.between("extra worker arguments used", 1, extra.size()));
        try (ProbeHub hub = ProbeHub.start(); ChildProcesses children = ChildProcesses.watch()) {
            String[] args = hub.args(extra.toArray(String[]::new));
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, args));
            Set<Long> started = ChildProcesses.pids(children.alive());
            assertThat(started)
                    .as("rule 4: new ProcessPool(%d, ...) must start its %d workers before it returns", size, size)
                    .hasSize(size);
            int counts = shapes.between("counts", 3, 5);
            try (Watch watch = Watch.of("rule 4, the workers are started once",
                    Pools.onlyTheseAlive(children, started, "rule 4"))) {
                for (int c = 1; c <= counts; c++) {
                    Pools.Cut cut = Pools.cut(shapes, "count " + c, shapes.between("count " + c + " ranges", 1, 3 * size),
                            100_000);
                    assertThat(count(pool, cut.from(), cut.to(), cut.rangeSize()))
                            .as("rule 5: count %d of %d, %s", c, counts, cut.describe()).isEqualTo(cut.expectedTotal());
                }
            }
            assertThat(hub.probes().keySet())
                    .as("rule 4: the worker processes that were started over %d counts: the %d the constructor started, "
                            + "reused by every count", counts, size)
                    .isEqualTo(started);
            assertThat(Pools.argsMismatch(hub.probes(), List.of(args)))
                    .as("rule 4: each worker runs `java -cp <class path> <workerMain> <workerArgs...>`, with the "
                            + "workerArgs as they were given (empty ones and ones with spaces included), in order")
                    .isNull();
            hub.assertProtocolKept();
        }
    }

    @Test
    @Order(5)
    @Tag("rule-4")
    @DisplayName("starts its workers with this JVM's own java, also when the PATH holds no java at all")
    void startsWorkersWithThisJvmsJava(Shapes shapes) throws Exception {
        Optional<String> own = ProcessHandle.current().info().command();
        String ownJava = own.orElseGet(() -> java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        java.nio.file.Path emptyPath = java.nio.file.Files.createTempDirectory("no-java-here");
        try {
            ProcessBuilder builder = new ProcessBuilder(ownJava, "-cp", System.getProperty("java.class.path"),
                    PoolWithoutJavaOnPath.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT);
            builder.environment().put("PATH", emptyPath.toString());
            Process helper = builder.start();
            helper.getOutputStream().close();
            java.util.concurrent.CompletableFuture<String> output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(helper.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                } catch (java.io.IOException e) {
                    return "failed reading its output: " + e;
                }
            });
            boolean exited = helper.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
            if (!exited) {
                helper.descendants().forEach(ProcessHandle::destroyForcibly);
                helper.destroyForcibly();
            }
            String said = output.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(exited).as("rule 4: a JVM whose PATH holds no java ran new ProcessPool(1), countPrimes(0, 100, 50) "
                    + "and close(), and had not finished after 60 s; it printed: %s", said).isTrue();
            assertThat(said.lines().filter(l -> l.startsWith("counted ") || l.startsWith("failed ")).findFirst()
                    .orElse("(nothing)"))
                    .as("rule 4: in a JVM whose PATH holds no java, new ProcessPool(1) then countPrimes(0, 100, 50): "
                            + "a worker runs <this JVM's java>, the executable of the JVM the pool runs in "
                            + "(ProcessHandle.current().info().command(), or java.home/bin/java), not whatever `java` "
                            + "the PATH finds, which may be another version, or none")
                    .isEqualTo("counted 25");
            List<String> workers = said.lines().filter(l -> l.startsWith("worker ")).map(l -> l.substring(7))
                    .filter(c -> !c.equals("?")).toList();
            if (own.isPresent()) {
                for (String command : workers) {
                    assertThat(realPath(command))
                            .as("rule 4: the executable a worker runs, as the operating system reports it: it must be "
                                    + "this JVM's own java, %s", ownJava)
                            .isEqualTo(realPath(ownJava));
                }
            }
        } finally {
            java.nio.file.Files.deleteIfExists(emptyPath);
        }
    }

    private static String realPath(String file) {
        try {
            return java.nio.file.Path.of(file).toRealPath().toString();
        } catch (java.io.IOException | RuntimeException e) {
            return file;
        }
    }

    @Test
    @Order(1)
    @Tag("rule-4")
    @DisplayName("rejects a pool of fewer than one worker, and starts nothing")
    void rejectsAPoolOfNoWorkers(Shapes shapes) throws Exception {
        int size = shapes.oneOf("workers", 0, -1, -shapes.between("fewer", 2, 1_000), Integer.MIN_VALUE);
        try (ChildProcesses children = ChildProcesses.watch()) {
            assertThatThrownBy(() -> children.own(new ProcessPool(size)))
                    .as("rule 4: new ProcessPool(%d)", size)
                    .isInstanceOf(IllegalArgumentException.class);
            children.assertNoneAlive("rule 4", "after new ProcessPool(" + size + ") was rejected");
        }
    }

    @Test
    @Order(2)
    @Tag("rule-4")
    @DisplayName("leaves no worker running when one of them cannot be started")
    void leavesNothingRunningWhenAWorkerCannotStart(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 2, 4);
        int headroom = shapes.between("free file descriptors to start with", 2, 5);
        try (ChildProcesses children = ChildProcesses.watch()) {
            for (; headroom <= 64; headroom++) {
                Optional<FdLimit> limit = FdLimit.lower(headroom);
                if (limit.isEmpty()) {
                    // This system cannot make a process start fail: all that is left to check is a pool that works.
                    Pools.close(children.own(new ProcessPool(size)), "close() should stop " + size
                            + " PrimeWorkers promptly");
                    return;
                }
                ProcessPool pool = null;
                Throwable failure = null;
                long keeper = limit.get().keeperPid();
                try {
                    pool = new ProcessPool(size);
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    limit.get().close();
                }
                if (failure == null) {
                    children.own(pool);
                    Pools.close(pool, "close() should stop " + size + " PrimeWorkers promptly");
                    return;
                }
                List<ProcessHandle> left = children.alive().stream().filter(p -> p.pid() != keeper).toList();
                assertThat(left)
                        .as("rule 4: new ProcessPool(%d) threw %s (with only %d file descriptors free, a process could "
                                + "not be started: its pipes need some), but it left the workers it had already started "
                                + "running: a constructor that throws must first stop what it started", size, failure,
                                headroom)
                        .isEmpty();
            }
            throw new AssertionError("rule 4: new ProcessPool(" + size + ") threw even with 64 file descriptors free, "
                    + "which is plenty to start " + size + " workers");
        }
    }

    @Test
    @Order(3)
    @Tag("rule-11")
    @DisplayName("lets its workers write as much as they like to standard error")
    void letsWorkersWriteToStandardError(Shapes shapes) throws Exception {
        writeToStandardError(shapes, shapes.between("workers", 1, 3),
                shapes.between("bytes each worker writes to standard error", 150_000L, 250_000L));
        // One worker that logs megabytes: a pool that drains only the start of the pipe (red team F: the first
        // megabyte, to keep a runaway log out of its own) blocks it just the same, later.
        writeToStandardError(shapes, 1, shapes.between("bytes one worker writes to standard error", 2_200_000L,
                3_000_000L));
    }

    private static void writeToStandardError(Shapes shapes, int size, long bytes) throws Exception {
        try (ProbeHub hub = ProbeHub.start(new ProbeHub.Options(bytes, false), ProbeHub::answer);
                ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            boolean written = hub.awaitProgress(() -> hub.stderrDone().size() >= size, Duration.ofSeconds(10));
            assertThat(written)
                    .as("rule 11: each worker writes %,d bytes to its standard error when it starts, but only "
                            + "%d of %d had got them out, and then nothing happened for 10 s (%d said hello): the pool made "
                            + "standard error a pipe and does not read all of it, so once it is full (64 KB on Linux) "
                            + "the worker blocks on its next write. Inherit it (ProcessBuilder.Redirect.INHERIT), "
                            + "discard it, or drain it in a thread to its very end",
                            bytes, hub.stderrDone().size(), size, hub.probes().size())
                    .isTrue();
            Pools.Cut cut = Pools.cut(shapes, shapes.between("ranges", 1, 10), 100_000);
            assertThat(count(pool, cut.from(), cut.to(), cut.rangeSize()))
                    .as("rule 11: the total for %s, from workers that wrote to standard error", cut.describe())
                    .isEqualTo(cut.expectedTotal());
        }
    }
}

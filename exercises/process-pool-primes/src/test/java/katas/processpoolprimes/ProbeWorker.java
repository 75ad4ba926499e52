package katas.processpoolprimes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A stand-in worker that the tests start through the pool ({@code new ProcessPool(n, ProbeWorker.class, args)}).
 * It speaks the README's protocol like {@link PrimeWorker}, and lets a test see and steer what the
 * pool does through files in a folder the test owns. Arguments, {@code key=value}:
 * <ul>
 *   <li>{@code dir=<folder>} (required): where it leaves its traces: {@code inflight-<pid>-<from>} while
 *       it serves a request, {@code asked-<pid>-<from>-<n>} and {@code answered-<pid>-<from>-<n>} for each one.</li>
 *   <li>{@code barrier=N}: hold each request until N requests are in flight at once, in all the probes
 *       together (or {@link #WAIT_MILLIS} passed: then the file {@code barrier-timeout} says how many were).</li>
 *   <li>{@code holdFrom=F} with {@code others=K}: hold the range that starts at F until K other ranges have
 *       been answered (or {@link #WAIT_MILLIS} passed: then {@code hold-timeout} says how many were).</li>
 *   <li>{@code crashOnce=F,G,...}: the first probe that is asked a range starting at F dies without answering.</li>
 *   <li>{@code crashAlways=F}: every probe that is asked the range starting at F dies without answering.</li>
 *   <li>{@code hangOnce=F}: the first probe asked the range starting at F writes its pid to {@code victim}
 *       and never answers (until it is killed).</li>
 *   <li>{@code ignoreEof}: the probe does not exit when its input ends; it must be killed.</li>
 * </ul>
 * Whatever happens, a probe exits by itself after {@link #LIFETIME_MILLIS}, so it can never outlive a run for long.
 */
public final class ProbeWorker {

    static final long WAIT_MILLIS = 6_000;
    static final long LIFETIME_MILLIS = 60_000;

    private final Path dir;
    private final Map<String, String> options;
    private final long pid = ProcessHandle.current().pid();
    private int served;

    private ProbeWorker(Path dir, Map<String, String> options) {
        this.dir = dir;
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            options.put(eq < 0 ? arg : arg.substring(0, eq), eq < 0 ? "" : arg.substring(eq + 1));
        }
        Thread lifetime = new Thread(() -> {
            try {
                Thread.sleep(LIFETIME_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            Runtime.getRuntime().halt(4);
        });
        lifetime.setDaemon(true);
        lifetime.start();
        new ProbeWorker(Path.of(options.get("dir")), options).serve();
    }

    private void serve() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        PrintStream out = System.out;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            String[] words = line.trim().split("\\s+");
            long from = Long.parseLong(words[1]);
            long to = Long.parseLong(words[2]);
            int n = ++served;
            touch("asked-" + pid + "-" + from + "-" + n);
            Path inflight = touch("inflight-" + pid + "-" + from);
            if (isListed("crashAlways", from) || (isListed("crashOnce", from) && claim("crash-" + from))) {
                Runtime.getRuntime().halt(3);
            }
            if (isListed("hangOnce", from) && claim("hang-" + from)) {
                Files.writeString(dir.resolve("victim.tmp"), Long.toString(pid));
                Files.move(dir.resolve("victim.tmp"), dir.resolve("victim"));
                Thread.sleep(LIFETIME_MILLIS);
            }
            if (options.containsKey("barrier")) {
                awaitBarrier(Integer.parseInt(options.get("barrier")));
            }
            if (isListed("holdFrom", from)) {
                awaitOthers(Integer.parseInt(options.get("others")));
            }
            long primes = count(from, to);
            // the traces come first: once the answer is out, the test may read them at any moment
            touch("answered-" + pid + "-" + from + "-" + n);
            Files.deleteIfExists(inflight);
            out.println(primes);
            out.flush();
        }
        if (options.containsKey("ignoreEof")) {
            Thread.sleep(LIFETIME_MILLIS);
        }
    }

    private void awaitBarrier(int parties) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        int most = 0;
        while (!Files.exists(dir.resolve("barrier-met")) && !Files.exists(dir.resolve("barrier-timeout"))) {
            int inFlight = names("inflight-").size();
            most = Math.max(most, inFlight);
            if (inFlight >= parties) {
                touch("barrier-met");
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                Files.writeString(dir.resolve("barrier-timeout"), Integer.toString(most));
                return;
            }
            Thread.sleep(5);
        }
    }

    private void awaitOthers(int others) throws Exception {
        long deadline = System.currentTimeMillis() + WAIT_MILLIS;
        while (true) {
            int answered = names("answered-").size();
            if (answered >= others) {
                return;
            }
            if (System.currentTimeMillis() > deadline) {
                Files.writeString(dir.resolve("hold-timeout"), Integer.toString(answered));
                return;
            }
            Thread.sleep(5);
        }
    }

    private boolean isListed(String option, long from) {
        String value = options.get(option);
        return value != null && Arrays.stream(value.split(",")).map(Long::parseLong).anyMatch(f -> f == from);
    }

    /** True for exactly one probe per name: the first to create the file. */
    private boolean claim(String name) throws IOException {
        try {
            Files.createFile(dir.resolve("claim-" + name));
            return true;
        } catch (FileAlreadyExistsException taken) {
            return false;
        }
    }

    private Path touch(String name) throws IOException {
        Path file = dir.resolve(name);
        try {
            return Files.createFile(file);
        } catch (FileAlreadyExistsException exists) {
            return file;
        }
    }

    private Set<String> names(String prefix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix))
                    .collect(Collectors.toSet());
        }
    }

    private static long count(long from, long to) {
        long count = 0;
        for (long n = from; n < to; n++) {
            if (isPrime(n)) {
                count++;
            }
        }
        return count;
    }

    private static boolean isPrime(long n) {
        if (n < 2) {
            return false;
        }
        if (n % 2 == 0) {
            return n == 2;
        }
        for (long d = 3; d * d <= n; d += 2) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }

    /** What the probes left in {@code dir}, read by the tests. */
    record Traces(Path dir) {

        List<String> named(String prefix) throws IOException {
            try (Stream<Path> files = Files.list(dir)) {
                return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(prefix)).sorted().toList();
            }
        }

        /** The content of a file the probes wrote, or null if there is none. */
        String read(String name) throws IOException {
            Path file = dir.resolve(name);
            return Files.exists(file) ? Files.readString(file).trim() : null;
        }

        /** The pids of the probes that answered at least one request. */
        Set<Long> answeringPids() throws IOException {
            return named("answered-").stream().map(n -> Long.parseLong(n.split("-")[1])).collect(Collectors.toSet());
        }

        /** How many times a range starting at {@code from} was asked, over all probes. */
        long timesAsked(long from) throws IOException {
            return named("asked-").stream().filter(n -> n.split("-")[2].equals(Long.toString(from))).count();
        }
    }
}

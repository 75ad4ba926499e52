package katas.processpoolprimes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import katas.testkit.TestThreads;

/**
 * The test's end of the {@link ProbeWorker}s: it hears every probe worker the pool starts, every
 * request they get and every answer they give, and decides what each probe does with each request
 * (a {@link Policy}, which may wait for other probes, count, crash or hang). What it records is
 * exact, not sampled: which ranges were asked how many times, how many requests were in flight at
 * once, whether a probe got a request while it was busy, which probes saw the end of their input.
 */
final class ProbeHub implements AutoCloseable {

    /** A request one probe worker received, as it told the hub. */
    record Ask(long pid, int nth, long from, long to, boolean queued, int attempt) {

        /** "[from, to)" */
        String range() {
            return ProbeHub.range(from, to);
        }
    }

    /** What a probe does with a request. */
    sealed interface Reply permits Answer, Crash, Hang {
    }

    /** Answers {@code value}. */
    record Answer(long value) implements Reply {
    }

    /** Dies without answering, in the way {@code how} says (see {@link ProbeWorker}). */
    record Crash(String how) implements Reply {
    }

    /** Never answers; waits to be killed. */
    record Hang() implements Reply {
    }

    /** Decides what a probe does with each request; runs in the hub's thread for that probe and may wait. */
    @FunctionalInterface
    interface Policy {
        Reply onAsk(Ask ask) throws Exception;
    }

    /** How the probes start: bytes each writes to standard error first, and whether it ignores the end of its input. */
    record Options(long stderrBytes, boolean ignoreEof) {
        static final Options PLAIN = new Options(0, false);
    }

    private final ServerSocket server;
    private volatile Policy policy;
    private final Options options;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    // Everything below is guarded by this.
    private final Map<Long, List<String>> argsByPid = new LinkedHashMap<>();
    private final Map<Long, Ask> inFlight = new LinkedHashMap<>();
    private final List<Ask> asks = new ArrayList<>();
    private final Map<String, Integer> timesAsked = new HashMap<>();
    private final Set<Long> answering = new LinkedHashSet<>();
    private final Set<Long> eof = new LinkedHashSet<>();
    private final Set<Long> gone = new LinkedHashSet<>();
    private final Set<Long> stderrDone = new LinkedHashSet<>();
    private final List<String> violations = new ArrayList<>();
    private final List<String> policyErrors = new ArrayList<>();
    private int answered;
    private int mostInFlight;
    private long events;

    private ProbeHub(Options options, Policy policy) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.options = options;
        this.policy = policy;
        Thread acceptor = TestThreads.own(Thread.ofPlatform().daemon(true).name("probe-hub").unstarted(this::accept));
        acceptor.start();
        threads.add(acceptor);
    }

    /** A hub whose probes answer every request with {@link #answerOf}. */
    static ProbeHub start() throws IOException {
        return start(Options.PLAIN, ask -> answer(ask));
    }

    static ProbeHub start(Policy policy) throws IOException {
        return start(Options.PLAIN, policy);
    }

    static ProbeHub start(Options options, Policy policy) throws IOException {
        return new ProbeHub(options, policy);
    }

    /** Changes what the probes do with the requests that come from now on. */
    void policy(Policy policy) {
        this.policy = policy;
    }

    /**
     * A policy: every request waits until {@code parties} requests are in flight at the same moment
     * (a barrier across processes, which a pool that is not parallel never passes), or until
     * nothing has happened among the probes for {@code bound}; once the barrier was met, or given
     * up, nobody waits any more.
     */
    Barrier barrier(int parties, Duration bound) {
        return new Barrier(parties, bound);
    }

    final class Barrier implements Policy {
        private final int parties;
        private final Duration bound;
        private volatile boolean over;
        private volatile String failure;

        private Barrier(int parties, Duration bound) {
            this.parties = parties;
            this.bound = bound;
        }

        @Override
        public Reply onAsk(Ask ask) throws InterruptedException {
            if (!over) {
                boolean met = awaitProgress(() -> over || inFlight.size() >= parties, bound);
                synchronized (ProbeHub.this) {
                    if (!met && !over) {
                        failure = "there were never more than " + mostInFlight + " requests in flight at the same "
                                + "moment (and then nothing happened for " + bound.toSeconds() + " s)";
                    }
                    over = true;
                    ProbeHub.this.notifyAll();
                }
            }
            return answer(ask);
        }

        /** Null if the barrier was met, otherwise what was seen instead. */
        String failure() {
            return failure;
        }
    }

    /**
     * A policy: the range {@code [from, to)} is held back (its worker does not answer) until
     * {@code others} other requests have been answered, or nothing has happened among the probes
     * for {@code bound}; the others are answered at once.
     */
    Hold hold(long from, long to, int others, Duration bound) {
        return new Hold(from, to, others, bound);
    }

    final class Hold implements Policy {
        private final long from;
        private final long to;
        private final int others;
        private final int base;
        private final Duration bound;
        private volatile String failure;
        private volatile boolean held;

        private Hold(long from, long to, int others, Duration bound) {
            this.from = from;
            this.to = to;
            this.others = others;
            this.bound = bound;
            this.base = answered();
        }

        @Override
        public Reply onAsk(Ask ask) throws InterruptedException {
            if (ask.from() == from && ask.to() == to && !held) {
                held = true;
                if (!awaitProgress(() -> answered - base >= others, bound)) {
                    failure = "only " + (answered() - base) + " of the other " + others + " ranges were answered while "
                            + range(from, to) + " was held back, and then nothing happened for " + bound.toSeconds() + " s";
                }
            }
            return answer(ask);
        }

        /** Null if the others were all answered while the range was held, otherwise what was seen instead. */
        String failure() {
            return failure;
        }

        boolean held() {
            return held;
        }
    }

    /** The workerArgs that make a probe report to this hub, followed by {@code extra}. */
    String[] args(String... extra) {
        return Stream.concat(Stream.of("hub=" + server.getLocalPort()), Arrays.stream(extra)).toArray(String[]::new);
    }

    /** The answer a probe gives by default: a number that depends on the range only, from 0 to its length. */
    static Answer answer(Ask ask) {
        return new Answer(answerOf(ask.from(), ask.to()));
    }

    /**
     * A made-up count for {@code [from, to)}: between 0 and the range's length (at most 10^12), and
     * different for neighbouring ranges, so that a range lost or counted twice changes the total.
     */
    static long answerOf(long from, long to) {
        long length = to - from;
        long cap = length < 0 || length > 1_000_000_000_000L ? 1_000_000_000_000L : length;
        long h = from * 0x9E3779B97F4A7C15L ^ to * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return Math.floorMod(h, cap + 1);
    }

    /** The sum of {@link #answerOf} over the ranges {@code [from, to)} is cut into. */
    static long expectedTotal(long from, long to, long rangeSize) {
        long total = 0;
        for (long[] r : cut(from, to, rangeSize)) {
            total += answerOf(r[0], r[1]);
        }
        return total;
    }

    /** The consecutive ranges of {@code rangeSize} numbers (the last may be shorter) that {@code [from, to)} is cut into. */
    static List<long[]> cut(long from, long to, long rangeSize) {
        List<long[]> ranges = new ArrayList<>();
        for (long start = from; start < to; ) {
            long end = Long.compareUnsigned(to - start, rangeSize) <= 0 ? to : start + rangeSize;
            ranges.add(new long[] {start, end});
            start = end;
        }
        return ranges;
    }

    static String range(long from, long to) {
        return String.format("[%,d, %,d)", from, to);
    }

    private void accept() {
        while (!closed) {
            try {
                Socket socket = server.accept();
                socket.setTcpNoDelay(true);
                sockets.add(socket);
                Thread connection = TestThreads.own(Thread.ofPlatform().daemon(true).name("probe-hub-connection")
                        .unstarted(() -> serve(socket)));
                threads.add(connection);
                connection.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        long pid = -1;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String[] w = line.split(" ");
                switch (w[0]) {
                    case "hello" -> {
                        pid = Long.parseLong(w[1]);
                        List<String> args = new ArrayList<>();
                        for (int i = 0; i < Integer.parseInt(w[2]); i++) {
                            args.add(i + 3 < w.length ? URLDecoder.decode(w[i + 3], StandardCharsets.UTF_8) : "");
                        }
                        synchronized (this) {
                            argsByPid.put(pid, args);
                            events++;
                            notifyAll();
                        }
                        write(out, "options " + options.stderrBytes() + " " + options.ignoreEof());
                    }
                    case "stderr-done" -> record(pid, stderrDone);
                    case "ask" -> {
                        Ask ask = asked(pid, Integer.parseInt(w[1]), Long.parseLong(w[2]), Long.parseLong(w[3]),
                                Boolean.parseBoolean(w[4]));
                        Reply reply;
                        try {
                            reply = policy.onAsk(ask);
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception | AssertionError broken) {
                            synchronized (this) {
                                policyErrors.add(String.valueOf(broken));
                            }
                            reply = answer(ask);
                        }
                        switch (reply) {
                            case Answer a -> write(out, "answer " + a.value());
                            case Crash c -> write(out, c.how());
                            case Hang h -> write(out, "hang");
                        }
                    }
                    case "answering" -> answering(pid, Integer.parseInt(w[1]), Boolean.parseBoolean(w[2]));
                    case "eof" -> record(pid, eof);
                    case "bad" -> {
                        synchronized (this) {
                            violations.add("worker " + pid + " received `" + URLDecoder.decode(w[2], StandardCharsets.UTF_8)
                                    + "` as its request " + w[1] + ", which is not `count <from> <to>`");
                            notifyAll();
                        }
                    }
                    default -> {
                        synchronized (this) {
                            violations.add("probe " + pid + " said something unexpected: " + line);
                        }
                    }
                }
            }
        } catch (IOException closedOrDied) {
            // the probe died, or the hub is closing
        } finally {
            if (pid >= 0) {
                synchronized (this) {
                    gone.add(pid);
                    inFlight.remove(pid);
                    events++;
                    notifyAll();
                }
            }
        }
    }

    private synchronized Ask asked(long pid, int nth, long from, long to, boolean queued) {
        String key = from + ":" + to;
        int attempt = timesAsked.merge(key, 1, Integer::sum);
        Ask ask = new Ask(pid, nth, from, to, queued, attempt);
        asks.add(ask);
        if (queued) {
            violations.add("worker " + pid + " already had another request waiting in its input when it read its "
                    + "request " + nth + " " + ask.range());
        }
        inFlight.put(pid, ask);
        mostInFlight = Math.max(mostInFlight, inFlight.size());
        events++;
        notifyAll();
        return ask;
    }

    private synchronized void answering(long pid, int nth, boolean queued) {
        Ask ask = inFlight.remove(pid);
        answered++;
        events++;
        answering.add(pid);
        if (queued) {
            violations.add("worker " + pid + " was sent another request while it was still counting its request "
                    + nth + (ask == null ? "" : " " + ask.range()) + ": the pool queued a second request at a busy worker");
        }
        notifyAll();
    }

    private synchronized void record(long pid, Set<Long> set) {
        set.add(pid);
        events++;
        notifyAll();
    }

    private static void write(Writer out, String line) throws IOException {
        out.write(line + "\n");
        out.flush();
    }

    /** Waits until {@code condition} (read under the hub's lock) holds, at most {@code bound}; whether it does. */
    synchronized boolean await(BooleanSupplier condition, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.getAsBoolean()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /**
     * Waits until {@code condition} holds; gives up (false) once nothing at all has happened among
     * the probes for {@code stall}: no probe started, asked, answered or died. A busy machine makes
     * everything slow, but a pool that waits for the wrong thing makes nothing happen.
     */
    synchronized boolean awaitProgress(BooleanSupplier condition, Duration stall) throws InterruptedException {
        long seen = events;
        long deadline = System.nanoTime() + stall.toNanos();
        while (!condition.getAsBoolean()) {
            if (events != seen) {
                seen = events;
                deadline = System.nanoTime() + stall.toNanos();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    synchronized int inFlight() {
        return inFlight.size();
    }

    synchronized int mostInFlight() {
        return mostInFlight;
    }

    synchronized int answered() {
        return answered;
    }

    synchronized List<Ask> asks() {
        return List.copyOf(asks);
    }

    synchronized int timesAsked(long from, long to) {
        return timesAsked.getOrDefault(from + ":" + to, 0);
    }

    /** The pids of the probes that said hello, in that order, with the arguments each was started with. */
    synchronized Map<Long, List<String>> probes() {
        return new LinkedHashMap<>(argsByPid);
    }

    synchronized Set<Long> answeringPids() {
        return new LinkedHashSet<>(answering);
    }

    /**
     * The workers that answered, once the hub has heard of {@code answers} answers (or heard nothing more for
     * {@code stall}). A probe tells the hub over its socket, and the pool reads the answer from its pipe: on a busy
     * machine the pool can have every answer before the hub has heard of the last one.
     */
    synchronized Set<Long> answeringPids(int answers, Duration stall) throws InterruptedException {
        awaitProgress(() -> answered >= answers, stall);
        return answeringPids();
    }

    synchronized Set<Long> sawEof() {
        return new LinkedHashSet<>(eof);
    }

    synchronized Set<Long> gone() {
        return new LinkedHashSet<>(gone);
    }

    synchronized Set<Long> stderrDone() {
        return new LinkedHashSet<>(stderrDone);
    }

    /** The probe holding a request, by pid, and which request. */
    synchronized Map<Long, Ask> holding() {
        return new LinkedHashMap<>(inFlight);
    }

    /** What the probes saw that the protocol forbids (a second request at a busy worker, a malformed line). */
    synchronized List<String> violations() {
        return List.copyOf(violations);
    }

    /** Failures of the test's own policy (a bug in the test, or an assertion it made while the pool ran). */
    synchronized List<String> policyErrors() {
        return List.copyOf(policyErrors);
    }

    /** Fails when a probe saw something the README's protocol forbids, naming the rule. */
    void assertProtocolKept() {
        List<String> seen = violations();
        if (!seen.isEmpty()) {
            throw new AssertionError("rule 8, a worker holds one request at a time: " + seen.get(0)
                    + (seen.size() > 1 ? " (and " + (seen.size() - 1) + " more like it)" : "")
                    + ". Send a worker its next request only after reading its answer to the previous one");
        }
        List<String> errors = policyErrors();
        if (!errors.isEmpty()) {
            throw new AssertionError(errors.get(0));
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        threads.forEach(Thread::interrupt);
    }
}

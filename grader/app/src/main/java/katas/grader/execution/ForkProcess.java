package katas.grader.execution;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import katas.grader.fork.ForkEvent;
import katas.grader.fork.ForkSpec;
import katas.grader.fork.IncidentKind;
import katas.grader.fork.TestOutcome;

/**
 * One forked JVM: started, watched until it says "done", dies, or passes the kata's deadline (then
 * killed with its children), its reports merged into the kata's {@link RunRecord}.
 */
final class ForkProcess {

    /**
     * How long a fork may take to connect at least: a JVM starting on a busy machine can take long. It may
     * take until its kata's deadline; past that the watch kills it anyway.
     */
    private static final long CONNECT_MILLIS = 20_000;
    private static final long CONSOLE_FLOOD_BYTES = ForkLaunch.CONSOLE_FLOOD_BYTES;
    /** The fork explains its own deadline; this is how long the grader waits beyond it before killing. */
    private static final long KILL_GRACE_MILLIS = 3_000;

    /** How HangGuard's failures begin. */
    private static final String HANG_PREFIX = "did not finish within";

    private final ObjectMapper json = new ObjectMapper();
    private final RunRecord record;
    private volatile boolean completed;
    private volatile boolean incidentReported;
    private volatile String currentTest;

    ForkProcess(RunRecord record) {
        this.record = record;
    }

    /** Hands the spec to a launched fork and watches it; true when it reported everything it was asked for. */
    boolean run(ForkLaunch launch, ForkSpec template) throws IOException, InterruptedException {
        record.forkStarted();
        launch.use();
        Process process = launch.process();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
            ForkSpec spec = template.withChannel(token, server.getLocalPort());
            try (OutputStream stdin = process.getOutputStream()) {
                stdin.write(json.writeValueAsBytes(spec));
                stdin.write('\n');
            } catch (IOException died) {
                // The JVM is already gone: explainUnexpectedEnd below says what it printed.
            }
            Thread listener = Thread.ofPlatform().daemon(true).name("channel-" + spec.kataId())
                    .start(() -> listen(server, token, Math.max(CONNECT_MILLIS,
                            spec.deadlineEpochMillis() + KILL_GRACE_MILLIS - System.currentTimeMillis())));
            Set<ProcessHandle> children = watch(process, spec.deadlineEpochMillis(), launch.out(), launch.err());
            listener.join(2_000);
            launch.out().awaitEnd();
            launch.err().awaitEnd();
            Containment.get().forkEnded(process);
            if (Containment.get().limitation().isEmpty()) {
                int left = Containment.get().sweep();
                if (left > 0) {
                    record.orphansStopped(left);
                }
            } else {
                stopOrphans(children);
            }
            if (!completed && !incidentReported) {
                explainUnexpectedEnd(process, launch.err().head() + launch.out().head());
            }
            return completed;
        }
    }

    private Set<ProcessHandle> watch(Process process, long deadline, ConsoleDrain out, ConsoleDrain err)
            throws InterruptedException {
        Set<ProcessHandle> children = new HashSet<>();
        while (process.isAlive()) {
            process.descendants().forEach(children::add);
            if (out.flooded() || err.flooded()) {
                kill(process, new Incident(IncidentKind.OUTPUT, record.nameOf(currentTest), "wrote more than "
                        + CONSOLE_FLOOD_BYTES / (1024 * 1024) + " MB straight to the console"));
            } else if (System.currentTimeMillis() > deadline + KILL_GRACE_MILLIS) {
                kill(process, new Incident(IncidentKind.KILLED, record.nameOf(currentTest),
                        "the kata's JVM did not finish in time and stopped answering, so it was killed"));
            }
            process.waitFor(50, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        return children;
    }

    private void kill(Process process, Incident incident) {
        if (!incidentReported) {
            incidentReported = true;
            record.incident(incident);
            blameCurrentTest(incident);
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private void stopOrphans(Set<ProcessHandle> children) {
        int alive = 0;
        for (ProcessHandle child : children) {
            if (child.isAlive()) {
                alive++;
                child.destroyForcibly();
            }
        }
        if (alive > 0) {
            record.orphansStopped(alive);
        }
    }

    private void explainUnexpectedEnd(Process process, String console) {
        String during = currentTest == null ? "" : " during this test";
        String detail = console.contains("OutOfMemoryError") ? ": it ran out of memory"
                : console.isBlank() ? "" : ": " + console.strip().lines().limit(3).collect(Collectors.joining(" | "));
        Incident incident = new Incident(IncidentKind.CRASH, record.nameOf(currentTest), "the kata's JVM stopped with exit code "
                + exitCode(process) + during + detail);
        record.incident(incident);
        blameCurrentTest(incident);
    }

    private static String exitCode(Process process) {
        try {
            return String.valueOf(process.exitValue());
        } catch (IllegalThreadStateException stillRunning) {
            return "?";
        }
    }

    private void blameCurrentTest(Incident incident) {
        String test = currentTest;
        if (test != null) {
            record.finished(test, incident.statusOfTest(), incident.message(), "", 0);
        }
    }

    private void listen(ServerSocket server, String token, long connectMillis) {
        try {
            server.setSoTimeout((int) Math.min(Integer.MAX_VALUE, connectMillis));
            try (Socket socket = server.accept();
                    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                            StandardCharsets.UTF_8))) {
                ForkEvent first = json.readValue(in.readLine(), ForkEvent.class);
                if (!(first instanceof ForkEvent.Hello hello) || !MessageDigest.isEqual(
                        token.getBytes(StandardCharsets.UTF_8), String.valueOf(hello.token()).getBytes(StandardCharsets.UTF_8))) {
                    return;
                }
                for (String line; (line = in.readLine()) != null; ) {
                    handle(json.readValue(line, ForkEvent.class));
                }
            }
        } catch (SocketTimeoutException notConnected) {
            // the JVM did not start; explainUnexpectedEnd reports its console
        } catch (IOException | RuntimeException broken) {
            // the fork died mid-line; what arrived is kept
        }
    }

    private void handle(ForkEvent event) {
        switch (event) {
            case ForkEvent.Hello hello -> {
                // only the first line may say hello; a second one means nothing
            }
            case ForkEvent.Discovered test -> record.discovered(test.id(), test.name(), test.className(),
                    test.origin(), test.tags());
            case ForkEvent.Started started -> currentTest = started.id();
            case ForkEvent.Finished finished -> {
                record.finished(finished.id(), statusOf(finished.outcome(), finished.message()), finished.message(),
                        finished.output(), finished.durationMillis());
                if (finished.id().equals(currentTest)) {
                    currentTest = null;
                }
            }
            case ForkEvent.Incident reported -> {
                incidentReported = true;
                String test = reported.testId() != null && !reported.testId().startsWith("speedup:")
                        ? reported.testId() : currentTest;
                Incident incident = new Incident(reported.kind(), record.nameOf(test), reported.message());
                record.incident(incident);
                if (test != null) {
                    record.finished(test, incident.statusOfTest(), reported.message(), "", 0);
                }
            }
            case ForkEvent.Measured measured -> record.measured(measured.partId(), measured.measurement());
            case ForkEvent.Done done -> {
                if (done.stoppedEarly() != null) {
                    record.stoppedEarly(done.stoppedEarly());
                }
                completed = true;
            }
        }
    }

    private static TestStatus statusOf(TestOutcome outcome, String message) {
        return switch (outcome) {
            case PASSED -> TestStatus.PASSED;
            case OUTPUT -> TestStatus.LIMIT_EXCEEDED;
            case FAILED, ABORTED -> message != null && message.startsWith(HANG_PREFIX) ? TestStatus.TIMED_OUT
                    : TestStatus.FAILED;
        };
    }
}

package katas.grader.execution;

import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a fork's raw stdout or stderr so it can never block on a full pipe. Learner output that
 * goes through System.out is captured inside the fork; this only sees what bypasses it (writes to
 * the file descriptor, JVM messages). The start is kept for diagnostics; the rest is counted.
 */
final class ConsoleDrain {

    private static final int KEEP_BYTES = 8 * 1024;

    private final ByteArrayOutputStream head = new ByteArrayOutputStream();
    private long total;
    private final Thread reader;

    ConsoleDrain(InputStream in, String name) {
        this.reader = Thread.ofPlatform().daemon(true).name("drain-" + name).start(() -> pump(in));
    }

    private void pump(InputStream in) {
        byte[] buffer = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                synchronized (this) {
                    head.write(buffer, 0, (int) Math.min(n, Math.max(0, KEEP_BYTES - head.size())));
                    total += n;
                }
            }
        } catch (IOException ignored) {
            // the fork is gone; what was read is kept
        }
    }

    synchronized long total() {
        return total;
    }

    synchronized String head() {
        return head.toString(StandardCharsets.UTF_8);
    }

    void awaitEnd() throws InterruptedException {
        reader.join(2_000);
    }
}

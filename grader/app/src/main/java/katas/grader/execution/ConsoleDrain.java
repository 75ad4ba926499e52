package katas.grader.execution;

import java.io.IOException;
import java.io.InputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads a fork's raw stdout or stderr so it can never block on a full pipe. Learner output that
 * goes through System.out is captured inside the fork; this only sees what bypasses it (writes to
 * the file descriptor, JVM messages). The start is kept for diagnostics; the rest is counted.
 *
 * <p>Past its budget it stops reading, without closing the pipe: the flooding writer then blocks
 * on the full pipe instead of finishing its test (and reporting it passed) before the grader
 * kills the fork, and it gets no "broken pipe" to turn into a different failure.
 */
final class ConsoleDrain {

    private static final int KEEP_BYTES = 8 * 1024;

    private final ByteArrayOutputStream head = new ByteArrayOutputStream();
    private final InputStream in;
    private final long budget;
    private long total;
    private final Thread reader;

    ConsoleDrain(InputStream in, String name, long budget) {
        this.in = in;
        this.budget = budget;
        this.reader = Thread.ofPlatform().daemon(true).name("drain-" + name).start(this::pump);
    }

    private void pump() {
        byte[] buffer = new byte[8192];
        try {
            for (int n; !flooded() && (n = in.read(buffer)) >= 0; ) {
                synchronized (this) {
                    head.write(buffer, 0, (int) Math.min(n, Math.max(0, KEEP_BYTES - head.size())));
                    total += n;
                }
            }
        } catch (IOException ignored) {
            // the fork is gone; what was read is kept
        }
    }

    /** True once more than the budget was written: reading has stopped and the writer will block. */
    synchronized boolean flooded() {
        return total > budget;
    }

    synchronized String head() {
        return head.toString(StandardCharsets.UTF_8);
    }

    /** Waits for the reader to end, once the fork is gone, and closes the pipe. */
    void awaitEnd() throws InterruptedException {
        reader.join(2_000);
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing left to read
        }
    }
}

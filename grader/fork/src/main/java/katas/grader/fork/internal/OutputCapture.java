package katas.grader.fork.internal;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Replaces {@code System.out} and {@code System.err} so that what the learner's code prints is
 * kept with the test that printed it, up to a cap; past the cap bytes are only counted. A flood of
 * output then costs the grader nothing but the count.
 */
final class OutputCapture {

    private final int capBytes;
    private ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private long total;

    private OutputCapture(int capBytes) {
        this.capBytes = capBytes;
    }

    static OutputCapture install(int capBytes) {
        OutputCapture capture = new OutputCapture(capBytes);
        PrintStream stream = new PrintStream(capture.sink(), true, StandardCharsets.UTF_8);
        System.setOut(stream);
        System.setErr(stream);
        return capture;
    }

    /** Starts a new test's output. */
    synchronized void begin() {
        kept = new ByteArrayOutputStream();
        total = 0;
    }

    /** Bytes printed since {@link #begin()}. */
    synchronized long total() {
        return total;
    }

    /** What the test printed, cut at the cap. */
    synchronized String text() {
        String text = kept.toString(StandardCharsets.UTF_8);
        return total > capBytes ? text + "\n[... " + (total - capBytes) + " more bytes cut]" : text;
    }

    boolean overflowed() {
        return total() > capBytes;
    }

    int capBytes() {
        return capBytes;
    }

    private OutputStream sink() {
        return new OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                synchronized (OutputCapture.this) {
                    int room = (int) Math.max(0, Math.min(len, capBytes - total));
                    kept.write(b, off, room);
                    total += len;
                }
            }
        };
    }
}

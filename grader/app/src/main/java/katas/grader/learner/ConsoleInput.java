package katas.grader.learner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Lines typed on the terminal, read by a daemon thread (a read cannot time out), so that an interview can
 * wait for a line and for its clock at once.
 */
public final class ConsoleInput implements SessionInput {

    private static final String END = new String("end of input");
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    public ConsoleInput(InputStream in, Charset charset) {
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, charset))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // The input is gone: the same as its end.
            } finally {
                lines.add(END);
            }
        }, "interview-input");
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    @SuppressWarnings("StringEquality")
    public Line next(Duration timeout) throws InterruptedException {
        String line = lines.poll(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
        if (line == null) {
            return Line.TIMEOUT;
        }
        if (line == END) {
            lines.add(END);
            return Line.END;
        }
        return Line.of(line);
    }
}

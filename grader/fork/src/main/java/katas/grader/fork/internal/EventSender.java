package katas.grader.fork.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import katas.grader.fork.ForkEvent;

/**
 * The fork's end of the results channel: JSON lines over a loopback socket to the grader. The
 * learner's code shares this JVM but not its stdout with the grader, so nothing it prints can
 * pass for a result.
 */
final class EventSender implements AutoCloseable {

    private final ObjectMapper json = new ObjectMapper();
    private final Socket socket;
    private final BufferedWriter out;

    private EventSender(Socket socket) throws IOException {
        this.socket = socket;
        this.out = new BufferedWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8));
    }

    static EventSender connect(int port, String token) throws IOException {
        EventSender sender = new EventSender(new Socket(InetAddress.getLoopbackAddress(), port));
        sender.send(new ForkEvent.Hello(token));
        return sender;
    }

    synchronized void send(ForkEvent event) {
        try {
            out.write(json.writeValueAsString(event));
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the grader stopped listening", e);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        out.flush();
        socket.close();
    }
}

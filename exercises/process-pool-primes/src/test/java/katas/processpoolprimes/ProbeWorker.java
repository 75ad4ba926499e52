package katas.processpoolprimes;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Writer;
import java.io.OutputStreamWriter;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A stand-in worker that the tests start through your pool ({@code new ProcessPool(n, ProbeWorker.class,
 * hub.args())}). It speaks the README's protocol like {@link PrimeWorker}, but for every request it
 * asks the test (a {@link ProbeHub} in the test's JVM, reached through the {@code hub=<port>}
 * argument) what to do: answer (with a number the test chose), wait, crash in one of several ways,
 * or hang until it is killed. It tells the test what it sees: the arguments it was started with,
 * each request, whether another request was already waiting in its input while it was busy, and
 * the end of its input. Whatever happens, it exits when the test is over (its hub goes away) or
 * after {@link #LIFETIME_MILLIS}, so it can never outlive a run for long.
 */
public final class ProbeWorker {

    static final long LIFETIME_MILLIS = 60_000;
    private static final long FOREVER_MILLIS = Long.MAX_VALUE / 4;

    private ProbeWorker() {
    }

    public static void main(String[] args) throws Exception {
        Thread lifetime = new Thread(() -> {
            sleep(LIFETIME_MILLIS);
            Runtime.getRuntime().halt(4);
        }, "probe-lifetime");
        lifetime.setDaemon(true);
        lifetime.start();
        int port = Arrays.stream(args).filter(a -> a.startsWith("hub=")).mapToInt(a -> Integer.parseInt(a.substring(4)))
                .findFirst().orElse(-1);
        if (port < 0) {
            System.err.println("ProbeWorker: started without its hub=<port> argument; the arguments were "
                    + Arrays.toString(args) + ": the pool must pass workerArgs to the worker, after the class name");
            System.exit(2);
        }
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setTcpNoDelay(true);
        Writer toHub = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
        BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        BufferedReader fromHub = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        Thread listener = new Thread(() -> {
            try {
                for (String line = fromHub.readLine(); line != null; line = fromHub.readLine()) {
                    replies.add(line);
                }
            } catch (IOException gone) {
                // the test is over
            }
            Runtime.getRuntime().halt(5); // the test is over: nobody will ever tell this probe what to do
        }, "probe-hub-listener");
        listener.setDaemon(true);
        listener.start();
        new ProbeWorker().serve(args, toHub, replies);
    }

    private void serve(String[] args, Writer toHub, BlockingQueue<String> replies) throws Exception {
        List<String> encoded = new ArrayList<>();
        for (String arg : args) {
            encoded.add(URLEncoder.encode(arg, StandardCharsets.UTF_8));
        }
        send(toHub, "hello " + ProcessHandle.current().pid() + " " + args.length + " " + String.join(" ", encoded));
        String[] options = replies.take().split(" ");
        long stderrBytes = Long.parseLong(options[1]);
        boolean ignoreEof = Boolean.parseBoolean(options[2]);
        if (stderrBytes > 0) {
            flood(stderrBytes);
            send(toHub, "stderr-done");
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        PrintStream out = System.out;
        int n = 0;
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            n++;
            String[] words = line.split(" ");
            long from;
            long to;
            try {
                if (words.length != 3 || !words[0].equals("count")) {
                    throw new NumberFormatException();
                }
                from = Long.parseLong(words[1]);
                to = Long.parseLong(words[2]);
            } catch (NumberFormatException notARequest) {
                send(toHub, "bad " + n + " " + URLEncoder.encode(line, StandardCharsets.UTF_8));
                sleep(FOREVER_MILLIS);
                return;
            }
            if (stderrBytes > 0 && n > 1) {
                // A chatty worker goes on logging while it works, not only when it starts: a pool that reads its
                // standard error only until some moment (the first answer, a blank line) blocks it later.
                flood(Math.min(stderrBytes, 20_000L));
            }
            send(toHub, "ask " + n + " " + from + " " + to + " " + in.ready());
            String[] reply = replies.take().split(" ");
            switch (reply[0]) {
                case "answer" -> {
                    // The answer is told to the test first: once it is out, the pool may send the next request.
                    send(toHub, "answering " + n + " " + in.ready());
                    out.print(reply[1] + "\n");
                    out.flush();
                }
                case "halt" -> Runtime.getRuntime().halt(Integer.parseInt(reply[1]));
                case "exit" -> System.exit(0);
                case "throw" -> throw ProbeWorker.<RuntimeException>sneaky(failure(reply[1]));
                case "close-output" -> {
                    System.out.close(); // the pool reads the end of this worker's output, but the process lives on
                    sleep(FOREVER_MILLIS);
                }
                case "hang" -> sleep(FOREVER_MILLIS);
                default -> throw new IllegalStateException("unknown reply from the test: " + String.join(" ", reply));
            }
        }
        send(toHub, "eof " + n);
        if (ignoreEof) {
            sleep(FOREVER_MILLIS);
        }
    }

    /**
     * The failure {@code katas.testkit.Shapes.failure} drew, by its simple name. (A probe runs in a JVM
     * of its own, on the class path the pool gives it, which need not hold the testkit.)
     */
    private static Throwable failure(String kind) {
        String message = "ProbeWorker crashes here on purpose (the test told it to): the pool must run this range again";
        return switch (kind) {
            case "KataError" -> new ProbeError(message);
            case "IOException" -> new IOException(message);
            default -> new IllegalStateException(message);
        };
    }

    /** Throws a checked exception from code that declares none, as {@code katas.testkit.Sneaky} does. */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable failure) throws T {
        throw (T) failure;
    }

    /** An Error, the kind of failure that code catching only Exception lets through. */
    static final class ProbeError extends Error {
        ProbeError(String message) {
            super(message);
        }
    }

    /**
     * Writes this many bytes of harmless lines to standard error, in one go, as a chatty worker would: lines of
     * text, and among them every kind of line a log holds (blank, only spaces or a tab, a carriage return, a
     * long one), so that a pool that drains the pipe only until some kind of line blocks the worker.
     */
    private static void flood(long bytes) throws IOException {
        OutputStream err = new FileOutputStream(FileDescriptor.err);
        byte[] text = ("ProbeWorker " + ProcessHandle.current().pid() + ": a chatty worker writes lines like this to "
                + "standard error; the pool must not let that pipe fill up\n").getBytes(StandardCharsets.US_ASCII);
        byte[][] lines = {text, "\n".getBytes(StandardCharsets.US_ASCII), text, "   \n".getBytes(StandardCharsets.US_ASCII),
            text, "\t\r\n".getBytes(StandardCharsets.US_ASCII), text, "\r\n".getBytes(StandardCharsets.US_ASCII),
            (".".repeat(3_000) + "\n").getBytes(StandardCharsets.US_ASCII)};
        long written = 0;
        for (int i = 0; written < bytes; i = (i + 1) % lines.length) {
            err.write(lines[i]);
            written += lines[i].length;
        }
        err.flush();
    }

    private static void send(Writer toHub, String line) throws IOException {
        synchronized (toHub) {
            toHub.write(line + "\n");
            toHub.flush();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

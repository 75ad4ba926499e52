package katas.processpoolprimes;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The worker process: it reads requests from standard input and answers each on standard output,
 * one line per request, as the README's protocol says. It runs in a JVM of its own, which is its
 * only thread of work: it serves one request at a time, in the order they arrive.
 */
public final class PrimeWorker {

    private PrimeWorker() {
    }

    /** Serves {@code count <from> <to>} requests until standard input ends, then exits. */
    public static void main(String[] args) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        PrintStream out = System.out;
        // FIX: readLine() returns null when the pool closes the pipe (or dies): the loop ends and
        // the JVM exits, so a worker never outlives its pool.
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            out.println(answer(line.trim()));
            out.flush(); // FIX: the pool waits for this line; an answer left in a buffer would hang it
        }
    }

    private static String answer(String request) {
        String[] words = request.split("\\s+");
        if (words.length != 3 || !words[0].equals("count")) {
            return "error expected `count <from> <to>`, got `" + request + "`";
        }
        try {
            long from = Long.parseLong(words[1]);
            long to = Long.parseLong(words[2]);
            long count = 0;
            for (long n = from; n < to; n++) {
                if (Primes.isPrime(n)) {
                    count++;
                }
            }
            return Long.toString(count);
        } catch (NumberFormatException notANumber) {
            return "error not a number in `" + request + "`";
        }
    }
}

package katas.processpoolprimes;

import java.io.IOException;

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
        // TODO: the pool blocks until your answer line arrives: an answer left in an output buffer,
        // or a worker that keeps running after its input has ended, leaves someone waiting forever.
        throw new UnsupportedOperationException(
                "TODO: read `count <from> <to>` lines from System.in and answer each with the number of primes in [from, to)");
    }
}

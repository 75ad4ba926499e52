package katas.parallelprimes;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongPredicate;

/**
 * Counts the primes in a range of numbers on several threads. {@link #count} may be called from
 * any number of threads at the same time, each call getting its own answer; {@link #close} is
 * called once, after every count has returned, and count is not called after it.
 */
public class ParallelPrimeCounter implements AutoCloseable {

    /** A counter that uses one thread per core: {@code Runtime.getRuntime().availableProcessors()}. */
    public ParallelPrimeCounter() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** A counter that runs {@code isPrime} on at most {@code threads} threads at a time (1 or more). */
    public ParallelPrimeCounter(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        }
    }

    /**
     * How many numbers {@code n} with {@code from <= n < to} pass {@code isPrime}; every such
     * number is tested exactly once, on up to {@code threads} threads at the same time.
     *
     * @throws IllegalArgumentException naming the bad bound, if {@code from} is negative or
     *                                  {@code to} is less than {@code from}
     * @throws RuntimeException         if {@code isPrime} throws: that exception, or one caused by it
     */
    public long count(long from, long to, LongPredicate isPrime) {
        if (from < 0) {
            throw new IllegalArgumentException("from must not be negative, was " + from);
        }
        if (to < from) {
            throw new IllegalArgumentException("to must not be less than from, was [" + from + ", " + to + ")");
        }
        AtomicLong found = new AtomicLong();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        List<Thread> started = new ArrayList<>();
        try {
            for (long n = from; n < to; n++) {
                long number = n;
                // MUTANT: a whole new thread to test a single number
                started.add(Thread.ofPlatform().start(() -> {
                    try {
                        if (isPrime.test(number)) {
                            found.incrementAndGet();
                        }
                    } catch (RuntimeException broke) {
                        failure.compareAndSet(null, broke);
                    }
                }));
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException();
                }
            }
            for (Thread thread : started) {
                thread.join();
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while counting primes in [" + from + ", " + to + ")",
                    interrupted);
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return found.get();
    }

    /** Stops the threads this counter owns, if it owns any. */
    @Override
    public void close() {
    }
}

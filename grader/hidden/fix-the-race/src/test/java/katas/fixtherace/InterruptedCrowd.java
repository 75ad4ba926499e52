package katas.fixtherace;

import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import katas.testkit.Shapes;

/**
 * Which threads of a crowd are interrupted before their first call, and whether every call left them interrupted.
 * The crowd itself makes calls wait, wherever the lock is: an interrupted thread must wait like any other, have its
 * call count, and keep its interrupt (rule 9).
 */
final class InterruptedCrowd {

    private final boolean[] interrupted;
    private final AtomicReference<String> flagLost = new AtomicReference<>();

    private InterruptedCrowd(boolean[] interrupted) {
        this.interrupted = interrupted;
    }

    /**
     * Each of {@code size} threads interrupted by chance, at least {@code atLeast} of them surely (next to each
     * other), and when {@code oneNot}, the thread after those surely not.
     */
    static InterruptedCrowd draw(Shapes round, int size, int atLeast, boolean oneNot) {
        boolean[] interrupted = new boolean[size];
        for (int t = 0; t < size; t++) {
            interrupted[t] = round.chance("thread " + t + " interrupted", 0.6);
        }
        int surely = round.between("a thread surely interrupted", 0, size - 1);
        for (int i = 0; i < atLeast; i++) {
            interrupted[(surely + i) % size] = true;
        }
        if (oneNot) {
            interrupted[(surely + atLeast) % size] = false;
        }
        return new InterruptedCrowd(interrupted);
    }

    boolean is(int thread) {
        return interrupted[thread];
    }

    long count() {
        return IntStream.range(0, interrupted.length).filter(t -> interrupted[t]).count();
    }

    /**
     * {@code call}, made by a thread interrupted before its first call when it is one of those; a call that left
     * it without its interrupt is noted ({@link #flagLost}), and the interrupt set again for the next call.
     */
    Crowd.Call around(Crowd.Call call) {
        return (thread, n) -> {
            if (n == 0 && interrupted[thread]) {
                Thread.currentThread().interrupt();
            }
            call.run(thread, n);
            if (interrupted[thread] && !Thread.interrupted()) {
                flagLost.compareAndSet(null, "thread " + thread + ", call " + n);
            }
            if (interrupted[thread]) {
                Thread.currentThread().interrupt();
            }
        };
    }

    /** The first call that cleared its thread's interrupt, or null. */
    String flagLost() {
        return flagLost.get();
    }
}

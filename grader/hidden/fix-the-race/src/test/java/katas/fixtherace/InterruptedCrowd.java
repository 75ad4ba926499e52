package katas.fixtherace;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;
import katas.testkit.Shapes;
import katas.testkit.TestThreads;

/**
 * Which threads of a crowd are interrupted before their first call, which are interrupted later while they wait
 * (for a lock, or in a slow fraud check), and whether every call left them interrupted. The crowd itself makes calls
 * wait, wherever the lock is: an interrupted thread must wait like any other, have its call count, and keep its
 * interrupt (rule 9).
 */
final class InterruptedCrowd {

    private static final int NOT_YET = 0;
    private static final int BEING_INTERRUPTED = 1;
    private static final int INTERRUPTED = 2;

    private final boolean[] interrupted;
    private final AtomicReferenceArray<Thread> threads;
    private final AtomicIntegerArray late;
    private final AtomicReference<String> flagLost = new AtomicReference<>();

    private InterruptedCrowd(boolean[] interrupted) {
        this.interrupted = interrupted;
        this.threads = new AtomicReferenceArray<>(interrupted.length);
        this.late = new AtomicIntegerArray(interrupted.length);
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
        return interrupted[thread] || late.get(thread) == INTERRUPTED;
    }

    /** The threads interrupted before their first call. */
    long count() {
        return IntStream.range(0, interrupted.length).filter(t -> interrupted[t]).count();
    }

    /** The threads interrupted later, while they waited. */
    long countLate() {
        return IntStream.range(0, interrupted.length).filter(t -> late.get(t) != NOT_YET).count();
    }

    /**
     * {@code call}, made by a thread interrupted before its first call when it is one of those; a call that left
     * an interrupted thread (before its first call, or by {@link #whileTheyWait()}) without its interrupt is noted
     * ({@link #flagLost}), and the interrupt set again for the next call.
     */
    Crowd.Call around(Crowd.Call call) {
        return (thread, n) -> {
            if (n == 0) {
                threads.set(thread, Thread.currentThread());
                if (interrupted[thread]) {
                    Thread.currentThread().interrupt();
                }
            }
            call.run(thread, n);
            // Interrupted late only once interrupt() has returned: an interrupt still on its way is judged next call
            boolean flagged = interrupted[thread] || late.get(thread) == INTERRUPTED;
            if (flagged && !Thread.interrupted()) {
                flagLost.compareAndSet(null, "thread " + thread + ", call " + n
                        + (interrupted[thread] ? "" : ", interrupted while it waited"));
            }
            if (flagged) {
                Thread.currentThread().interrupt();
            }
        };
    }

    /**
     * Interrupts, while the crowd runs, each thread not interrupted before its first call, once, the first time it
     * is seen waiting (for a lock, or parked in a slow fraud check) after its first call began: a thread
     * interrupted while it waits must still have its call counted (red team I: a lockInterruptibly() that drops the
     * hit). Close it once the crowd has run.
     */
    AutoCloseable whileTheyWait() {
        AtomicBoolean over = new AtomicBoolean();
        Thread interrupter = TestThreads.own(Thread.ofPlatform().daemon(true).name("interrupter").unstarted(() -> {
            while (!over.get()) {
                for (int t = 0; t < interrupted.length; t++) {
                    Thread thread = threads.get(t);
                    if (!interrupted[t] && thread != null && late.get(t) == NOT_YET && waits(thread)) {
                        late.set(t, BEING_INTERRUPTED);
                        thread.interrupt();
                        late.set(t, INTERRUPTED);
                    }
                }
                LockSupport.parkNanos(20_000);
            }
        }));
        interrupter.start();
        return () -> {
            over.set(true);
            interrupter.join();
        };
    }

    private static boolean waits(Thread thread) {
        Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                || state == Thread.State.BLOCKED;
    }

    /** The first call that cleared its thread's interrupt, or null. */
    String flagLost() {
        return flagLost.get();
    }
}

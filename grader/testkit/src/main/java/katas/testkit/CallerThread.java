package katas.testkit;

import java.util.Collection;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Calls made on the test's own thread, as an application's thread makes them one after another, and what they
 * leave of that thread's interrupt status: a call that throws {@code InterruptedException} clears it (as the JDK's
 * blocking methods do), and one nobody interrupted leaves it clear, so that the thread's next call works.
 */
public final class CallerThread {

    private CallerThread() {
    }

    /** What a call returned or threw, and whether it left its thread's interrupt status set. */
    public record Outcome<T>(T returned, Throwable thrown, boolean interruptStatus) {
    }

    /**
     * Makes {@code call} on this thread and reads the interrupt status it leaves; then, whatever happened, runs
     * {@code afterwards} (release what the call waits for, stop the test's threads) and clears the status, so that
     * the test goes on with a clean thread.
     */
    public static <T> Outcome<T> call(Callable<T> call, Runnable afterwards) {
        T returned = null;
        Throwable thrown = null;
        boolean status;
        try {
            try {
                returned = call.call();
            } catch (Throwable t) {
                thrown = t;
            }
            status = Thread.currentThread().isInterrupted();
        } finally {
            afterwards.run();
            Thread.interrupted();
        }
        return new Outcome<>(returned, thrown, status);
    }

    /**
     * Starts a daemon thread that interrupts this thread once {@code ready} says so (5 s at most), and ends quietly
     * if it is interrupted first: {@link #stop} it once the call has returned.
     */
    public static Thread interruptWhen(BooleanSupplier ready, String name) {
        Thread caller = Thread.currentThread();
        Thread interrupter = new Thread(() -> {
            awaitOrGiveUp(ready, 5_000);
            if (!Thread.currentThread().isInterrupted()) {
                caller.interrupt();
            }
        }, name);
        interrupter.setDaemon(true);
        interrupter.start();
        return interrupter;
    }

    /**
     * Starts a daemon thread that interrupts this thread once {@code first} says so (5 s at most; null: no first
     * interrupt, the test set the status before the call), then {@code again} more times while the call waits for what
     * it stopped to wind down: each time once a stopped worker {@link WindDown#hold holds} in {@code windDown} (so the
     * call cannot have finished waiting yet) and this thread's interrupt status is clear (the call has taken the
     * interrupt before), and once this thread is seen parked (1 s at most: a call that waits without parking gets the
     * interrupt all the same); then it waits until the call has taken that interrupt too (the status clear again, 5 s
     * at most). After the last interrupt, or when it gives up (nothing held within 5 s) or is stopped, it ends the
     * wind-down ({@link WindDown#over}). {@link #stop} it, and end the wind-down yourself, once the call has returned.
     */
    public static Thread interruptAgainWhileWindingDown(BooleanSupplier first, int again, WindDown windDown,
            String name) {
        Thread caller = Thread.currentThread();
        Thread interrupter = new Thread(() -> {
            try {
                if (first != null) {
                    awaitOrGiveUp(first, 5_000); // as interruptWhen: 5 s at most, then it interrupts all the same
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    caller.interrupt();
                }
                for (int i = 0; i < again; i++) {
                    if (!awaitOrGiveUp(() -> windDown.holding() && !caller.isInterrupted(), 5_000)) {
                        return;
                    }
                    awaitOrGiveUp(() -> parked(caller), 1_000);
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    caller.interrupt();
                    if (!awaitOrGiveUp(() -> !caller.isInterrupted(), 5_000)) {
                        return;
                    }
                }
            } finally {
                windDown.over();
            }
        }, name);
        interrupter.setDaemon(true);
        interrupter.start();
        return interrupter;
    }

    /** Whether {@code thread} is parked (waiting, with or without a timeout). */
    private static boolean parked(Thread thread) {
        Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    /** Waits until {@code until} says so (true), or {@code millis} have passed or this thread is interrupted (false). */
    private static boolean awaitOrGiveUp(BooleanSupplier until, long millis) {
        long start = System.nanoTime();
        while (!until.getAsBoolean()) {
            if (Thread.currentThread().isInterrupted()
                    || System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(millis)) {
                return false;
            }
            LockSupport.parkNanos(100_000);
        }
        return true;
    }

    /** Stops an interrupter that has not fired yet (null: none), and waits for it. */
    public static void stop(Thread interrupter) {
        if (interrupter != null) {
            interrupter.interrupt();
            joinQuietly(interrupter);
        }
    }

    /** Waits (2 s at most each) for threads the test started or watched, whatever this thread's interrupt status. */
    public static void joinQuietly(Collection<Thread> threads) {
        threads.forEach(CallerThread::joinQuietly);
    }

    /** Waits (2 s at most) for a thread the test started or watched, whatever this thread's interrupt status. */
    public static void joinQuietly(Thread thread) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        boolean interrupted = false;
        while (ThreadEnd.stillRuns(thread) && System.nanoTime() < deadline) {
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException again) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}

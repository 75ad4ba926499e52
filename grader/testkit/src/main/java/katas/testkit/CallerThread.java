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
            long start = System.nanoTime();
            while (!ready.getAsBoolean() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) {
                LockSupport.parkNanos(100_000);
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
            }
            caller.interrupt();
        }, name);
        interrupter.setDaemon(true);
        interrupter.start();
        return interrupter;
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
        while (thread.isAlive() && System.nanoTime() < deadline) {
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

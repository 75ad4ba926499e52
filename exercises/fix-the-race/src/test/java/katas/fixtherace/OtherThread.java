package katas.fixtherace;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import katas.testkit.Sneaky;
import katas.testkit.ThreadDiagnosis;

/**
 * Makes one call on a thread of its own, when nothing else is using the object: such a call never has
 * to wait for anyone. A call that sits waiting (for a lock, a monitor, a condition) for
 * {@value #PATIENCE_MILLIS} ms without a break waits for something no running call holds, such as a
 * lock left locked by a call that threw. That is judged by what the thread does, not by how long the
 * call takes: a slow machine only makes a correct call run later, never wait.
 */
final class OtherThread {

    private static final long PATIENCE_MILLIS = 500;
    private static final long BOUND_MILLIS = 10_000;

    private OtherThread() {
    }

    /**
     * Runs {@code call} on a new thread named {@code name} and returns its result (or throws what it threw).
     *
     * @param what the call, for the message: "deposit(40)"
     * @param before what happened before, for the message: "after the fraud check threw in withdraw(30)"
     */
    static <T> T call(String name, String what, String before, Callable<T> call) throws InterruptedException {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = Thread.ofPlatform().daemon(true).name(name).start(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable failure) {
                result.completeExceptionally(failure);
            }
        });
        long start = System.nanoTime();
        long waitingSince = -1;
        while (true) {
            try {
                return result.get(5, TimeUnit.MILLISECONDS);
            } catch (ExecutionException failed) {
                throw Sneaky.raise(failed.getCause());
            } catch (TimeoutException notYet) {
                long now = System.nanoTime();
                Thread.State state = thread.getState();
                boolean waiting = state == Thread.State.BLOCKED || state == Thread.State.WAITING
                        || state == Thread.State.TIMED_WAITING;
                if (!waiting) {
                    waitingSince = -1;
                } else if (waitingSince < 0) {
                    waitingSince = now;
                } else if (now - waitingSince > TimeUnit.MILLISECONDS.toNanos(PATIENCE_MILLIS) && !result.isDone()) {
                    String why = ThreadDiagnosis.explain(List.of(thread));
                    thread.interrupt();
                    throw new AssertionError(what + " on another thread ('" + name + "'), " + before + ", waited "
                            + PATIENCE_MILLIS + " ms for a lock that no running call holds: a lock taken by an "
                            + "earlier call was never released (unlock() belongs in a finally block). " + why);
                }
                if (now - start > TimeUnit.MILLISECONDS.toNanos(BOUND_MILLIS) && !result.isDone()) {
                    String why = ThreadDiagnosis.explain(List.of(thread));
                    thread.interrupt();
                    throw new AssertionError(what + " on another thread ('" + name + "'), " + before
                            + ", did not return within " + BOUND_MILLIS / 1000 + " s. " + why);
                }
            }
        }
    }
}

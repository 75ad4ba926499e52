package katas.processpoolprimes;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import katas.testkit.TestThreads;

/**
 * Calls into the pool with a bound, so that a pool that waits forever fails its test with an
 * explanation, and the test can still clean up (kill the workers) instead of hanging with them.
 */
final class Within {

    private Within() {
    }

    /** What a bounded call ended with: a value, or the exception the call threw. */
    record Outcome<T>(T value, Throwable failure) {
    }

    /**
     * Runs {@code call} in a thread of its own and returns what it returned, or fails the test if
     * it takes longer than {@code bound}; {@code stuckMeans} says what a hang means for the learner.
     */
    static <T> T call(Duration bound, String what, String stuckMeans, Callable<T> call) throws Exception {
        Outcome<T> outcome = attempt(bound, what, stuckMeans, call);
        if (outcome.failure() instanceof Exception exception) {
            throw exception;
        }
        if (outcome.failure() instanceof Error error) {
            throw error;
        }
        return outcome.value();
    }

    /** Like {@link #call} but hands back an exception the call threw instead of throwing it. */
    static <T> Outcome<T> attempt(Duration bound, String what, String stuckMeans, Callable<T> call)
            throws InterruptedException {
        CompletableFuture<T> result = start(what, call);
        try {
            return new Outcome<>(result.get(bound.toMillis(), TimeUnit.MILLISECONDS), null);
        } catch (ExecutionException failed) {
            return new Outcome<>(null, failed.getCause());
        } catch (TimeoutException hung) {
            throw new AssertionError(what + " did not return within " + bound.toSeconds() + " s: " + stuckMeans);
        }
    }

    /** Starts {@code call} in a daemon thread of its own and returns its future result at once. */
    static <T> CompletableFuture<T> start(String what, Callable<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        TestThreads.own(Thread.ofPlatform().daemon(true).name("test calls " + what).unstarted(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable failure) {
                result.completeExceptionally(failure);
            }
        })).start();
        return result;
    }
}

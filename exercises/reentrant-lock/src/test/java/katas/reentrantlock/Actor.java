package katas.reentrantlock;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import katas.testkit.ThreadDiagnosis;

/**
 * One call into the lock or the warehouse, made on a thread of the test's own, so that the test can watch it:
 * is it waiting, has it returned, what did it throw. Tests never judge speed; they look at the thread's state
 * (a thread that waits for a lock is WAITING, TIMED_WAITING or BLOCKED) and wait generously for what must happen.
 */
final class Actor {

    /** The call, run on the actor's thread. */
    @FunctionalInterface
    interface Call {
        void run() throws Exception;
    }

    /** How long the tests wait for something that must happen (a correct lock takes microseconds). */
    static final Duration PATIENCE = Duration.ofSeconds(5);
    /** How long a call seen waiting, without a break, counts as waiting for good. */
    static final Duration STUCK = Duration.ofMillis(1_000);

    private final Thread thread;
    private final CountDownLatch finished = new CountDownLatch(1);
    private volatile Throwable thrown;

    private Actor(String name, Call call) {
        thread = Thread.ofPlatform().daemon(true).name(name).unstarted(() -> {
            try {
                call.run();
            } catch (Throwable failure) {
                thrown = failure;
            } finally {
                finished.countDown();
            }
        });
    }

    /** Starts {@code call} on a new thread named {@code name}. */
    static Actor start(String name, Call call) {
        Actor actor = new Actor(name, call);
        actor.thread.start();
        return actor;
    }

    Thread thread() {
        return thread;
    }

    boolean isDone() {
        return finished.getCount() == 0;
    }

    /** What the call threw, or null. */
    Throwable thrown() {
        return thrown;
    }

    /** Waits up to {@code bound} for the call to end; true when it did. */
    boolean awaitDone(Duration bound) throws InterruptedException {
        return finished.await(bound.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Waits for the call to end, failing with {@code why} (and what its thread is doing) when it does not. */
    void mustFinish(String why) throws InterruptedException {
        if (!awaitDone(PATIENCE)) {
            throw new AssertionError(why + " (still not done after " + PATIENCE.toSeconds() + " s). "
                    + ThreadDiagnosis.explain(java.util.List.of(thread)));
        }
    }

    /** Whether the actor's thread is parked or blocked right now (waiting for the lock, presumably). */
    boolean isWaiting() {
        Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING || state == Thread.State.BLOCKED;
    }

    /**
     * Waits until the call waits (or has ended): the lock it asks for is held by someone else, so it must. Fails
     * with {@code what} when it keeps running instead, which only a lock that spins does.
     */
    void awaitWaiting(String what) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!isDone() && !isWaiting()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": the thread '" + thread.getName() + "' did not wait for the lock but "
                        + "kept running for " + PATIENCE.toSeconds() + " s (a lock that spins instead of waiting?)");
            }
            Thread.onSpinWait();
        }
    }

    /**
     * Waits for a call that must not wait at all, because no other thread holds the lock it takes. A call seen
     * waiting for {@link #STUCK} without a break fails with {@code whyItMustNotWait}: it is waiting for itself.
     */
    void mustNotWait(String call, String whyItMustNotWait) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        long waitingSince = 0;
        while (!awaitDone(Duration.ofMillis(2))) {
            long now = System.nanoTime();
            if (!isWaiting()) {
                waitingSince = 0;
            } else if (waitingSince == 0) {
                waitingSince = now;
            } else if (now - waitingSince > STUCK.toNanos()) {
                thread.interrupt();
                throw new AssertionError(call + " waited for " + STUCK.toMillis() + " ms although no other thread "
                        + "holds the lock: " + whyItMustNotWait + ". " + ThreadDiagnosis.explain(java.util.List.of(thread)));
            }
            if (now > deadline) {
                throw new AssertionError(call + " did not return within " + PATIENCE.toSeconds() + " s. "
                        + ThreadDiagnosis.explain(java.util.List.of(thread)));
            }
        }
    }

    /**
     * Runs {@code body} on a thread of its own, alone with the lock, and fails when it waits (for itself, since
     * nobody else holds the lock) or throws.
     */
    static void alone(String name, String call, String whyItMustNotWait, Call body) throws InterruptedException {
        Actor actor = start(name, body);
        actor.mustNotWait(call, whyItMustNotWait);
        actor.rethrowFailure();
    }

    /** Fails with what the call threw, if it threw. */
    void rethrowFailure() {
        Throwable failure = thrown;
        if (failure instanceof AssertionError assertion) {
            throw assertion;
        }
        if (failure != null) {
            throw new AssertionError("the thread '" + thread.getName() + "' failed: " + failure, failure);
        }
    }
}

package katas.semaphorepool;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One call into the pool on a thread of its own (acquire, withConnection, close), so that a test can see it
 * wait (its thread parked), interrupt it, and read what it returned or threw. Nothing here measures speed:
 * {@link #PATIENCE} only bounds how long a test waits for something a right pool does in microseconds.
 */
final class Attempt {

    /** How long a test waits for a call to start waiting, or to end, before it says what it saw. */
    static final Duration PATIENCE = Duration.ofSeconds(5);

    /** How long a call that must go on waiting is watched, to see that it does not end. */
    static final Duration STILL = Duration.ofMillis(150);

    private final String what;
    private final Thread thread;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Object returned;
    private volatile Throwable thrown;

    private Attempt(String what, Callable<?> call) {
        this.what = what;
        this.thread = Thread.ofPlatform().daemon(true).name(what).unstarted(() -> {
            try {
                returned = call.call();
            } catch (Throwable failure) {
                thrown = failure;
            } finally {
                ended.countDown();
            }
        });
    }

    /** Starts {@code call} on a new thread named {@code what} ("acquire(20 s) while all 3 are borrowed"). */
    static Attempt start(String what, Callable<?> call) {
        Attempt attempt = new Attempt(what, call);
        attempt.thread.start();
        return attempt;
    }

    /** Waits until the call is parked (waiting, as a call must while it cannot go on); fails if it ended instead. */
    Attempt awaitWaiting(String why) {
        try {
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(2))
                    .until(() -> ended() || isParked());
        } catch (ConditionTimeoutException notParked) {
            throw new AssertionError(what + " was neither waiting nor done " + PATIENCE.toSeconds() + " s after it "
                    + "began (its thread was " + thread.getState() + "): " + why);
        }
        if (ended()) {
            throw new AssertionError(what + " should still be waiting, but it " + outcome() + ": " + why);
        }
        return this;
    }

    /** True while the call's thread is parked: waiting in the pool, or holding a connection until its turn. */
    boolean isWaiting() {
        return !ended() && isParked();
    }

    /**
     * Checks that the call does not end for a while ({@link #STILL}): for a call that must go on waiting and
     * could end at any moment if it were wrong. A "never happens" check needs some span of time; this is its
     * only use of the clock, and a right call passes it however slow the machine is.
     */
    Attempt awaitStillWaiting(String why) {
        try {
            await().during(STILL).atMost(STILL.multipliedBy(4)).until(() -> !ended());
        } catch (ConditionTimeoutException endedMeanwhile) {
            throw new AssertionError(what + " should still be waiting, but it " + outcome() + ": " + why);
        }
        return this;
    }

    private boolean isParked() {
        Thread.State state = thread.getState();
        return state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING;
    }

    /** Waits until the call has returned or thrown; fails, saying {@code why}, if it is still busy after a while. */
    Attempt awaitEnded(String why) throws InterruptedException {
        if (!ended.await(PATIENCE.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            thread.interrupt(); // so that a call that never gives up does not keep the pool busy for the next test
            throw new AssertionError(what + " was still going on " + PATIENCE.toSeconds() + " s later (its thread was "
                    + thread.getState() + "): " + why);
        }
        return this;
    }

    boolean ended() {
        return ended.getCount() == 0;
    }

    void interrupt() {
        thread.interrupt();
    }

    Object returned() {
        return returned;
    }

    Throwable thrown() {
        return thrown;
    }

    /** What the call came to, in words: "returned dbx3-1", "threw TimeoutException: ...", "is still waiting". */
    String outcome() {
        if (!ended()) {
            return "is still waiting";
        }
        return thrown != null ? "threw " + thrown : "returned " + returned;
    }

    @Override
    public String toString() {
        return what;
    }
}

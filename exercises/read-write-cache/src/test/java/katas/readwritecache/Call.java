package katas.readwritecache;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One call into the cache on a thread of its own, so that a test can see it wait (for the lock, which the lock
 * itself tells, or for another thread's load), interrupt it, and read what it returned or threw. Nothing here is
 * judged by a clock: the patience only bounds how long a test waits for what a right cache does in microseconds.
 *
 * @param <T> what the call returns
 */
final class Call<T> {

    /** How long a test waits for something a right cache does at once, before it says what it saw. */
    static final Duration PATIENCE = Duration.ofSeconds(5);

    private final String what;
    private final SeenLock lock;
    private final Thread thread;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile T returned;
    private volatile Throwable thrown;
    private volatile String heldAfter;

    private Call(String what, SeenLock lock, Callable<T> body) {
        this.what = what;
        this.lock = lock;
        this.thread = Thread.ofPlatform().daemon(true).name(what).unstarted(() -> {
            try {
                returned = body.call();
            } catch (Throwable failure) {
                thrown = failure;
            } finally {
                heldAfter = lock == null ? null : lock.heldByMe();
                ended.countDown();
            }
        });
    }

    /** Starts {@code body} on a new thread named {@code what} ("get(k3)"); {@code lock} is the cache's, or null. */
    static <T> Call<T> start(String what, SeenLock lock, Callable<T> body) {
        Call<T> call = new Call<>(what, lock, body);
        call.thread.start();
        return call;
    }

    /**
     * Waits until the call ended, and fails when it left the lock held. While no other thread uses the cache, a call
     * that waits for the lock can never get it: that is reported at once, not waited out.
     */
    Call<T> awaitEnded(String why) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!ended.await(1, TimeUnit.MILLISECONDS)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not end within " + PATIENCE.toSeconds() + " s (its thread is "
                        + thread.getState() + (lock == null ? "" : ", the cache's lock is " + lock.holders()) + "): "
                        + why);
            }
        }
        if (heldAfter != null) {
            throw new AssertionError(what + " " + outcome() + " and its thread still held " + heldAfter
                    + " afterwards: every call must give the lock back, also when it throws (unlock in finally; "
                    + "rule 2)");
        }
        return this;
    }

    /** Like {@link #awaitEnded}, for a call that is the only one using the cache: waiting for the lock is a hang. */
    Call<T> awaitEndedAlone(String why) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        int seenStuck = 0;
        while (!ended.await(1, TimeUnit.MILLISECONDS)) {
            // Seen several times over, so that a thread passing through the queue is not taken for a stuck one.
            seenStuck = lock != null && lock.hasQueuedThread(thread) ? seenStuck + 1 : 0;
            if (seenStuck >= 20 || System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not end (its thread is " + thread.getState()
                        + (seenStuck >= 20 ? ", waiting to take the cache's lock, which is " + lock.holders()
                                + ", while no other thread uses the cache: it waits for itself. A thread that holds "
                                + "the read lock cannot take the write lock (a read lock cannot be upgraded): let "
                                + "the read lock go first, then take the write lock and look again (rule 2)"
                                : ", " + PATIENCE.toSeconds() + " s") + "): " + why);
            }
        }
        return awaitEnded(why);
    }

    /**
     * Like {@link #awaitEnded}, for a read made while only the test holds the read lock and no other thread uses the
     * cache: the lock lets a reader in at once then, so a call seen queued for it asked for the write lock, and is
     * reported at once, not waited out.
     */
    Call<T> awaitEndedBesideAReader(String why) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        int seenQueued = 0;
        while (!ended.await(1, TimeUnit.MILLISECONDS)) {
            // Seen several times over, so that a thread passing through the queue is not taken for a waiting one.
            seenQueued = lock.hasQueuedThread(thread) ? seenQueued + 1 : 0;
            if (seenQueued >= 20 || System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not end (its thread is " + thread.getState()
                        + (seenQueued >= 20 ? ", waiting to take the cache's lock, which is " + lock.holders()
                                + " and nobody else asks for: it asked for the write lock, which waits for every "
                                + "reader to leave" : ", " + PATIENCE.toSeconds() + " s") + "): " + why);
            }
        }
        return awaitEnded(why);
    }

    /** Waits until the call waits to take the lock (which someone, the test, holds); fails when it ended instead. */
    Call<T> awaitQueued(String why) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!ended() && !lock.hasQueuedThread(thread)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not ask for the cache's lock within " + PATIENCE.toSeconds()
                        + " s while it was " + lock.holders() + " (its thread is " + thread.getState() + "): " + why);
            }
            Thread.onSpinWait();
        }
        if (ended()) {
            throw new AssertionError(what + " " + outcome() + " while the cache's lock was " + lock.holders()
                    + ", so it never took the lock: " + why);
        }
        return this;
    }

    /** Waits until the call is parked somewhere other than the lock's queue (waiting for a load); fails when it ended. */
    Call<T> awaitWaitingForALoad(String why) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!ended() && !waitsForALoad()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not wait within " + PATIENCE.toSeconds() + " s (its thread is "
                        + thread.getState() + "): " + why);
            }
            Thread.onSpinWait();
        }
        if (ended()) {
            throw new AssertionError(what + " should wait, but it " + outcome() + ": " + why);
        }
        return this;
    }

    /** True while the thread is blocked or parked, and not in the queue of the cache's lock. */
    boolean waitsForALoad() {
        Thread.State state = thread.getState();
        boolean parked = state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                || state == Thread.State.BLOCKED;
        return parked && (lock == null || !lock.hasQueuedThread(thread));
    }

    /** The value returned, after {@link #awaitEnded}; fails saying what was thrown instead. */
    T value(String why) throws InterruptedException {
        awaitEnded(why);
        if (thrown != null) {
            // The exception's own message is quoted: a stub's "TODO: ..." must not read as part of what was expected.
            throw new AssertionError(what + " " + outcome() + (why.isEmpty() ? "" : "; expected: " + why), thrown);
        }
        return returned;
    }

    void interrupt() {
        thread.interrupt();
    }

    Thread thread() {
        return thread;
    }

    boolean ended() {
        return ended.getCount() == 0;
    }

    T returned() {
        return returned;
    }

    Throwable thrown() {
        return thrown;
    }

    /** "returned k1#1", "threw ExecutionException: ...", "is still running". */
    String outcome() {
        if (!ended()) {
            return "is still running";
        }
        return thrown == null ? "returned " + returned : "threw " + thrown.getClass().getName()
                + (thrown.getMessage() == null ? "" : " \"" + thrown.getMessage() + "\"");
    }

    @Override
    public String toString() {
        return what;
    }
}

package katas.boundedbuffer;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import katas.testkit.WakeableLock;

/**
 * One call into the buffer on a thread of its own, so that a test can see it wait on the lock's conditions
 * ({@link WakeableLock#threadsWaitingOnConditions()}, never a clock or a guess from the thread's state), wake it,
 * interrupt it, and read what it returned or threw, and whether it left the lock held.
 */
final class Waiter {

    /** How long a test waits for something a right buffer does in microseconds, before it says what it saw. */
    static final Duration PATIENCE = Duration.ofSeconds(5);

    private final String what;
    private final WakeableLock lock;
    private final Thread thread;
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile Object returned;
    private volatile Throwable thrown;
    private volatile boolean lockHeldAfter;
    private volatile long nanosTaken;

    private Waiter(String what, WakeableLock lock, Callable<?> call) {
        this.what = what;
        this.lock = lock;
        this.thread = Thread.ofPlatform().daemon(true).name(what).unstarted(() -> {
            long start = System.nanoTime();
            try {
                returned = call.call();
            } catch (Throwable failure) {
                thrown = failure;
            } finally {
                nanosTaken = System.nanoTime() - start;
                lockHeldAfter = lock.isHeldByCurrentThread();
                ended.countDown();
            }
        });
    }

    /** Starts {@code call} on a new thread named {@code what} ("put(7) into a full buffer of 3"). */
    static Waiter start(String what, WakeableLock lock, Callable<?> call) {
        Waiter waiter = new Waiter(what, lock, call);
        waiter.thread.start();
        return waiter;
    }

    /** Waits until the call waits on a condition of the lock; fails when it ended instead. */
    Waiter awaitWaiting(String why) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!ended() && !lock.threadsWaitingOnConditions().contains(thread)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not wait on a condition of the buffer's lock within "
                        + PATIENCE.toSeconds() + " s (its thread is " + thread.getState() + "): " + why
                        + ". The buffer must wait with await() on conditions made from the lock it was given.");
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
        if (ended()) {
            throw new AssertionError(what + " should wait, but it " + outcome() + ": " + why);
        }
        return this;
    }

    /**
     * Wakes every waiter of the lock for no reason (a spurious wakeup) and checks that this call goes back to
     * waiting instead of going on. The wakeup takes it off the condition; back on it means it looked and waited
     * again.
     */
    Waiter wakeForNothing(String why) throws InterruptedException {
        lock.wakeEarly();
        return awaitWaiting("it was woken while nothing had changed, so it must wait again: " + why);
    }

    /** Waits until the call ended; fails, saying what it does, when it did not within the patience. */
    Waiter awaitEnded(String why) throws InterruptedException {
        if (!ended.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(what + " did not end within " + PATIENCE.toSeconds() + " s (its thread is "
                    + thread.getState() + (lock.threadsWaitingOnConditions().contains(thread)
                            ? ", waiting on a condition of the buffer's lock" : "") + "): " + why);
        }
        if (lockHeldAfter) {
            throw new AssertionError(what + " " + outcome() + " and left the buffer's lock held by its thread: "
                    + "every call must give the lock back, also when it throws (unlock in finally; rule 9)");
        }
        return this;
    }

    /**
     * Waits until the call ended or waits on a condition of the lock, or the patience ran out, and says nothing
     * about which: for a call made while another is still on its way out, where only the test after it judges.
     */
    Waiter awaitEndedOrWaiting() {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        try {
            while (!ended() && !waitsOnACondition() && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return this;
    }

    /** Waits until the call waits to take the lock (which the test holds), so that calls queue in a known order. */
    Waiter awaitQueuedForTheLock() throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!ended() && !lock.hasQueuedThread(thread)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + " did not ask for the buffer's lock within " + PATIENCE.toSeconds()
                        + " s while the test held it (its thread is " + thread.getState() + "): every call must take "
                        + "the lock the buffer was given");
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
        if (ended()) {
            throw new AssertionError(what + " " + outcome() + " while the test held the buffer's lock: every call "
                    + "must take the lock the buffer was given");
        }
        return this;
    }

    /** True while the call waits on a condition of the lock (call with the lock held, to see a settled state). */
    boolean waitsOnACondition() {
        return lock.threadsWaitingOnConditions().contains(thread);
    }

    void interrupt() {
        thread.interrupt();
    }

    boolean ended() {
        return ended.getCount() == 0;
    }

    Object returned() {
        return returned;
    }

    Throwable thrown() {
        return thrown;
    }

    /** How long the call took, measured on its own thread (to check it waited long enough, never that it was fast). */
    Duration took() {
        return Duration.ofNanos(nanosTaken);
    }

    /** "returned 7", "threw InterruptedException: ...", "is still running". */
    String outcome() {
        if (!ended()) {
            return "is still running";
        }
        return thrown == null ? "returned " + returned : "threw " + thrown;
    }

    @Override
    public String toString() {
        return what;
    }
}

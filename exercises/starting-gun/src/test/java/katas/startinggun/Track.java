package katas.startinggun;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import katas.testkit.WakeableLock;

/**
 * The test's view of the lock a gun was given: which runners wait on its conditions, which queue for the lock
 * itself. Every "is it waiting?" question is answered from the lock, not from a clock: a runner that waits on the
 * gun's condition is listed by {@link WakeableLock#threadsWaitingOnConditions()}, and only then.
 */
final class Track {

    /** How long something that right code does in microseconds may take on a busy machine. */
    static final long PATIENCE_MILLIS = 4_000;

    private final WakeableLock lock;

    Track(WakeableLock lock) {
        this.lock = lock;
    }

    WakeableLock lock() {
        return lock;
    }

    /**
     * The threads waiting on the lock's conditions now. Asks with a bounded tryLock first: a runner that ended
     * still holding the lock would otherwise hang the test here instead of failing it with the reason.
     */
    Set<Thread> waiters() throws InterruptedException {
        if (!lock.tryLock(PATIENCE_MILLIS, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("rule 7: the gun's lock stayed held for " + PATIENCE_MILLIS / 1000 + " s while "
                    + "no runner could need it that long (" + lock + "): a runner that left awaitStart (by an "
                    + "interrupt, a timeout or a fire) kept it; unlock in a finally block");
        }
        try {
            return new HashSet<>(lock.threadsWaitingOnConditions());
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the runner waits on a condition of the lock; fails if it returns or never does. */
    void mustBeWaiting(Runner runner, String situation) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MILLIS);
        while (!waiters().contains(runner.thread())) {
            if (runner.isDone()) {
                throw new AssertionError(situation + ": runner " + runner + " should wait for the gun, but "
                        + runner.describeEnding() + stack(runner));
            }
            if (System.nanoTime() > giveUp) {
                throw new AssertionError("rule 8: " + situation + ": runner " + runner + " should wait on a "
                        + "condition of the lock the gun was given, but after " + PATIENCE_MILLIS / 1000 + " s it "
                        + "never did; it is " + runner.thread().getState() + " in " + where(runner) + " (sleeping "
                        + "or spinning in a loop, or waiting on a lock of its own, is not waiting on the gun's "
                        + "condition)");
            }
            pause();
        }
    }

    /** Waits until every runner waits on a condition of the lock. */
    void mustAllBeWaiting(List<Runner> runners, String situation) throws InterruptedException {
        for (Runner runner : runners) {
            mustBeWaiting(runner, situation);
        }
    }

    /**
     * After something that must not start the runner (a spurious wakeup, a reset): waits until it waits on the
     * condition again, and fails if it returns meanwhile.
     */
    void mustWaitAgain(Runner runner, String rule, String situation) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MILLIS);
        while (!waiters().contains(runner.thread())) {
            if (runner.isDone()) {
                throw new AssertionError(rule + ": " + situation + ", and runner " + runner + " went: "
                        + runner.describeEnding() + "; the gun was not fired, so it must wait on" + stack(runner));
            }
            if (System.nanoTime() > giveUp) {
                throw new AssertionError(rule + ": " + situation + ", and runner " + runner + " did not wait on "
                        + "the gun's condition again within " + PATIENCE_MILLIS / 1000 + " s; it is "
                        + runner.thread().getState() + " in " + where(runner));
            }
            pause();
        }
    }

    /**
     * After a fire: waits until every runner has returned (true, for timed ones). Fails at once when every runner
     * still in its call waits on the condition again, since then nothing can ever wake them: stranded.
     */
    void mustAllGo(List<Runner> runners, String rule, String situation) throws InterruptedException {
        long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MILLIS);
        while (true) {
            List<Runner> running = runners.stream().filter(r -> !r.isDone()).toList();
            if (running.isEmpty()) {
                break;
            }
            Set<Thread> waiting = waiters();
            if (running.stream().allMatch(r -> waiting.contains(r.thread()))) {
                throw new AssertionError(rule + ": " + situation + ", but " + running.size() + " of "
                        + runners.size() + " runners " + names(running) + " wait on the gun's condition again and "
                        + "nothing will ever wake them (stranded: "
                        + (running.size() < runners.size() ? "only some of the waiting runners were woken, or "
                        : "") + "a woken runner looked only at the flag and went back to waiting)");
            }
            if (System.nanoTime() > giveUp) {
                throw new AssertionError(rule + ": " + situation + ", but after " + PATIENCE_MILLIS / 1000 + " s "
                        + running.size() + " of " + runners.size() + " runners had not gone: "
                        + running.stream().map(r -> r + " " + r.describeEnding() + " in " + where(r)).toList());
            }
            pause();
        }
        for (Runner runner : runners) {
            if (runner.ending() != Runner.Ending.RETURNED || !runner.answer()) {
                throw new AssertionError(rule + ": " + situation + ", so runner " + runner + " must go ("
                        + (runner.isTimed() ? "return true" : "return") + "), but " + runner.describeEnding()
                        + stack(runner));
            }
        }
    }

    /** Waits until the runner queues to take the lock (which the test holds). */
    void mustQueueForLock(Runner runner, String situation) {
        long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MILLIS);
        while (!lock.hasQueuedThread(runner.thread())) {
            if (runner.isDone()) {
                throw new AssertionError(situation + ": runner " + runner + " should need the gun's lock, which "
                        + "the test holds, but " + runner.describeEnding() + " without taking it (rule 8: "
                        + "waiting and looking at the gun happen under the lock given)" + stack(runner));
            }
            if (System.nanoTime() > giveUp) {
                throw new AssertionError("rule 8: " + situation + ": runner " + runner + " never asked for the "
                        + "gun's lock, which the test holds; it is " + runner.thread().getState() + " in "
                        + where(runner));
            }
            pause();
        }
    }

    /** Fails if a runner that has ended left the gun's lock held. */
    void mustBeFree(String rule, String situation) {
        if (lock.isLocked() && !lock.isHeldByCurrentThread()) {
            throw new AssertionError(rule + ": " + situation + ", and the gun's lock is still held (" + lock
                    + "): a runner that left awaitStart did not unlock (unlock in a finally block)");
        }
    }

    /**
     * Runs one call of the gun on the test's thread (fire, reset, isFired, awaitStart) and fails if it left the
     * gun's lock held by this thread: more holds after it than before, whether it returned or threw.
     */
    <V> V onTheTestThread(String rule, String what, java.util.concurrent.Callable<V> call) throws Exception {
        int before = lock.getHoldCount();
        Throwable thrown = null;
        try {
            return call.call();
        } catch (Exception | Error failure) {
            thrown = failure;
            throw failure;
        } finally {
            int after = lock.getHoldCount();
            if (after != before) {
                AssertionError held = new AssertionError(rule + ": " + what + (thrown == null ? " returned" : " threw "
                        + thrown) + " and left the gun's lock held by the thread that called it (" + after
                        + " holds, " + before + " before the call): every call gives the lock back, also when it "
                        + "throws (take the lock, then try, and unlock in finally)");
                if (thrown != null) {
                    held.addSuppressed(thrown);
                }
                throw held;
            }
        }
    }

    /** {@code gun.fire()} on the test's thread, which must give the lock back. */
    void fire(StartingGun gun) throws Exception {
        onTheTestThread("rule 1", "fire()", () -> {
            gun.fire();
            return null;
        });
    }

    /** {@code gun.reset()} on the test's thread, which must give the lock back. */
    void reset(StartingGun gun) throws Exception {
        onTheTestThread("rule 3", "reset()", () -> {
            gun.reset();
            return null;
        });
    }

    static List<String> names(List<Runner> runners) {
        List<String> names = new ArrayList<>();
        runners.forEach(r -> names.add(r.name()));
        return names;
    }

    static String where(Runner runner) {
        StackTraceElement[] stack = runner.thread().getStackTrace();
        for (StackTraceElement frame : stack) {
            if (frame.getClassName().startsWith("katas.startinggun.StartingGun")) {
                return frame.toString();
            }
        }
        return stack.length == 0 ? "(ended)" : stack[0].toString();
    }

    private static String stack(Runner runner) {
        Throwable thrown = runner.thrown();
        return thrown == null || runner.ending() != Runner.Ending.THREW ? "" : " (" + thrown + " at "
                + (thrown.getStackTrace().length > 0 ? thrown.getStackTrace()[0] : "?") + ")";
    }

    static void pause() {
        LockSupport.parkNanos(200_000);
    }
}

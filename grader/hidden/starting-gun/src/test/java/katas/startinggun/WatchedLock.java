package katas.startinggun;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import katas.testkit.WakeableLock;

/**
 * Hidden: a {@link WakeableLock} that also counts how often each thread took it, and, when asked to, holds a chosen
 * thread just after that thread first lets go of the lock, so that the test can take the lock before the thread asks
 * for it again. Nothing here changes what the gun sees.
 */
final class WatchedLock extends WakeableLock {

    private static final long serialVersionUID = 1L;

    private final transient Map<Thread, AtomicInteger> takes = new ConcurrentHashMap<>();
    private final transient CountDownLatch held = new CountDownLatch(1);
    private final transient CountDownLatch resume = new CountDownLatch(1);
    private final transient AtomicBoolean armed = new AtomicBoolean();
    private transient volatile Thread caller;

    /**
     * From now on, the first time a thread other than the calling one lets go of the lock entirely, it is held
     * there, just after the release, until {@link #resume()}.
     */
    void holdTheFirstReleaseOfAnotherThread() {
        caller = Thread.currentThread();
        armed.set(true);
    }

    /** Whether the chosen thread let go of the lock once and is held just after that. */
    boolean isHoldingAfterRelease() {
        return held.getCount() == 0 && resume.getCount() > 0;
    }

    /** Lets the held thread go on (and holds nobody from now on). */
    void resume() {
        armed.set(false);
        resume.countDown();
    }

    /** How many times {@code thread} has taken this lock (reentrant holds too). */
    int takes(Thread thread) {
        AtomicInteger count = takes.get(thread);
        return count == null ? 0 : count.get();
    }

    /** Every timed wait on the conditions of this lock so far, in the order they began. */
    List<ConditionWait> timedWaits() {
        return conditionWaits().stream().filter(ConditionWait::timed).toList();
    }

    private void took() {
        takes.computeIfAbsent(Thread.currentThread(), t -> new AtomicInteger()).incrementAndGet();
    }

    @Override
    public void lock() {
        super.lock();
        took();
    }

    @Override
    public void lockInterruptibly() throws InterruptedException {
        super.lockInterruptibly();
        took();
    }

    @Override
    public boolean tryLock() {
        boolean taken = super.tryLock();
        if (taken) {
            took();
        }
        return taken;
    }

    @Override
    public boolean tryLock(long timeout, TimeUnit unit) throws InterruptedException {
        boolean taken = super.tryLock(timeout, unit);
        if (taken) {
            took();
        }
        return taken;
    }

    @Override
    public void unlock() {
        super.unlock();
        if (armed.get() && Thread.currentThread() != caller && getHoldCount() == 0 && armed.compareAndSet(true, false)) {
            held.countDown();
            try {
                // Bounded: a test that never resumes must not hang the gun's thread for good.
                resume.await(Track.PATIENCE_MILLIS * 2, TimeUnit.MILLISECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

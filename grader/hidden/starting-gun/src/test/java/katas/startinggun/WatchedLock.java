package katas.startinggun;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hidden: a lock that records what the gun asks of it, for questions a {@code WakeableLock} cannot answer. How often
 * each thread took the lock; every timed wait on its conditions (the time asked, and whether the condition said the
 * time was up), recorded in order; and, when asked to, it holds a chosen thread just after that thread first lets go
 * of the lock, so that the test can take the lock before the thread asks for it again. Nothing here changes what the
 * gun sees: the waits are the lock's own conditions' waits. (Kept in the kata's tests: the testkit's
 * {@code WakeableLock} is final and has none of this.)
 */
final class WatchedLock extends ReentrantLock {

    private static final long serialVersionUID = 1L;

    /** One timed wait on a condition of this lock: what it asked, and whether the condition said time was up. */
    record TimedWait(String how, long askedNanos, boolean timeWasUp) {
    }

    private final transient List<Watched> conditions = new CopyOnWriteArrayList<>();
    private final transient Map<Thread, AtomicInteger> takes = new ConcurrentHashMap<>();
    private final transient List<TimedWait> timedWaits = new CopyOnWriteArrayList<>();
    private final transient CountDownLatch held = new CountDownLatch(1);
    private final transient CountDownLatch resume = new CountDownLatch(1);
    private final transient java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
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

    /** Every timed wait on the conditions of this lock so far, in order. */
    List<TimedWait> timedWaits() {
        return List.copyOf(timedWaits);
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

    @Override
    public Condition newCondition() {
        Watched condition = new Watched(super.newCondition());
        conditions.add(condition);
        return condition;
    }

    /** The threads waiting on this lock's conditions now; the caller must not hold the lock of another thread. */
    Collection<Thread> threadsWaitingOnConditions() throws InterruptedException {
        if (!super.tryLock(Track.PATIENCE_MILLIS, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("rule 7: the gun's lock stayed held for " + Track.PATIENCE_MILLIS / 1000
                    + " s while no runner could need it that long (" + this + "): a call kept it");
        }
        try {
            List<Thread> waiting = new ArrayList<>();
            conditions.forEach(condition -> waiting.addAll(super.getWaitingThreads(condition.inner)));
            return waiting;
        } finally {
            super.unlock();
        }
    }

    @Override
    public boolean hasWaiters(Condition condition) {
        return super.hasWaiters(unwrap(condition));
    }

    @Override
    public int getWaitQueueLength(Condition condition) {
        return super.getWaitQueueLength(unwrap(condition));
    }

    @Override
    protected Collection<Thread> getWaitingThreads(Condition condition) {
        return super.getWaitingThreads(unwrap(condition));
    }

    private static Condition unwrap(Condition condition) {
        return condition instanceof Watched watched ? watched.inner : condition;
    }

    /** A condition of this lock that records its timed waits and otherwise is the lock's own condition. */
    private final class Watched implements Condition {

        private final Condition inner;

        Watched(Condition inner) {
            this.inner = inner;
        }

        @Override
        public void await() throws InterruptedException {
            inner.await();
        }

        @Override
        public void awaitUninterruptibly() {
            inner.awaitUninterruptibly();
        }

        @Override
        public long awaitNanos(long nanosTimeout) throws InterruptedException {
            long left = inner.awaitNanos(nanosTimeout);
            timedWaits.add(new TimedWait("awaitNanos(" + nanosTimeout + ")", nanosTimeout, left <= 0L));
            return left;
        }

        @Override
        public boolean await(long time, TimeUnit unit) throws InterruptedException {
            boolean inTime = inner.await(time, unit);
            timedWaits.add(new TimedWait("await(" + time + ", " + unit + ")", unit.toNanos(time), !inTime));
            return inTime;
        }

        @Override
        public boolean awaitUntil(Date deadline) throws InterruptedException {
            long asked = TimeUnit.MILLISECONDS.toNanos(deadline.getTime() - System.currentTimeMillis());
            boolean inTime = inner.awaitUntil(deadline);
            timedWaits.add(new TimedWait("awaitUntil(" + deadline + ")", asked, !inTime));
            return inTime;
        }

        @Override
        public void signal() {
            inner.signal();
        }

        @Override
        public void signalAll() {
            inner.signalAll();
        }
    }
}

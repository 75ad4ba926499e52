package katas.testkit;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link ReentrantLock} that a test hands to the code under test, so that it can see who waits on the lock's
 * conditions and wake them early. {@code Condition.await} may return without any signal (a spurious wakeup, allowed
 * by its contract); the JDK's own conditions almost never do so, so code that waits with {@code if} instead of
 * {@code while}, or restarts its timeout on every wakeup, passes every run unless a test wakes it on purpose.
 * {@link #wakeEarly()} is that wakeup: to the waiter it is exactly a spurious one, so right code must not notice it.
 *
 * <p>It also writes down every wait on its conditions ({@link #conditionWaits()}): how long each asked for and
 * whether the condition said its time was up. A timeout cut short, or a second wait after the time was up, cannot be
 * caught by a clock in a test, but it shows in what the code asks its conditions for. Tests extend it to watch more
 * (how often each thread takes it, say); the conditions it hands out are its own, so nothing it sees changes what
 * the code under test sees.
 */
public class WakeableLock extends ReentrantLock {

    private static final long serialVersionUID = 1L;

    // Conditions are created rarely and read on every wakeup and look: copy on write suits that.
    private final transient List<Recorded> conditions = new CopyOnWriteArrayList<>();

    // Many waits in a long run: a synchronized list copies once per look, not once per wait.
    private final transient List<ConditionWait> waits = Collections.synchronizedList(new ArrayList<>());

    private final transient AtomicReference<AfterRelease> afterRelease = new AtomicReference<>();

    private record AfterRelease(Thread thread, Runnable action) {
    }

    /** How long a look at the waiters waits for the lock before it says who keeps it. */
    public static final java.time.Duration PATIENCE = java.time.Duration.ofSeconds(5);

    public WakeableLock() {
        super();
    }

    public WakeableLock(boolean fair) {
        super(fair);
    }

    @Override
    public Condition newCondition() {
        Recorded condition = new Recorded(super.newCondition());
        conditions.add(condition);
        return condition;
    }

    /**
     * Wakes every thread waiting on any condition of this lock, as a spurious wakeup would: nothing they wait for
     * has changed. Each goes on only after it has taken the lock back, as after any wakeup.
     */
    public void wakeEarly() {
        lockOrExplain();
        try {
            conditions.forEach(condition -> condition.inner.signalAll());
        } finally {
            unlock();
        }
    }

    /** The threads waiting on any condition of this lock now (not those waiting to take the lock itself). */
    public Collection<Thread> threadsWaitingOnConditions() {
        lockOrExplain();
        try {
            List<Thread> waiting = new ArrayList<>();
            conditions.forEach(condition -> waiting.addAll(super.getWaitingThreads(condition.inner)));
            return waiting;
        } finally {
            unlock();
        }
    }

    /**
     * Takes the lock for a look, but not forever: code under test that keeps the lock (a missing {@code unlock()} in
     * {@code finally}, a thread that ended holding it) would otherwise hang the test instead of failing it.
     *
     * @throws AssertionError naming the thread that keeps the lock, when it is not let go within {@link #PATIENCE}
     */
    private void lockOrExplain() {
        boolean taken;
        try {
            taken = tryLock(PATIENCE.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for the lock", e);
        }
        if (!taken) {
            Thread owner = getOwner();
            throw new AssertionError("the lock was not let go for " + PATIENCE.toSeconds() + " s: "
                    + (owner == null ? "it changed hands all along"
                            : owner.getName() + (ThreadEnd.stillRuns(owner) ? " keeps it (" + owner.getState() + ")"
                                    : " ended while holding it"))
                    + "; every lock() needs its unlock(), in a finally block so that an exception lets it go too");
        }
    }

    /**
     * Runs {@code action} once, on {@code thread}, the next time that thread lets go of this lock completely with
     * {@code unlock()}: the moment after a call gave the lock back and before it returns. Whatever the call still
     * does there, outside the lock, races with what {@code action} does; a test makes that race happen every time
     * instead of hoping for it. (A wait on a condition lets go of the lock without {@code unlock()}, and does not
     * count.)
     */
    public void afterNextReleaseBy(Thread thread, Runnable action) {
        afterRelease.set(new AfterRelease(thread, action));
    }

    @Override
    public void unlock() {
        super.unlock();
        AfterRelease pending = afterRelease.get();
        if (pending != null && pending.thread() == Thread.currentThread() && getHoldCount() == 0
                && afterRelease.compareAndSet(pending, null)) {
            pending.action().run();
        }
    }

    /** How many conditions the code under test has made from this lock so far. */
    public int conditionsMade() {
        return conditions.size();
    }

    /**
     * Every wait on this lock's conditions so far, in the order they began (each written down with the lock held,
     * before it lets go): a wait still under way is in the list, with no answer yet.
     */
    public List<ConditionWait> conditionWaits() {
        synchronized (waits) {
            return List.copyOf(waits);
        }
    }

    /** The longest time a single wait on this lock's conditions asked for so far, in nanoseconds; -1 when none. */
    public long longestWaitAsked() {
        return conditionWaits().stream().mapToLong(ConditionWait::askedNanos).max().orElse(-1);
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
        return condition instanceof Recorded recorded ? recorded.inner : condition;
    }

    /**
     * One wait on a condition of the lock: how it was asked ({@code "awaitNanos(5000000)"}), the nanoseconds it
     * asked for ({@link Long#MAX_VALUE} for an untimed wait), and, once it returned, whether the condition said the
     * time was up (never for an untimed wait).
     */
    public static final class ConditionWait {

        private final String how;
        private final long askedNanos;
        private volatile boolean over;
        private volatile boolean timeWasUp;

        ConditionWait(String how, long askedNanos) {
            this.how = how;
            this.askedNanos = askedNanos;
        }

        public String how() {
            return how;
        }

        public long askedNanos() {
            return askedNanos;
        }

        public boolean timed() {
            return askedNanos != Long.MAX_VALUE;
        }

        /** Whether the wait returned (normally or by an exception). */
        public boolean over() {
            return over;
        }

        /** Whether the condition answered that the time was up: false while the wait is under way. */
        public boolean timeWasUp() {
            return timeWasUp;
        }

        void ended(boolean timeUp) {
            timeWasUp = timeUp;
            over = true;
        }

        @Override
        public String toString() {
            return how;
        }
    }

    /** A condition of this lock that writes its waits down and otherwise is the lock's own condition. */
    private final class Recorded implements Condition {

        private final Condition inner;

        Recorded(Condition inner) {
            this.inner = inner;
        }

        private ConditionWait begin(String how, long askedNanos) {
            ConditionWait wait = new ConditionWait(how, askedNanos);
            waits.add(wait);
            return wait;
        }

        @Override
        public void await() throws InterruptedException {
            ConditionWait wait = begin("await()", Long.MAX_VALUE);
            try {
                inner.await();
            } finally {
                wait.ended(false);
            }
        }

        @Override
        public void awaitUninterruptibly() {
            ConditionWait wait = begin("awaitUninterruptibly()", Long.MAX_VALUE);
            try {
                inner.awaitUninterruptibly();
            } finally {
                wait.ended(false);
            }
        }

        @Override
        public long awaitNanos(long nanosTimeout) throws InterruptedException {
            ConditionWait wait = begin("awaitNanos(" + nanosTimeout + ")", nanosTimeout);
            boolean timeUp = false;
            try {
                long left = inner.awaitNanos(nanosTimeout);
                timeUp = left <= 0L;
                return left;
            } finally {
                wait.ended(timeUp);
            }
        }

        @Override
        public boolean await(long time, TimeUnit unit) throws InterruptedException {
            ConditionWait wait = begin("await(" + time + ", " + unit + ")", unit.toNanos(time));
            boolean timeUp = false;
            try {
                boolean inTime = inner.await(time, unit);
                timeUp = !inTime;
                return inTime;
            } finally {
                wait.ended(timeUp);
            }
        }

        @Override
        public boolean awaitUntil(Date deadline) throws InterruptedException {
            ConditionWait wait = begin("awaitUntil(" + deadline + ")",
                    TimeUnit.MILLISECONDS.toNanos(deadline.getTime() - System.currentTimeMillis()));
            boolean timeUp = false;
            try {
                boolean inTime = inner.awaitUntil(deadline);
                timeUp = !inTime;
                return inTime;
            } finally {
                wait.ended(timeUp);
            }
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

package katas.testkit;

import java.util.concurrent.TimeUnit;

/**
 * A lock that the test keeps longer than any wait a caller asks for. While the test holds it for good, a timed
 * {@code tryLock} from another thread queues for a moment, as a timed wait does, and then hears that its time ran
 * out, as it would once the hold had outlasted it. Code that gives up when the lock does not come in time
 * ({@code tryLock(timeout + grace)}, whatever the grace) is seen giving up, at once instead of after its grace; code
 * that waits its turn ({@code lockInterruptibly()}, or timed tries in a loop) takes the lock once the test lets go.
 */
public class OutlastingLock extends WakeableLock {

    /** How long a refused timed call stays in the lock's queue: long enough for the test to see it there. */
    private static final long QUEUED_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private volatile Thread keeper;

    /** Takes the lock on this thread and keeps it, for every timed caller, longer than it asks to wait. */
    public void holdForGood() {
        lock();
        keeper = Thread.currentThread();
    }

    @Override
    public boolean tryLock(long timeout, TimeUnit unit) throws InterruptedException {
        Thread holding = keeper;
        if (holding == null || holding == Thread.currentThread() || getOwner() != holding) {
            return super.tryLock(timeout, unit);
        }
        return super.tryLock(Math.min(unit.toNanos(timeout), QUEUED_NANOS), TimeUnit.NANOSECONDS);
    }

    @Override
    public void unlock() {
        if (isHeldByCurrentThread() && getHoldCount() == 1) {
            keeper = null;
        }
        super.unlock();
    }
}

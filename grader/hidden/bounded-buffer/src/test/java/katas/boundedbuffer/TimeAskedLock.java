package katas.boundedbuffer;

import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A lock whose conditions write down how long each wait asked for, before they wait as usual: a timeout cut short
 * (an hour's offer that gives up after 30 s) cannot be caught by a clock in a test, but it shows in what the buffer
 * asks its condition for. An untimed {@code await()} counts as asking for ever ({@link Long#MAX_VALUE}).
 *
 * <p>Kept in the kata's tests for now; it belongs next to {@code WakeableLock} in the testkit (which is final, so it
 * cannot be extended here).
 */
final class TimeAskedLock extends ReentrantLock {

    private static final long serialVersionUID = 1L;

    private final transient List<Long> asked = new CopyOnWriteArrayList<>();

    @Override
    public Condition newCondition() {
        return new Asking(super.newCondition());
    }

    /** The nanoseconds each wait asked for so far, in order; written with the lock held, before the wait. */
    List<Long> asked() {
        return List.copyOf(asked);
    }

    /** The longest single wait asked for so far, -1 when none. */
    long longestAsked() {
        return asked.stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    private final class Asking implements Condition {

        private final Condition condition;

        Asking(Condition condition) {
            this.condition = condition;
        }

        @Override
        public void await() throws InterruptedException {
            asked.add(Long.MAX_VALUE);
            condition.await();
        }

        @Override
        public void awaitUninterruptibly() {
            asked.add(Long.MAX_VALUE);
            condition.awaitUninterruptibly();
        }

        @Override
        public long awaitNanos(long nanosTimeout) throws InterruptedException {
            asked.add(nanosTimeout);
            return condition.awaitNanos(nanosTimeout);
        }

        @Override
        public boolean await(long time, TimeUnit unit) throws InterruptedException {
            asked.add(unit.toNanos(time));
            return condition.await(time, unit);
        }

        @Override
        public boolean awaitUntil(Date deadline) throws InterruptedException {
            long millis = deadline.getTime() - System.currentTimeMillis();
            asked.add(TimeUnit.MILLISECONDS.toNanos(millis));
            return condition.awaitUntil(deadline);
        }

        @Override
        public void signal() {
            condition.signal();
        }

        @Override
        public void signalAll() {
            condition.signalAll();
        }
    }
}

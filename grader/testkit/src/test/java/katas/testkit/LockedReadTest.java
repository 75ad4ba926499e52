package katas.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.concurrent.locks.StampedLock;
import org.junit.jupiter.api.Test;

class LockedReadTest {

    static final class Plain {
        long value;
    }

    static final class Monitor {
        private long value;

        synchronized long value() {
            return value;
        }
    }

    static final class GuardedByLock {
        private final ReentrantLock lock = new ReentrantLock();
        private long value;

        long value() {
            lock.lock();
            try {
                return value;
            } finally {
                lock.unlock();
            }
        }
    }

    static final class GuardedByReadLock {
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private long value;

        long value() {
            lock.readLock().lock();
            try {
                return value;
            } finally {
                lock.readLock().unlock();
            }
        }
    }

    static final class GuardedByStampedLock {
        private final StampedLock lock = new StampedLock();
        private long value;

        long value() {
            long stamp = lock.readLock();
            try {
                return value;
            } finally {
                lock.unlockRead(stamp);
            }
        }
    }

    static final class MonitorOfAField {
        private final Object guard = new Object();
        private long value;

        long value() {
            synchronized (guard) {
                return value;
            }
        }
    }

    @Test
    void aPlainReadTakesNoLock() throws InterruptedException {
        Plain plain = new Plain();
        assertThat(LockedRead.waitsForALock(plain, () -> plain.value++)).isFalse();
    }

    @Test
    void aSynchronizedReadWaitsForTheTargetsMonitor() throws InterruptedException {
        Monitor monitor = new Monitor();
        assertThat(LockedRead.waitsForALock(monitor, monitor::value)).isTrue();
    }

    @Test
    void aReadUnderALockInAFieldWaitsForIt() throws InterruptedException {
        GuardedByLock guarded = new GuardedByLock();
        assertThat(LockedRead.waitsForALock(guarded, guarded::value)).isTrue();
    }

    @Test
    void aReadUnderAReadLockWaitsForItsWriteLock() throws InterruptedException {
        GuardedByReadLock guarded = new GuardedByReadLock();
        assertThat(LockedRead.waitsForALock(guarded, guarded::value)).isTrue();
    }

    @Test
    void aReadUnderAStampedReadLockWaitsForItsWriteLock() throws InterruptedException {
        GuardedByStampedLock guarded = new GuardedByStampedLock();
        assertThat(LockedRead.waitsForALock(guarded, guarded::value)).isTrue();
    }

    @Test
    void aReadOnTheMonitorOfAFieldWaitsForIt() throws InterruptedException {
        MonitorOfAField guarded = new MonitorOfAField();
        assertThat(LockedRead.waitsForALock(guarded, guarded::value)).isTrue();
    }
}

package katas.reentrantlock;

import java.util.concurrent.locks.LockSupport;

/**
 * The learner's mutex, with a pause after each unlock that frees it: a thread that gives the lock back and means
 * to take it again at once (a warehouse method that checks under one hold and acts under the next) is overtaken by
 * the others meanwhile, as it would be now and then on a busy machine. The lock itself is not changed.
 */
class PausingMutex extends Mutex {

    private final long pauseNanos;

    PausingMutex(long pauseNanos) {
        this.pauseNanos = pauseNanos;
    }

    @Override
    public void unlock() {
        super.unlock();
        if (!isHeldByCurrentThread()) {
            LockSupport.parkNanos(pauseNanos);
        }
    }
}

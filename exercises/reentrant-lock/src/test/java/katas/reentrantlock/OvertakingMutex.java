package katas.reentrantlock;

import java.util.concurrent.atomic.AtomicReference;

/**
 * The learner's mutex, with one planned overtaking: the first time a chosen thread's unlock frees the lock, the
 * test runs a call of another thread to its end before the chosen thread goes on. A method that lets the lock go
 * between two steps that belong together (a stock check and the move it allows) is overtaken there every time,
 * not just when the scheduler happens to. The lock itself is not changed.
 */
class OvertakingMutex extends Mutex {

    private final AtomicReference<Thread> overtaken = new AtomicReference<>();
    private volatile Actor.Call overtaker;

    /** The next time {@code thread} frees the lock, {@code call} runs on another thread, to its end, first. */
    void overtake(Thread thread, Actor.Call call) {
        overtaker = call;
        overtaken.set(thread);
    }

    @Override
    public void unlock() {
        super.unlock();
        if (!isHeldByCurrentThread() && overtaken.compareAndSet(Thread.currentThread(), null)) {
            try {
                Actor other = Actor.start("overtaker", overtaker);
                other.mustFinish("a call of another thread, made while the lock was free, never returned");
                other.rethrowFailure();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

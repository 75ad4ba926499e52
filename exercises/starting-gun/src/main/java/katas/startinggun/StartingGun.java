package katas.startinggun;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A start signal that any number of runners wait for, like Python's {@code threading.Event}: {@link #fire()} lets
 * every waiting runner go and keeps the gun fired, {@link #reset()} makes later runners wait again. All methods may
 * be called from any thread at the same time.
 */
public final class StartingGun {

    /** A gun on a lock of its own. */
    public StartingGun() {
        this(new ReentrantLock());
    }

    /** A gun whose runners wait on a condition of {@code lock}. */
    public StartingGun(ReentrantLock lock) {
        // TODO: runners that wait on anything but a condition of this very lock are invisible to whoever gave it.
    }

    /** Fires the gun: every runner waiting now goes, and later runners go at once until {@link #reset()}. */
    public void fire() {
        // TODO: several runners may be waiting, and a runner woken by the fire may find the gun reset already.
        throw new UnsupportedOperationException("TODO: fire the gun");
    }

    /** Lowers the gun: runners that call {@link #awaitStart()} from now on wait for the next fire. */
    public void reset() {
        // TODO: a runner already waiting has not been started, and a reset must not start it.
        throw new UnsupportedOperationException("TODO: reset the gun");
    }

    /** Whether the gun is fired now. */
    public boolean isFired() {
        throw new UnsupportedOperationException("TODO: tell whether the gun is fired");
    }

    /** Waits until the gun is fired; returns at once if it is fired already. */
    public void awaitStart() throws InterruptedException {
        // TODO: the gun may fire between a look at it and the start of the wait: a signal sent before the wait
        //  began wakes nobody.
        // TODO: a wait may end without any signal (a spurious wakeup).
        throw new UnsupportedOperationException("TODO: wait for the gun");
    }

    /**
     * Waits until the gun is fired or {@code timeout} has passed, whichever comes first.
     *
     * @return true if the gun was fired (before the call or while waiting), false if the time ran out
     */
    public boolean awaitStart(Duration timeout) throws InterruptedException {
        // TODO: a runner woken early (for nothing) has less time left than it had at the call.
        throw new UnsupportedOperationException("TODO: wait for the gun, at most for the timeout");
    }
}

package katas.testkit;

/**
 * Whether a thread has ended, asked the way {@link Thread#join(java.time.Duration)} asks it.
 *
 * <p>A thread's state reads {@code TERMINATED} a moment before {@link Thread#isAlive()} turns false,
 * and {@code join(Duration)} returns as soon as the state does. Code that joined that way, the
 * learner's or a test's, may see {@code isAlive()} still true right after: a check made then took
 * a thread that had ended for one still running (CI, once in about a hundred runs of a test that
 * joined two threads). Every check of "does it still run" goes through here.
 */
public final class ThreadEnd {

    private ThreadEnd() {
    }

    /** True while {@code thread} has been started and has not ended; false before it starts and once it ended. */
    public static boolean stillRuns(Thread thread) {
        return thread.isAlive() && thread.getState() != Thread.State.TERMINATED;
    }

    /** True once {@code thread} has ended (a thread not started yet has not). */
    public static boolean hasEnded(Thread thread) {
        return thread.getState() == Thread.State.TERMINATED;
    }
}

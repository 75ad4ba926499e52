package katas.testkit;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where the workers a call has stopped wind down while the test interrupts its caller again
 * ({@link CallerThread#interruptAgainWhileWindingDown}): a worker that {@link #hold}s stays, deaf to interrupts, until
 * the interrupter is {@link #over}, so the call cannot have finished waiting for it before the last interrupt.
 */
public final class WindDown {

    private final AtomicInteger holding = new AtomicInteger();
    private final CountDownLatch over = new CountDownLatch(1);

    /**
     * Holds this thread until {@link #over}, whatever interrupts come meanwhile, and leaves its interrupt status set if
     * it was set on the way in or an interrupt came: the worker is still stopped when it goes on.
     */
    public void hold() {
        holding.incrementAndGet();
        boolean interrupted = Thread.interrupted();
        while (over.getCount() > 0) {
            try {
                over.await();
            } catch (InterruptedException more) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whether a worker holds (or held) here. */
    public boolean holding() {
        return holding.get() > 0;
    }

    /** Whether the wind-down is over: a worker that comes now does not hold. */
    public boolean isOver() {
        return over.getCount() == 0;
    }

    /** Lets every worker that holds go on; later ones do not hold. */
    public void over() {
        over.countDown();
    }
}

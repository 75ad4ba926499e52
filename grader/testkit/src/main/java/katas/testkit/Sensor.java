package katas.testkit;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A device a worker's code reads, the way NIO reads: the worker waits in it until it is interrupted, and
 * {@code Thread.interrupt()} of a worker waiting in it wakes the sensor on the interrupting thread, before
 * {@code interrupt()} returns (as it closes an interruptible channel). The sensor uses that moment to hold the
 * interrupting thread until the worker it woke has thrown what it throws when stopped and has ended (or waits for
 * something else for a while, 3 s at most): whatever the interrupting thread does after its {@code interrupt()}
 * calls, it does after the stopped workers have done what they do. Code whose failing worker stops the others
 * before it records its own failure has then recorded their fallout first, every time (barrier-phases' cells and
 * start-and-join's sources read one).
 */
public final class Sensor extends AbstractSelector {

    /** How long a woken sensor holds its interrupter at most, whatever the worker does. */
    private static final long HOLD_NANOS = 3_000_000_000L;
    /** How long a stopped worker must wait elsewhere (for a lock its interrupter holds, say) before we let go. */
    private static final long ELSEWHERE_NANOS = 100_000_000L;

    /** The threads holding on in a sensor's wake-up now: one of them waits for us, not for something else. */
    private final Set<Thread> holding;
    private final Runnable tick;
    private volatile Thread reader;
    private volatile boolean woken;
    private volatile boolean threw;
    private volatile boolean leaving;

    /** A sensor of a run: {@code holding} is shared by the run's sensors, {@code tick} counts as progress. */
    public Sensor(Set<Thread> holding, Runnable tick) {
        super(SelectorProvider.provider());
        this.holding = holding;
        this.tick = tick;
    }

    public static Set<Thread> holdingSet() {
        return ConcurrentHashMap.newKeySet();
    }

    /**
     * Waits until this worker is interrupted (true), or until {@code giveUp} says nobody will (false), or 6 s;
     * {@code reading} runs once the sensor would be woken by an interrupt. Never clears the interrupt status.
     */
    public boolean read(Runnable reading, BooleanSupplier giveUp) {
        reader = Thread.currentThread();
        begin();
        // Only now may the test count this worker as reading: an interrupt from here on goes through wakeup().
        reading.run();
        try {
            long start = System.nanoTime();
            while (!woken && !giveUp.getAsBoolean() && System.nanoTime() - start < 6_000_000_000L) {
                tick.run();
                LockSupport.parkNanos(50_000);
            }
            return woken;
        } finally {
            leaving = true;
            end();
        }
    }

    /** The worker is about to throw what its rule throws when stopped. */
    public void threw() {
        threw = true;
    }

    /** Whether {@code thread} waits (parked, blocked) outside any sensor's wake-up. */
    public boolean waitsElsewhere(Thread thread) {
        Thread.State state = thread.getState();
        return (state == Thread.State.BLOCKED || state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING)
                && !holding.contains(thread);
    }

    /** Run by Thread.interrupt() of the reader, on the interrupting thread. */
    @Override
    public Selector wakeup() {
        woken = true;
        Thread worker = reader;
        Thread me = Thread.currentThread();
        if (worker == null || worker == me) {
            return this;
        }
        LockSupport.unpark(worker);
        holding.add(me);
        boolean interrupted = Thread.interrupted();
        try {
            long start = System.nanoTime();
            long elsewhereSince = 0;
            while (ThreadEnd.stillRuns(worker) && System.nanoTime() - start < HOLD_NANOS) {
                long now = System.nanoTime();
                // Before JDK 23 (JDK-8322829), interrupt() calls wakeup() holding the worker's interrupt lock, which
                // the worker's end() then waits for: a worker leaving its sensor and blocked there waits for us, so
                // we let go after a while (the order is then not forced, but nothing hangs or fails right code).
                if ((threw || leaving) && waitsElsewhere(worker)) {
                    if (elsewhereSince == 0) {
                        elsewhereSince = now;
                    } else if (now - elsewhereSince >= ELSEWHERE_NANOS) {
                        break;
                    }
                } else {
                    elsewhereSince = 0;
                }
                tick.run();
                LockSupport.parkNanos(50_000);
                interrupted |= Thread.interrupted();
            }
        } finally {
            holding.remove(me);
            if (interrupted) {
                me.interrupt();
            }
        }
        return this;
    }

    @Override
    protected void implCloseSelector() {
    }

    @Override
    protected SelectionKey register(AbstractSelectableChannel channel, int ops, Object attachment) {
        throw new UnsupportedOperationException("a sensor has no channels");
    }

    @Override
    public Set<SelectionKey> keys() {
        return Set.of();
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        return Set.of();
    }

    @Override
    public int selectNow() {
        return 0;
    }

    @Override
    public int select(long timeout) throws IOException {
        return 0;
    }

    @Override
    public int select() throws IOException {
        return 0;
    }
}

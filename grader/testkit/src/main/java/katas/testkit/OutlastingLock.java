package katas.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A lock that the test keeps longer than any wait a caller asks for. While the test holds it for good, a timed
 * {@code tryLock} from another thread queues for a moment, as a timed wait does, and then hears that its time ran
 * out, as it would once the hold had outlasted it. Code that gives up when the lock does not come in time
 * ({@code tryLock(timeout + grace)}, whatever the grace) is seen giving up, at once instead of after its grace; code
 * that waits its turn ({@code lockInterruptibly()}, or timed tries in a loop) takes the lock once the test lets go.
 *
 * <p>A loop of short tries ({@code tryLock(10 ms)} until a grace has passed) asks again after each refusal and gives
 * up only once its grace is over, which a test cannot wait out. So the lock also writes down every try another
 * thread makes while the test holds it for good ({@link #shortTries(Thread)}): a call that waits its turn asks once,
 * or for a second or more each time; one that polls the lock asks over and over for a few milliseconds.
 */
public class OutlastingLock extends WakeableLock {

    private static final long serialVersionUID = 1L;

    /** How long a refused timed call stays in the lock's queue: long enough for the test to see it there. */
    private static final long QUEUED_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /**
     * A try shorter than this ({@code tryLock()} too) is a poll: a call that waits its turn with timed tries asks for
     * a second or more each time, ten times this.
     */
    public static final Duration SHORT_TRY = Duration.ofMillis(100);

    /**
     * The most short tries a call that waits its turn makes while the lock is held for good: a right call may try
     * once or twice before it queues with {@code lockInterruptibly()} ({@code tryLock()}, then
     * {@code tryLock(timeout)}, say); a loop of short tries makes more, one every few milliseconds.
     */
    public static final int SHORT_TRIES_OF_A_WAITING_CALL = 3;

    private volatile Thread keeper;

    private final transient List<Try> tries = Collections.synchronizedList(new ArrayList<>());

    /** One try for the lock by {@code thread} while the test held it for good: {@code askedNanos} 0 for tryLock(). */
    private record Try(Thread thread, String how, long askedNanos) {
    }

    /** Takes the lock on this thread and keeps it, for every timed caller, longer than it asks to wait. */
    public void holdForGood() {
        lock();
        keeper = Thread.currentThread();
    }

    @Override
    public boolean tryLock() {
        Thread holding = keeper;
        if (holding != null && holding != Thread.currentThread() && getOwner() == holding) {
            tries.add(new Try(Thread.currentThread(), "tryLock()", 0L));
        }
        return super.tryLock();
    }

    @Override
    public boolean tryLock(long timeout, TimeUnit unit) throws InterruptedException {
        Thread holding = keeper;
        if (holding == null || holding == Thread.currentThread() || getOwner() != holding) {
            return super.tryLock(timeout, unit);
        }
        long asked = unit.toNanos(timeout);
        tries.add(new Try(Thread.currentThread(), "tryLock(" + inMillis(asked) + ")", asked));
        return super.tryLock(Math.min(asked, QUEUED_NANOS), TimeUnit.NANOSECONDS);
    }

    /**
     * How many times {@code thread} asked for the lock with {@code tryLock()}, or a timed {@code tryLock} shorter than
     * {@link #SHORT_TRY}, while the test held it for good (so far, over every hold).
     */
    public int shortTries(Thread thread) {
        synchronized (tries) {
            return (int) tries.stream()
                    .filter(t -> t.thread() == thread && t.askedNanos() < SHORT_TRY.toNanos())
                    .count();
        }
    }

    /**
     * Whether {@code thread} polled the lock: more short tries (see {@link #shortTries(Thread)}) than a call that
     * waits its turn makes ({@link #SHORT_TRIES_OF_A_WAITING_CALL}).
     */
    public boolean polled(Thread thread) {
        return shortTries(thread) > SHORT_TRIES_OF_A_WAITING_CALL;
    }

    /**
     * Whether {@code thread} waits in this lock's queue with no deadline: parked for good, so only the holder's unlock
     * can end its wait. A thread queued by a timed {@code tryLock} waits on a timer (TIMED_WAITING) and may give up.
     */
    public boolean queuedForGood(Thread thread) {
        return hasQueuedThread(thread) && thread.getState() == Thread.State.WAITING;
    }

    /** Whether any thread waits in this lock's queue with no deadline (see {@link #queuedForGood(Thread)}). */
    public boolean anyQueuedForGood() {
        return getQueuedThreads().stream().anyMatch(this::queuedForGood);
    }

    /**
     * Keeps the test holding on until {@code settled} (the caller ended, waits for the lock for good, or polled it),
     * or until {@code max} has passed, looking every 200 microseconds: the caller's own state decides when the test
     * lets go, never how fast the machine is.
     */
    public static void holdUntil(BooleanSupplier settled, Duration max) {
        long start = System.nanoTime();
        while (!settled.getAsBoolean() && System.nanoTime() - start < max.toNanos()) {
            LockSupport.parkNanos(200_000);
        }
    }

    /** A thread that polled the lock (see {@link #polled(Thread)}), if any did. */
    public java.util.Optional<Thread> poller() {
        List<Thread> asked;
        synchronized (tries) {
            asked = tries.stream().map(Try::thread).distinct().toList();
        }
        return asked.stream().filter(this::polled).findFirst();
    }

    /** The first few tries {@code thread} made while the test held the lock for good, as asked, for a message. */
    public String triesOf(Thread thread) {
        synchronized (tries) {
            List<String> asked = tries.stream().filter(t -> t.thread() == thread).map(Try::how).toList();
            return asked.size() <= 5 ? String.join(", ", asked)
                    : String.join(", ", asked.subList(0, 5)) + " and " + (asked.size() - 5) + " more";
        }
    }

    private static String inMillis(long nanos) {
        return java.math.BigDecimal.valueOf(nanos, 6).stripTrailingZeros().toPlainString() + " ms";
    }

    @Override
    public void unlock() {
        if (isHeldByCurrentThread() && getHoldCount() == 1) {
            keeper = null;
        }
        super.unlock();
    }
}

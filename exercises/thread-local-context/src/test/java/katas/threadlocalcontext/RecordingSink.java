package katas.threadlocalcontext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import katas.testkit.Sneaky;

/**
 * The tests' audit store: it keeps what it is given, records which thread wrote, and can be told to fail a
 * given write or to hold a write until the test lets it go. Before it copies a batch it pauses a moment, so
 * that a record added to a batch already handed over (a buffer shared without a lock) is seen as lost.
 */
final class RecordingSink implements AuditSink {

    private final List<AuditRecord> written = new ArrayList<>();
    private final Set<Thread> writers = ConcurrentHashMap.newKeySet();
    private final Map<Integer, Throwable> failures = new ConcurrentHashMap<>();
    private final AtomicInteger writes = new AtomicInteger();
    private final AtomicInteger inside = new AtomicInteger();
    private volatile String overlap;
    private volatile Runnable onWrite;
    private volatile CountDownLatch entered;
    private volatile CountDownLatch release;

    @Override
    public void write(List<AuditRecord> batch) throws Exception {
        int number = writes.incrementAndGet();
        writers.add(Thread.currentThread());
        if (batch == null || batch.isEmpty()) {
            overlap = "write " + number + " was given " + (batch == null ? "null" : "an empty batch")
                    + " instead of records";
        }
        if (inside.incrementAndGet() > 1) {
            overlap = "write " + number + " began on '" + Thread.currentThread().getName() + "' while another write "
                    + "was still running";
        }
        try {
            Runnable hook = onWrite;
            if (hook != null) {
                hook.run();
            }
            CountDownLatch held = release;
            if (held != null) {
                entered.countDown();
                if (!held.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("the test never released the sink");
                }
            }
            LockSupport.parkNanos(20_000);
            List<AuditRecord> copy = batch == null ? List.of() : List.copyOf(batch);
            Throwable failure = failures.remove(number);
            if (failure != null) {
                throw Sneaky.raise(failure);
            }
            synchronized (written) {
                written.addAll(copy);
            }
        } finally {
            inside.decrementAndGet();
        }
    }

    /** Runs {@code hook} at the start of every write, on the writing thread. */
    void onWrite(Runnable hook) {
        onWrite = hook;
    }

    /** Makes write number {@code number} (counting from 1) throw {@code failure}: its batch is lost. */
    void failWrite(int number, Throwable failure) {
        failures.put(number, failure);
    }

    /** From now on every write waits until {@link #release()}; returns a latch that opens when one is waiting. */
    CountDownLatch hold() {
        entered = new CountDownLatch(1);
        release = new CountDownLatch(1);
        return entered;
    }

    /** Lets every held write go on. */
    void release() {
        CountDownLatch held = release;
        release = null;
        if (held != null) {
            held.countDown();
        }
    }

    /** The records written so far, in the order written. */
    List<AuditRecord> written() {
        synchronized (written) {
            return List.copyOf(written);
        }
    }

    int writes() {
        return writes.get();
    }

    Set<Thread> writers() {
        return Set.copyOf(writers);
    }

    /** Why two writes ran at the same time, or a write had no record; null if never. */
    String overlap() {
        return overlap;
    }
}

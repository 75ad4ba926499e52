package katas.boundedbuffer;

import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import katas.testkit.StaleReadProbe;

/**
 * Whether a thread that keeps asking {@code size()} sees a put that another thread makes meanwhile: the reading loop
 * over your buffer, for the testkit's {@link StaleReadProbe}, which says how a stale read is found. A {@code size()}
 * that reads the count without the lock (red team G: "one int read is atomic") may be read once by the compiled loop
 * and kept: the reader then sees the old size for ever. A {@code size()} that takes the lock is seen to wait for it
 * and needs no more checking.
 */
final class StaleSizes {

    private StaleSizes() {
    }

    /** The reading loop over {@code buffer.size()}: a direct call, so that the JIT may inline it. */
    static long spinOn(BoundedBuffer<?> buffer, long before, long reads) {
        long mixed = 0;
        for (long i = 0; i < reads; i++) {
            if (buffer.size() != before) {
                return i;
            }
            mixed = mixed * 31 + i; // work the compiler cannot drop, so the loop stays a loop
        }
        return mixed == Long.MIN_VALUE ? -2 : -1;
    }

    /**
     * Probes {@code buffer.size()} against a put of one new item a round (the buffer needs room for {@code rounds}
     * items), unless it waits for the buffer's {@code lock}; null when every read was current, else what the reader
     * saw.
     */
    static String probe(BoundedBuffer<Parcel> buffer, ReentrantLock lock, int rounds) throws InterruptedException {
        if (waitsForTheLock(buffer, lock)) {
            return null; // a read under the lock: no compiler may keep it, nothing more to check
        }
        return StaleReadProbe.reading("size()", buffer, buffer::size)
                .loop(StaleSizes.class, "spinOn", BoundedBuffer.class, (before, reads) -> spinOn(buffer, before, reads))
                .changedBy("put(item)", round -> put(buffer, new Parcel(9, round))).changeMustShow()
                .readBy("a thread that kept asking how full the buffer is")
                .rounds(rounds);
    }

    /**
     * Whether {@code size()}, called on another thread while this one holds {@code lock}, waits for it: seen on the
     * lock's queue, not guessed from a clock, so that a right buffer costs no probe even on a busy machine.
     */
    private static boolean waitsForTheLock(BoundedBuffer<?> buffer, ReentrantLock lock) throws InterruptedException {
        FutureTask<Integer> read = new FutureTask<>(buffer::size);
        Thread reader = Thread.ofPlatform().daemon(true).name("size() while the test holds the lock").unstarted(read);
        boolean queued;
        lock.lock();
        try {
            reader.start();
            long deadline = System.nanoTime() + Waiter.PATIENCE.toNanos();
            while (!read.isDone() && !lock.hasQueuedThread(reader) && System.nanoTime() < deadline) {
                TimeUnit.MILLISECONDS.sleep(1);
            }
            queued = !read.isDone() && lock.hasQueuedThread(reader);
        } finally {
            lock.unlock();
        }
        reader.join(Waiter.PATIENCE.toMillis());
        return queued;
    }

    private static void put(BoundedBuffer<Parcel> buffer, Parcel parcel) {
        try {
            buffer.put(parcel);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while putting " + parcel, interrupted);
        }
    }
}

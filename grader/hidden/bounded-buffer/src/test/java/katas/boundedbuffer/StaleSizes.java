package katas.boundedbuffer;

import katas.testkit.StaleReadProbe;

/**
 * Whether a thread that keeps asking {@code size()} sees a put that another thread makes meanwhile: the reading loop
 * over your buffer, for the testkit's {@link StaleReadProbe}, which says how a stale read is found. A {@code size()}
 * that reads the count without the lock (red team G: "one int read is atomic") may be read once by the compiled loop
 * and kept: the reader then sees the old size for ever.
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
     * items); null when every read was current, else what the reader saw. A {@code size()} seen to wait for the lock
     * gets one round only (the probe's rule): one round still shows a size() that takes the lock only sometimes.
     */
    static String probe(BoundedBuffer<Parcel> buffer, int rounds) throws InterruptedException {
        return StaleReadProbe.reading("size()", buffer, buffer::size)
                .loop(StaleSizes.class, "spinOn", BoundedBuffer.class, (before, reads) -> spinOn(buffer, before, reads))
                .changedBy("put(item)", round -> put(buffer, new Parcel(9, round))).changeMustShow()
                .readBy("a thread that kept asking how full the buffer is")
                .rounds(rounds);
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

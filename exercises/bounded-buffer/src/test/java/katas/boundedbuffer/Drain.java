package katas.boundedbuffer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Empties a buffer on the test's thread, without waiting, to compare what it held with what it should hold. */
final class Drain {

    private Drain() {
    }

    /** Takes every item with poll(0), in order: a right buffer hands back exactly what it holds, first in first. */
    static <T> List<T> all(BoundedBuffer<T> buffer) throws InterruptedException {
        List<T> items = new ArrayList<>();
        int limit = buffer.capacity() + 2; // a buffer that never runs dry must not loop this test forever
        for (int i = 0; i < limit; i++) {
            Optional<T> next = buffer.poll(Duration.ZERO);
            if (next.isEmpty()) {
                return items;
            }
            items.add(next.get());
        }
        return items;
    }

    /** Fills a buffer to its capacity with fresh parcels of producer {@code producer}, on the test's thread. */
    static List<Parcel> fill(BoundedBuffer<Parcel> buffer, int producer) throws InterruptedException {
        List<Parcel> put = new ArrayList<>();
        for (int s = 0; s < buffer.capacity(); s++) {
            Parcel parcel = new Parcel(producer, s);
            if (!buffer.offer(parcel, Duration.ZERO)) {
                throw new AssertionError("offer(" + parcel + ", 0) into a buffer of " + buffer.capacity()
                        + " holding " + s + " items returned false: it has room (rule 2)");
            }
            put.add(parcel);
        }
        return put;
    }
}

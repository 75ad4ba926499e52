package katas.boundedbuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import katas.testkit.ThreadEnd;
import katas.testkit.WakeableLock;

/**
 * Producers that put until the buffer closes and consumers that take until it is closed and empty, with the close
 * coming while they run (once the consumers took a drawn number of items). Afterwards every item whose put returned
 * must have been taken exactly once, in each producer's order, and every producer and consumer must have ended with
 * {@link BufferClosedException}, not hung and not with anything else.
 */
final class Shutdown {

    private final WakeableLock lock = new WakeableLock();
    private final BoundedBuffer<Parcel> buffer;
    private final int producers;
    private final int consumers;
    private final int closeAfter;
    private final List<List<Parcel>> put = new ArrayList<>();
    private final List<List<Parcel>> taken = new ArrayList<>();
    private final AtomicReference<String> failure = new AtomicReference<>();

    Shutdown(int capacity, int producers, int consumers, int closeAfter) {
        this.buffer = new BoundedBuffer<>(capacity, lock);
        this.producers = producers;
        this.consumers = consumers;
        this.closeAfter = closeAfter;
    }

    /** Runs the producers and consumers, closes the buffer midway (twice, from two threads), and judges the end. */
    void run() throws InterruptedException {
        CountDownLatch enoughTaken = new CountDownLatch(closeAfter);
        List<Thread> workers = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            List<Parcel> mine = new ArrayList<>();
            put.add(mine);
            int producer = p;
            workers.add(start("producer-" + p, () -> {
                for (int seq = 0; ; seq++) {
                    Parcel parcel = new Parcel(producer, seq);
                    if ((seq & 1) == 0) {
                        buffer.put(parcel);
                    } else if (!buffer.offer(parcel, Traffic.LONG)) {
                        throw new AssertionError("offer(" + parcel + ", 60 s) gave up (rule 6)");
                    }
                    mine.add(parcel);
                }
            }));
        }
        for (int c = 0; c < consumers; c++) {
            List<Parcel> mine = new ArrayList<>();
            taken.add(mine);
            workers.add(start("consumer-" + c, () -> {
                for (int i = 0; ; i++) {
                    Parcel parcel = (i & 1) == 0 ? buffer.take() : buffer.poll(Traffic.LONG)
                            .orElseThrow(() -> new AssertionError("poll(60 s) gave up while producers put (rule 6)"));
                    mine.add(parcel);
                    enoughTaken.countDown();
                }
            }));
        }
        long deadline = System.nanoTime() + Waiter.PATIENCE.toNanos();
        while (!enoughTaken.await(10, TimeUnit.MILLISECONDS)) {
            if (failure.get() != null || System.nanoTime() > deadline) {
                workers.forEach(Thread::interrupt);
                throw new AssertionError(failure.get() != null ? failure.get() + " (before close())"
                        : "consumers took only " + (closeAfter - enoughTaken.getCount()) + " items in "
                        + Waiter.PATIENCE.toSeconds() + " s with " + producers + " producers putting (rule 4)");
            }
        }
        Thread second = Thread.ofPlatform().daemon(true).name("second close").start(buffer::close);
        buffer.close();
        second.join(Waiter.PATIENCE.toMillis());
        for (Thread worker : workers) {
            worker.join(Waiter.PATIENCE.toMillis());
        }
        List<String> stuck = workers.stream().filter(ThreadEnd::stillRuns).map(Thread::getName).toList();
        workers.forEach(Thread::interrupt);
        if (!stuck.isEmpty()) {
            throw new AssertionError(stuck + " still ran " + Waiter.PATIENCE.toSeconds() + " s after close(): close "
                    + "must wake every waiting producer and consumer (signalAll), and a consumer must stop once the "
                    + "buffer is closed and empty (rule 8)");
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        judge();
    }

    private Thread start(String name, Body body) {
        return Thread.ofPlatform().daemon(true).name(name).start(() -> {
            try {
                body.run();
            } catch (BufferClosedException closed) {
                // the end every producer and consumer must come to
            } catch (Throwable other) {
                failure.compareAndSet(null, name + " ended with " + other + ", not BufferClosedException, when the "
                        + "buffer closed (rule 8)");
            }
        });
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    private void judge() {
        Map<Parcel, Integer> seen = new HashMap<>();
        for (List<Parcel> mine : taken) {
            Map<Integer, Integer> lastOf = new HashMap<>();
            for (Parcel parcel : mine) {
                if (seen.merge(parcel, 1, Integer::sum) > 1) {
                    throw new AssertionError(parcel + " was taken twice around close() (rule 3)");
                }
                Integer last = lastOf.put(parcel.producer(), parcel.seq());
                if (last != null && last > parcel.seq()) {
                    throw new AssertionError("a consumer took p" + parcel.producer() + "#" + last + " before "
                            + parcel + " (first in, first out: rule 1)");
                }
            }
        }
        for (List<Parcel> mine : put) {
            for (Parcel parcel : mine) {
                if (!seen.containsKey(parcel)) {
                    throw new AssertionError(parcel + "'s put returned before close(), but no consumer ever took it: "
                            + "close() must keep what is in the buffer for the consumers (rule 8)");
                }
            }
        }
        int takenCount = seen.size();
        int putCount = put.stream().mapToInt(List::size).sum();
        if (takenCount != putCount) {
            throw new AssertionError(takenCount + " items taken but " + putCount + " puts returned: a put that threw "
                    + "BufferClosedException added its item anyway (rule 8)");
        }
        if (lock.isLocked()) {
            throw new AssertionError("the buffer's lock is still held after every call ended (rule 9)");
        }
    }
}

package katas.boundedbuffer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import katas.testkit.ThreadEnd;
import katas.testkit.Watch;
import katas.testkit.WakeableLock;

/**
 * Producers and consumers that share one buffer: each producer puts its own numbered parcels, each consumer takes
 * a fixed quota, and the quotas add up to the parcels, so a right buffer lets every one of them finish. While they
 * run, a {@link Watch} checks that the buffer never holds more than its capacity; afterwards {@link #check()} judges
 * what each consumer got: no parcel lost or taken twice, and each producer's parcels in its order.
 *
 * <p>A hang is seen, not waited out: when, with the test holding the lock, every thread still running waits on a
 * condition, no one is left to signal them and the run can never end (a right buffer never gets there, since the
 * quotas add up). The run then fails at once with who waits and how far the run came.
 */
final class Traffic {

    /** How a producer or consumer calls the buffer: blocking, or timed with a timeout that never runs out. */
    enum Style { BLOCKING, TIMED, MIXED }

    static final Duration LONG = Duration.ofSeconds(60);

    private final BoundedBuffer<Parcel> buffer;
    private final WakeableLock lock;
    private final int capacity;
    private final int[] parcelsOf;
    private final int[] quotas;
    private final Style style;
    private boolean wakeForNothing;
    private final List<List<Parcel>> taken = new ArrayList<>();
    private final AtomicInteger putsReturned = new AtomicInteger();
    private final AtomicInteger takesStarted = new AtomicInteger();
    private final AtomicInteger takesReturned = new AtomicInteger();
    private final AtomicReference<String> failure = new AtomicReference<>();

    /** {@code parcelsOf[p]} parcels from producer p, {@code quotas[c]} taken by consumer c (same sums). */
    Traffic(int capacity, int[] parcelsOf, int[] quotas, Style style) {
        this.lock = new WakeableLock();
        this.capacity = capacity;
        this.buffer = new BoundedBuffer<>(capacity, lock);
        this.parcelsOf = parcelsOf.clone();
        this.quotas = quotas.clone();
        this.style = style;
        for (int c = 0; c < quotas.length; c++) {
            taken.add(new ArrayList<>());
        }
    }

    /** Splits {@code total} into {@code parts} positive shares at random (no share is a round number on purpose). */
    static int[] split(int total, int parts, java.util.Random random) {
        int[] shares = new int[parts];
        for (int i = 0; i < total; i++) {
            shares[i < parts ? i : random.nextInt(parts)]++;
        }
        return shares;
    }

    /** Also wakes every waiter for no reason, over and over, while the traffic runs (spurious wakeups). */
    Traffic wakingForNothing(boolean wake) {
        this.wakeForNothing = wake;
        return this;
    }

    WakeableLock lock() {
        return lock;
    }

    /** Runs every producer and consumer to the end, or fails saying why they could not finish. */
    Traffic run() throws InterruptedException {
        List<Thread> workers = new ArrayList<>();
        CountDownLatch gate = new CountDownLatch(1);
        for (int p = 0; p < parcelsOf.length; p++) {
            int producer = p;
            workers.add(worker("producer-" + p, gate, () -> produce(producer)));
        }
        for (int c = 0; c < quotas.length; c++) {
            int consumer = c;
            workers.add(worker("consumer-" + c, gate, () -> consume(consumer)));
        }
        try (Watch watch = Watch.of("never more than " + capacity + " items in the buffer (rule 2)", this::overfull)) {
            Thread waker = wakeForNothing ? Thread.ofPlatform().daemon(true).name("waker").start(() -> wake(workers))
                    : null;
            gate.countDown();
            awaitAll(workers);
            if (waker != null) {
                waker.join();
            }
        }
        String failed = failure.get();
        if (failed != null) {
            throw new AssertionError(failed + " (" + progress() + ")");
        }
        return this;
    }

    private Thread worker(String name, CountDownLatch gate, Runnable body) {
        return Thread.ofPlatform().daemon(true).name(name).start(() -> {
            try {
                gate.await();
                body.run();
            } catch (Throwable thrown) {
                failure.compareAndSet(null, name + " failed: " + thrown);
            }
        });
    }

    private void produce(int producer) {
        try {
            for (int seq = 0; seq < parcelsOf[producer]; seq++) {
                Parcel parcel = new Parcel(producer, seq);
                if (timed(seq)) {
                    if (!buffer.offer(parcel, LONG)) {
                        throw new AssertionError("offer(" + parcel + ", 60 s) gave up while consumers were taking "
                                + "(rule 6)");
                    }
                } else {
                    buffer.put(parcel);
                }
                putsReturned.incrementAndGet();
            }
        } catch (InterruptedException interrupted) {
            throw new AssertionError("interrupted", interrupted);
        }
    }

    private void consume(int consumer) {
        List<Parcel> mine = taken.get(consumer);
        try {
            for (int i = 0; i < quotas[consumer]; i++) {
                takesStarted.incrementAndGet();
                Parcel parcel;
                if (timed(i + consumer)) {
                    Optional<Parcel> got = buffer.poll(LONG);
                    if (got == null || got.isEmpty()) {
                        throw new AssertionError("poll(60 s) returned " + got + " while producers were putting "
                                + "(rule 6)");
                    }
                    parcel = got.get();
                } else {
                    parcel = buffer.take();
                }
                if (parcel == null) {
                    throw new AssertionError("take() returned null: it went on while the buffer was empty (a wait "
                            + "with if instead of while, woken for no reason: rule 5)");
                }
                mine.add(parcel);
                takesReturned.incrementAndGet();
            }
        } catch (InterruptedException interrupted) {
            throw new AssertionError("interrupted", interrupted);
        }
    }

    private boolean timed(int call) {
        return switch (style) {
            case BLOCKING -> false;
            case TIMED -> true;
            case MIXED -> (call & 1) == 1;
        };
    }

    /** Spurious wakeups every few hundred microseconds, until the workers are done. */
    private void wake(List<Thread> workers) {
        while (workers.stream().anyMatch(ThreadEnd::stillRuns)) {
            lock.wakeEarly();
            java.util.concurrent.locks.LockSupport.parkNanos(300_000);
        }
    }

    /** A lower bound of what the buffer holds: parcels whose put returned minus takes that began. */
    private String overfull() {
        int in = putsReturned.get();
        int out = takesStarted.get();
        if (in - out > capacity) {
            return in + " puts had returned while only " + out + " takes had begun: the buffer held at least "
                    + (in - out) + " items";
        }
        int size = buffer.size();
        return size > capacity || size < 0 ? "size() was " + size : null;
    }

    private void awaitAll(List<Thread> workers) throws InterruptedException {
        long lockBusySince = 0;
        while (true) {
            List<Thread> running = workers.stream().filter(ThreadEnd::stillRuns).toList();
            if (running.isEmpty()) {
                return;
            }
            if (failure.get() != null) {
                // One failed: the others may wait for what it would have done. Stop them; the failure is the news.
                stopAll(workers);
                for (Thread worker : running) {
                    worker.join(Waiter.PATIENCE.toMillis());
                }
                return;
            }
            running.get(0).join(5);
            if (!lock.tryLock(100, TimeUnit.MILLISECONDS)) {
                lockBusySince = lockBusySince == 0 ? System.nanoTime() : lockBusySince;
                if (System.nanoTime() - lockBusySince > Waiter.PATIENCE.toNanos()) {
                    stopAll(workers);
                    throw new AssertionError("the buffer's lock stayed held for " + Waiter.PATIENCE.toSeconds()
                            + " s while " + running.size() + " producers and consumers waited (" + progress()
                            + "): a call kept it (unlock in finally, rule 9), or waited without releasing it");
                }
                continue;
            }
            lockBusySince = 0;
            try {
                // Alive before the look, all waiting during it: with the lock held, no one can signal them any more.
                List<Thread> alive = workers.stream().filter(ThreadEnd::stillRuns).toList();
                Set<Thread> waiting = new HashSet<>(lock.threadsWaitingOnConditions());
                if (!alive.isEmpty() && waiting.containsAll(alive)) {
                    stopAll(workers);
                    throw new AssertionError(hang(alive));
                }
            } finally {
                lock.unlock();
            }
        }
    }

    private static void stopAll(List<Thread> workers) {
        workers.forEach(Thread::interrupt);
    }

    private String hang(List<Thread> running) {
        List<String> names = running.stream().map(Thread::getName).toList();
        boolean producers = names.stream().anyMatch(n -> n.startsWith("producer"));
        boolean consumers = names.stream().anyMatch(n -> n.startsWith("consumer"));
        String why = producers && consumers
                ? "producers wait for room and consumers for items at the same time, so the buffer is both full and "
                        + "empty to them: a put or take woke the wrong side (one condition for both with signal()), "
                        + "or a count changed outside the lock"
                : producers ? "producers wait for room that no consumer is left to make: items were lost or counted "
                        + "twice, or a take's signal woke a producer's neighbour instead of a producer"
                : "consumers wait for items no producer is left to put: an item was lost, or a put's signal woke "
                        + "another consumer's neighbour (one condition with signal()), or was never sent";
        return "hang: every thread still running waits on a condition of the buffer's lock and no one is left to "
                + "signal it: " + names + ". " + why + " (rule 4; " + progress() + ")";
    }

    private String progress() {
        int total = 0;
        for (int n : parcelsOf) {
            total += n;
        }
        return putsReturned.get() + " of " + total + " puts returned, " + takesReturned.get() + " takes returned, "
                + "capacity " + capacity + ", " + parcelsOf.length + " producers, " + quotas.length + " consumers";
    }

    /** Judges what the consumers got: every parcel exactly once, and each producer's parcels in its order. */
    Traffic check() {
        Map<Parcel, Integer> seen = new HashMap<>();
        for (int c = 0; c < taken.size(); c++) {
            Map<Integer, Integer> lastOf = new HashMap<>();
            for (Parcel parcel : taken.get(c)) {
                if (seen.merge(parcel, 1, Integer::sum) > 1) {
                    throw new AssertionError(parcel + " was taken twice: two takes read the same place, or a put "
                            + "wrote over a place not yet taken (rule 3; " + progress() + ")");
                }
                Integer last = lastOf.put(parcel.producer(), parcel.seq());
                if (last != null && last > parcel.seq()) {
                    throw new AssertionError("consumer-" + c + " took p" + parcel.producer() + "#" + last
                            + " before " + parcel + ": producer " + parcel.producer() + " put them in the other "
                            + "order, and a buffer gives items back first in, first out (rule 1; " + progress() + ")");
                }
            }
        }
        for (int p = 0; p < parcelsOf.length; p++) {
            for (int s = 0; s < parcelsOf[p]; s++) {
                if (!seen.containsKey(new Parcel(p, s))) {
                    throw new AssertionError(new Parcel(p, s) + " was put but never taken: an item was lost "
                            + "(rule 3; " + progress() + ")");
                }
            }
        }
        return this;
    }

    /** What each consumer took, in the order it took them. */
    List<List<Parcel>> taken() {
        return taken;
    }
}

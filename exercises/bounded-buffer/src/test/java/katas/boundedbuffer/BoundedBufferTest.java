package katas.boundedbuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.WakeableLock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The visible tests of bounded-buffer, one or more per rule of the README. Calls that must wait run on threads of
 * their own ({@link Waiter}); the test sees them wait on the conditions of a {@link WakeableLock} it hands to the
 * buffer, wakes them for no reason, interrupts them, and never judges anything by a clock.
 */
@DisplayName("BoundedBuffer")
@KataTest
class BoundedBufferTest {

    /** Capacities from 1 up, mostly not powers of two: a ring that wraps with a bit mask breaks on those. */
    static int capacity(Shapes shapes) {
        return shapes.oneOf("capacity", 1, 2, 3, 5, 6, 7, 9, 10, 11, 13, 17, 23);
    }

    @Nested
    @DisplayName("order")
    class Order {

        @Test
        @Tag("rule-1")
        @Tag("rule-2")
        @DisplayName("gives items back first in, first out, also after the ring wrapped around many times")
        void firstInFirstOutThroughWrapAround(Shapes shapes) throws Exception {
            shapes.check(6, round -> {
                int capacity = capacity(round);
                int steps = round.between("steps", 300, 900);
                Random random = round.random();
                BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity);
                ArrayDeque<Parcel> model = new ArrayDeque<>();
                List<String> history = new ArrayList<>();
                int next = 0;
                for (int step = 0; step < steps; step++) {
                    // Lean toward putting or taking in runs, so the buffer fills, empties and wraps in every state.
                    boolean putting = ((step / (1 + random.nextInt(capacity + 1))) & 1) == 0 ? random.nextInt(4) > 0
                            : random.nextInt(4) == 0;
                    if (putting) {
                        Parcel parcel = new Parcel(0, next++);
                        boolean added = model.size() < capacity
                                ? add(buffer, parcel, random.nextBoolean()) : buffer.offer(parcel, Duration.ZERO);
                        history.add("+" + parcel.seq());
                        assertThat(added).as("offer into a buffer of %d holding %d (rule 2); calls so far: %s",
                                capacity, model.size(), tail(history)).isEqualTo(model.size() < capacity);
                        if (added) {
                            model.addLast(parcel);
                        }
                    } else {
                        Parcel expected = model.pollFirst();
                        Optional<Parcel> got = expected != null && random.nextBoolean()
                                ? Optional.of(buffer.take()) : buffer.poll(Duration.ZERO);
                        history.add("-");
                        assertThat(got.orElse(null)).as("the item taken from a buffer of %d that got, in order, %s "
                                + "(first in, first out: rule 1)", capacity, tail(history)).isEqualTo(expected);
                    }
                    assertThat(buffer.size()).as("size() after %s", tail(history)).isEqualTo(model.size());
                }
            });
        }

        @Test
        @Tag("rule-1")
        @Tag("rule-3")
        @DisplayName("hands one producer's items to one consumer in the order they were put, none lost")
        void oneProducerOneConsumerKeepTheirOrder(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                int capacity = capacity(round);
                int parcels = round.between("parcels", 500, 3_000);
                Traffic traffic = new Traffic(capacity, new int[] {parcels}, new int[] {parcels},
                        round.oneOf("style", Traffic.Style.values())).run().check();
                List<Parcel> taken = traffic.taken().get(0);
                for (int i = 0; i < parcels; i++) {
                    assertThat(taken.get(i).seq()).as("the %d-th item taken (rule 1)", i).isEqualTo(i);
                }
            });
        }
    }

    @Nested
    @DisplayName("capacity")
    class Capacity {

        @Test
        @Tag("rule-2")
        @Tag("rule-4")
        @DisplayName("makes put wait while full and take wait while empty, on conditions of the lock it was given")
        void putWaitsWhileFullAndTakeWhileEmpty(Shapes shapes) throws Exception {
            int capacity = capacity(shapes);
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            Waiter consumer = Waiter.start("take() from an empty buffer", lock, buffer::take)
                    .awaitWaiting("the buffer is empty (rule 4)");
            Parcel first = new Parcel(1, 0);
            buffer.put(first);
            consumer.awaitEnded("an item was put (rule 4)");
            assertThat(consumer.returned()).as("what the waiting take() got").isSameAs(first);
            List<Parcel> held = Drain.fill(buffer, 2);
            assertThat(buffer.size()).as("size() of a full buffer of %d", capacity).isEqualTo(capacity);
            Parcel late = new Parcel(3, 0);
            Waiter producer = Waiter.start("put(" + late + ") into a full buffer of " + capacity, lock,
                    () -> { buffer.put(late); return null; }).awaitWaiting("the buffer is full (rules 2 and 4)");
            assertThat(buffer.offer(new Parcel(4, 0), Duration.ZERO)).as("offer(item, 0) into a full buffer of %d "
                    + "(rule 2)", capacity).isFalse();
            assertThat(buffer.take()).as("the first item taken from the full buffer").isSameAs(held.get(0));
            producer.awaitEnded("take() made room (rule 4)");
            assertThat(producer.thrown()).as("what the waiting put() threw").isNull();
            List<Parcel> expected = new ArrayList<>(held.subList(1, capacity));
            expected.add(late);
            assertThat(Drain.all(buffer)).as("what the buffer held (rule 1)").containsExactlyElementsOf(expected);
        }

        @Test
        @Tag("rule-2")
        @DisplayName("refuses a capacity below one")
        void refusesACapacityBelowOne(Shapes shapes) {
            int capacity = shapes.oneOf("capacity", 0, -1, -7, Integer.MIN_VALUE);
            assertThat(catchThrowable(() -> new BoundedBuffer<String>(capacity)))
                    .as("rule 2: new BoundedBuffer<>(%d) must throw IllegalArgumentException (what it threw, "
                            + "null if nothing)", capacity).isInstanceOf(IllegalArgumentException.class);
            assertThat(catchThrowable(() -> new BoundedBuffer<String>(capacity, new WakeableLock())))
                    .as("rule 2: new BoundedBuffer<>(%d, lock) must throw IllegalArgumentException (what it threw, "
                            + "null if nothing)", capacity).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    @DisplayName("many producers and consumers")
    class ManyThreads {

        @Test
        @Tag("rule-1")
        @Tag("rule-2")
        @Tag("rule-3")
        @Tag("rule-4")
        @DisplayName("moves every item exactly once between many producers and consumers, never above capacity")
        void movesEveryItemExactlyOnce(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                int capacity = round.oneOf("capacity", 1, 2, 3, 5, 7);
                int producers = round.between("producers", 2, 4);
                int consumers = round.between("consumers", 2, 4);
                int total = round.between("items", 1_500, 4_000);
                Random random = round.random();
                new Traffic(capacity, Traffic.split(total, producers, random), Traffic.split(total, consumers, random),
                        round.oneOf("style", Traffic.Style.values())).run().check();
            });
        }

        @Test
        @Tag("rule-3")
        @DisplayName("a put that comes the moment a take gave the lock back finds the room it made, and loses nothing")
        void aPutRightAfterATakeLosesNothing(Shapes shapes) throws Exception {
            // The test takes on its own thread; the moment that take lets go of the lock, and before it returns, a
            // put runs on another thread, to its end. A take that still changes the buffer's state after it gave the
            // lock back (the count lowered outside the lock) races with that put every time, not once in a while.
            int capacity = shapes.between("capacity", 2, 13);
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            List<Parcel> held = new ArrayList<>();
            for (int s = shapes.between("items held before the take", 1, capacity - 1); s > 0; s--) {
                Parcel parcel = new Parcel(1, held.size());
                buffer.put(parcel);
                held.add(parcel);
            }
            Parcel late = new Parcel(2, 0);
            List<Waiter> putter = new ArrayList<>();
            lock.afterNextReleaseBy(Thread.currentThread(), () -> putter.add(Waiter.start(
                    "put(" + late + ") the moment a take gave the lock back", lock,
                    () -> { buffer.put(late); return null; }).awaitEndedOrWaiting()));
            Object took = buffer.take();
            assertThat(putter).as("puts started the moment take() gave the lock back: take() must unlock the lock it "
                    + "was given (rule 10)").hasSize(1);
            putter.get(0).awaitEnded("the buffer of " + capacity + " had room: it held " + (held.size() - 1)
                    + " items once the take was done (a take must finish its bookkeeping before it gives the lock back:"
                    + " rule 3)");
            assertThat(putter.get(0).thrown()).as("what put(%s) threw", late).isNull();
            assertThat(took).as("what take() got (rule 1)").isSameAs(held.get(0));
            List<Parcel> expected = new ArrayList<>(held.subList(1, held.size()));
            expected.add(late);
            List<Parcel> left;
            try {
                left = Drain.all(buffer);
            } catch (RuntimeException failure) {
                throw new AssertionError("the buffer broke after a put ran the moment a take gave the lock back: "
                        + failure + ". A take must finish changing the buffer before it lets go of the lock (rule 3)",
                        failure);
            }
            assertThat(left).as("what the buffer held after a put ran the moment a take gave the lock back: a take "
                    + "that still changes the count after it let go of the lock makes that put write to the wrong "
                    + "slot (rule 3)").containsExactlyElementsOf(expected);
        }
    }

    @Nested
    @DisplayName("wakeups")
    class Wakeups {

        @Test
        @Tag("rule-4")
        @DisplayName("a take wakes the producer waiting for room, not a consumer waiting beside it")
        void aTakeWakesTheWaitingProducer(Shapes shapes) throws Exception {
            // Capacity 1, two consumers waiting; then, queued behind the test's hold of the lock, two producers.
            // The first puts and wakes the first consumer; the second finds the buffer full and waits beside the
            // second consumer. The first consumer's take must now wake that producer: had it woken the consumer
            // (one condition for both sides, signal()), both would wait forever beside an empty buffer.
            WakeableLock lock = new WakeableLock(true);
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(1, lock);
            List<Waiter> waiters = new ArrayList<>();
            for (int c = 1; c <= 2; c++) {
                waiters.add(Waiter.start("take() #" + c + " from an empty buffer of 1", lock, buffer::take)
                        .awaitWaiting("the buffer is empty (rule 4)"));
            }
            lock.lock();
            try {
                for (int p = 1; p <= 2; p++) {
                    Parcel parcel = new Parcel(p, shapes.between("item of producer " + p, 0, 99));
                    waiters.add(Waiter.start("put(" + parcel + ") #" + p + " into a buffer of 1", lock,
                            () -> { buffer.put(parcel); return parcel; }).awaitQueuedForTheLock());
                }
            } finally {
                lock.unlock();
            }
            awaitNoneStuck(waiters, lock, buffer, "a take woke a consumer instead of the producer waiting for room "
                    + "(producers and consumers on one condition, woken with signal(): rule 4)");
            for (Waiter waiter : waiters) {
                waiter.awaitEnded("every producer and consumer can finish (rule 4)");
                assertThat(waiter.thrown()).as("%s %s", waiter, waiter.outcome()).isNull();
            }
            assertThat(List.of(waiters.get(0).returned(), waiters.get(1).returned()))
                    .as("what the two consumers took (rule 3)")
                    .containsExactlyInAnyOrder(waiters.get(2).returned(), waiters.get(3).returned());
        }

        @Test
        @Tag("rule-4")
        @DisplayName("items put one after another while several consumers wait wake one consumer each")
        void eachItemPutWakesAWaitingConsumer(Shapes shapes) throws Exception {
            // The consumers wait on an empty buffer; the test puts one item per consumer while it holds the lock, so
            // every put is done before the first consumer woken gets the lock back. A put that signals only when the
            // buffer was empty wakes one of them, and the others wait beside the items put for them.
            int consumers = shapes.between("consumers waiting", 2, 4);
            int capacity = consumers + shapes.between("room beyond one item per consumer", 0, 3);
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            List<Waiter> waiters = new ArrayList<>();
            for (int c = 1; c <= consumers; c++) {
                waiters.add(Waiter.start("take() #" + c + " from an empty buffer of " + capacity, lock, buffer::take)
                        .awaitWaiting("the buffer is empty (rule 4)"));
            }
            List<Parcel> put = new ArrayList<>();
            lock.lock();
            try {
                for (int c = 1; c <= consumers; c++) {
                    Parcel parcel = new Parcel(0, c);
                    buffer.put(parcel);
                    put.add(parcel);
                }
            } finally {
                lock.unlock();
            }
            awaitNoneStuck(waiters, lock, buffer, "each put must wake a waiting consumer, not only the put that "
                    + "found the buffer empty (rule 4)");
            List<Object> taken = new ArrayList<>();
            for (Waiter waiter : waiters) {
                waiter.awaitEnded("an item was put for every consumer (rule 4)");
                assertThat(waiter.thrown()).as("%s %s", waiter, waiter.outcome()).isNull();
                taken.add(waiter.returned());
            }
            assertThat(taken).as("what the %d consumers took (rule 3)", consumers)
                    .containsExactlyInAnyOrderElementsOf(put);
        }

        @Test
        @Tag("rule-5")
        @DisplayName("a take or a put woken for no reason, however often in a row, waits again and changes nothing")
        void aWakeupForNothingChangesNothing(Shapes shapes) throws Exception {
            // Two or more wakeups in a row: a wait guarded by a fixed number of ifs instead of a loop survives as
            // many wakeups as it has ifs, then goes on with nothing to take or no room to put into.
            int capacity = capacity(shapes);
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            Waiter consumer = Waiter.start("take() from an empty buffer", lock, buffer::take)
                    .awaitWaiting("the buffer is empty (rule 4)");
            for (int i = shapes.between("wakeups of the take in a row", 2, 5); i > 0; i--) {
                consumer.wakeForNothing("the buffer is still empty, however often it is woken (rule 5)");
            }
            Parcel first = new Parcel(1, 0);
            buffer.put(first);
            assertThat(consumer.awaitEnded("an item was put").returned()).as("what take() got").isSameAs(first);

            List<Parcel> held = Drain.fill(buffer, 2);
            Waiter producer = Waiter.start("put() into a full buffer of " + capacity, lock,
                    () -> { buffer.put(new Parcel(3, 0)); return null; }).awaitWaiting("the buffer is full (rule 4)");
            for (int i = shapes.between("wakeups of the put in a row", 2, 4); i > 0; i--) {
                producer.wakeForNothing("the buffer is still full, however often it is woken (rule 5)");
            }
            assertThat(buffer.size()).as("size() of a full buffer of %d after a put woke for nothing", capacity)
                    .isEqualTo(capacity);
            producer.interrupt();
            producer.awaitEnded("it was interrupted (rule 7)");
            assertThat(Drain.all(buffer)).as("what a full buffer held after a put woke for nothing (rule 5)")
                    .containsExactlyElementsOf(held);
        }
    }

    @Nested
    @DisplayName("timeouts")
    class Timeouts {

        @Test
        @Tag("rule-6")
        @DisplayName("offer and poll give up after their whole timeout, however often woken, and change nothing")
        void giveUpAfterTheWholeTimeout(Shapes shapes) throws Exception {
            int capacity = capacity(shapes);
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            Duration timeout = Duration.ofMillis(shapes.between("timeout (ms)", 250, 500));
            // A busy machine may leave the waking thread unscheduled for longer than the timeout; then a timeout
            // restarted on every wakeup runs out too and this attempt proves nothing: it is judged all the same
            // (a right buffer passes it), and tried again, up to four times.
            for (int attempt = 1; attempt <= 4; attempt++) {
                Waiter poller = Waiter.start("poll(" + timeout.toMillis() + " ms) from an empty buffer", lock,
                        () -> buffer.poll(timeout));
                Duration gap = wakeUntilEnded(lock, poller, "poll must give up after its timeout counted in total, "
                        + "not from each wakeup");
                assertThat(poller.returned()).as("%s %s (rule 6)", poller, poller.outcome())
                        .isEqualTo(Optional.empty());
                assertThat(poller.took()).as("how long %s waited (rule 6)", poller).isGreaterThanOrEqualTo(timeout);
                if (gap.compareTo(timeout.dividedBy(2)) < 0) {
                    break;
                }
            }
            List<Parcel> held = Drain.fill(buffer, 1);
            for (int attempt = 1; attempt <= 4; attempt++) {
                Waiter offerer = Waiter.start("offer(item, " + timeout.toMillis() + " ms) into a full buffer", lock,
                        () -> buffer.offer(new Parcel(2, 0), timeout));
                Duration gap = wakeUntilEnded(lock, offerer, "offer must give up after its timeout counted in total");
                assertThat(offerer.returned()).as("%s %s (rule 6)", offerer, offerer.outcome()).isEqualTo(false);
                assertThat(offerer.took()).as("how long %s waited (rule 6)", offerer).isGreaterThanOrEqualTo(timeout);
                if (gap.compareTo(timeout.dividedBy(2)) < 0) {
                    break;
                }
            }
            assertThat(Drain.all(buffer)).as("what a full buffer held after an offer timed out (it adds nothing: "
                    + "rule 6)").containsExactlyElementsOf(held);
        }
    }

    @Nested
    @DisplayName("interrupts")
    class Interrupts {

        @Test
        @Tag("rule-7")
        @Tag("rule-9")
        @DisplayName("an interrupted put or take throws InterruptedException, frees the lock and changes nothing")
        void anInterruptedWaitThrowsAndChangesNothing(Shapes shapes) throws Exception {
            int capacity = capacity(shapes);
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            Waiter consumer = Waiter.start("take() from an empty buffer", lock, buffer::take)
                    .awaitWaiting("the buffer is empty (rule 4)");
            consumer.interrupt();
            consumer.awaitEnded("it was interrupted while it waited (rule 7)");
            assertThat(consumer.thrown()).as("%s, interrupted, %s (rule 7)", consumer, consumer.outcome())
                    .isInstanceOf(InterruptedException.class);
            List<Parcel> held = Drain.fill(buffer, 1);
            Waiter producer = Waiter.start("put() into a full buffer of " + capacity, lock,
                    () -> { buffer.put(new Parcel(2, 0)); return null; }).awaitWaiting("the buffer is full (rule 4)");
            producer.interrupt();
            producer.awaitEnded("it was interrupted while it waited (rule 7)");
            assertThat(producer.thrown()).as("%s, interrupted, %s (rule 7)", producer, producer.outcome())
                    .isInstanceOf(InterruptedException.class);
            assertThat(Drain.all(buffer)).as("what a full buffer held after an interrupted put (rule 7)")
                    .containsExactlyElementsOf(held);
        }
    }

    @Nested
    @DisplayName("closing")
    class Closing {

        @Test
        @Tag("rule-8")
        @Tag("rule-9")
        @DisplayName("close wakes every waiting producer, keeps the items for the consumers, then ends them")
        void closeWakesEveryProducerAndKeepsTheItems(Shapes shapes) throws Exception {
            int capacity = capacity(shapes);
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            List<Parcel> held = Drain.fill(buffer, 0);
            List<Waiter> producers = new ArrayList<>();
            for (int p = 1; p <= shapes.between("waiting producers", 2, 4); p++) {
                Parcel parcel = new Parcel(p, 0);
                producers.add(Waiter.start("put(" + parcel + ") into a full buffer", lock,
                        () -> { buffer.put(parcel); return null; }).awaitWaiting("the buffer is full (rule 4)"));
            }
            buffer.close();
            for (Waiter producer : producers) {
                producer.awaitEnded("close() wakes every waiter (rule 8)");
                assertThat(producer.thrown()).as("%s when the buffer closed %s (rule 8)", producer, producer.outcome())
                        .isInstanceOf(BufferClosedException.class);
            }
            assertThat(catchThrowable(() -> buffer.put(new Parcel(9, 0)))).as("put() after close() (rule 8)")
                    .isInstanceOf(BufferClosedException.class);
            buffer.close();
            for (Parcel parcel : held) {
                assertThat(buffer.take()).as("take() after close(), with items left (rule 8)").isSameAs(parcel);
            }
            assertThat(catchThrowable(buffer::take)).as("take() from a closed buffer with nothing left (rule 8)")
                    .isInstanceOf(BufferClosedException.class);
            assertThat(lock.isLocked()).as("the buffer's lock is held after a call threw (rule 9)").isFalse();
        }

        @Test
        @Tag("rule-8")
        @DisplayName("close wakes every waiting consumer of an empty buffer with BufferClosedException")
        void closeWakesEveryConsumer(Shapes shapes) throws Exception {
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity(shapes), lock);
            List<Waiter> consumers = new ArrayList<>();
            for (int c = shapes.between("waiting consumers", 2, 4); c > 0; c--) {
                consumers.add(Waiter.start("take() from an empty buffer", lock, buffer::take)
                        .awaitWaiting("the buffer is empty (rule 4)"));
            }
            buffer.close();
            for (Waiter consumer : consumers) {
                consumer.awaitEnded("close() wakes every waiter (rule 8)");
                assertThat(consumer.thrown()).as("%s when the buffer closed %s (rule 8)", consumer, consumer.outcome())
                        .isInstanceOf(BufferClosedException.class);
            }
        }
    }

    @Nested
    @DisplayName("refusals")
    class Refusals {

        @Test
        @Tag("rule-9")
        @DisplayName("refuses null with NullPointerException, adds nothing and frees the lock")
        void refusesNull(Shapes shapes) throws Exception {
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity(shapes), lock);
            boolean offer = shapes.chance("offer, not put", 0.5);
            Waiter call = Waiter.start(offer ? "offer(null, 1 s)" : "put(null)", lock,
                    () -> offer ? buffer.offer(null, Duration.ofSeconds(1)) : nullPut(buffer)).awaitEnded("rule 9");
            assertThat(call.thrown()).as("%s %s (rule 9)", call, call.outcome())
                    .isInstanceOf(NullPointerException.class);
            assertThat(buffer.size()).as("size() after %s (rule 9)", call).isZero();
            assertThat(buffer.poll(Duration.ZERO)).as("poll(0) after %s (rule 9)", call).isEmpty();
        }
    }

    private static Object nullPut(BoundedBuffer<Parcel> buffer) throws InterruptedException {
        buffer.put(null);
        return null;
    }

    private static boolean add(BoundedBuffer<Parcel> buffer, Parcel parcel, boolean put) throws InterruptedException {
        if (put) {
            buffer.put(parcel);
            return true;
        }
        return buffer.offer(parcel, Duration.ZERO);
    }

    private static String tail(List<String> history) {
        return history.size() <= 40 ? history.toString()
                : "..." + history.subList(history.size() - 40, history.size());
    }

    /**
     * Wakes every waiter for no reason every few milliseconds until {@code waiter} ends (a timed wait must count its
     * timeout in total, so it ends however often it is woken); fails when it has not ended long after. Returns the
     * longest time between two wakeups: when the machine was too busy to wake it as often as asked.
     */
    static Duration wakeUntilEnded(WakeableLock lock, Waiter waiter, String why) throws InterruptedException {
        long deadline = System.nanoTime() + Waiter.PATIENCE.toNanos();
        long last = System.nanoTime();
        long longestGap = 0;
        while (!waiter.ended()) {
            long now = System.nanoTime();
            longestGap = Math.max(longestGap, now - last);
            last = now;
            if (System.nanoTime() > deadline) {
                // No quiet moment after the wakeups: a timeout restarted on each wakeup would run out in one.
                throw new AssertionError(waiter + " was still waiting " + Waiter.PATIENCE.toSeconds() + " s after it "
                        + "began, woken for no reason every 2 ms: " + why + " (a timeout started afresh on every "
                        + "wakeup never runs out; keep what awaitNanos returns: rule 6)");
            }
            lock.wakeEarly();
            Thread.sleep(2);
        }
        waiter.awaitEnded(why);
        return Duration.ofNanos(longestGap);
    }

    /**
     * Waits until every waiter ended, and fails as soon as all that are left wait on the buffer's conditions with no
     * one left to wake them (or after {@link Waiter#PATIENCE}): a hang named at once, instead of a timeout.
     */
    static void awaitNoneStuck(List<Waiter> waiters, WakeableLock lock, BoundedBuffer<?> buffer, String why)
            throws InterruptedException {
        long deadline = System.nanoTime() + Waiter.PATIENCE.toNanos();
        while (!waiters.stream().allMatch(Waiter::ended)) {
            lock.lock();
            try {
                List<Waiter> stuck = waiters.stream().filter(w -> !w.ended()).toList();
                if (stuck.isEmpty()) {
                    return; // the last ones ended since the loop looked: nothing is stuck
                }
                if (stuck.stream().allMatch(Waiter::waitsOnACondition) || System.nanoTime() > deadline) {
                    throw new AssertionError("hang: " + stuck + " wait on the buffer's conditions with "
                            + buffer.size() + " item(s) in it, and no one is left to wake them: " + why);
                }
            } finally {
                lock.unlock();
            }
            Thread.sleep(1);
        }
    }
}

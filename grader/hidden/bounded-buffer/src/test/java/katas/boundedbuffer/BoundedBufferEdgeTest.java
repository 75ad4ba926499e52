package katas.boundedbuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import katas.testkit.KataTest;
import katas.testkit.OutlastingLock;
import katas.testkit.Shapes;
import katas.testkit.WakeableLock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: timed waits that succeed or give up among wakeups for nothing, several waiters of which one is
 * interrupted, a buffer used again after a call failed, close() racing with busy producers and consumers, calls on a
 * closed buffer with room, and the lock after every call that throws.
 */
@DisplayName("BoundedBuffer at the edges")
@KataTest
class BoundedBufferEdgeTest {

    private static int capacity(Shapes shapes) {
        return BoundedBufferTest.capacity(shapes);
    }

    @Nested
    @DisplayName("timeouts")
    class Timeouts {

        @Test
        @Tag("rule-6")
        @DisplayName("a timed poll or offer gets what comes in time, also after wakeups for nothing")
        void aTimedWaitGetsWhatComesInTime(Shapes shapes) throws Exception {
            int capacity = capacity(shapes);
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            Waiter poller = Waiter.start("poll(60 s) from an empty buffer", lock, () -> buffer.poll(Traffic.LONG))
                    .awaitWaiting("the buffer is empty (rule 4)");
            for (int i = shapes.between("wakeups of the poller", 1, 3); i > 0; i--) {
                poller.wakeForNothing("the buffer is still empty (rules 5 and 6)");
            }
            Parcel first = new Parcel(1, 0);
            onTheTestThread(lock, "put(item)", () -> { buffer.put(first); return null; });
            assertThat(poller.awaitEnded("an item came long before its timeout (rule 6)").returned())
                    .as("what %s got, %s", poller, poller.outcome()).isEqualTo(Optional.of(first));

            List<Parcel> held = Drain.fill(buffer, 2);
            Parcel late = new Parcel(3, 0);
            Waiter offerer = Waiter.start("offer(" + late + ", 60 s) into a full buffer", lock,
                    () -> buffer.offer(late, Traffic.LONG)).awaitWaiting("the buffer is full (rule 4)");
            for (int i = shapes.between("wakeups of the offerer", 1, 3); i > 0; i--) {
                offerer.wakeForNothing("the buffer is still full (rules 5 and 6)");
            }
            assertThat(onTheTestThread(lock, "take()", buffer::take)).as("the first item of the full buffer")
                    .isSameAs(held.get(0));
            assertThat(offerer.awaitEnded("room came long before its timeout (rule 6)").returned())
                    .as("what %s returned, %s", offerer, offerer.outcome()).isEqualTo(true);
            List<Parcel> expected = new ArrayList<>(held.subList(1, capacity));
            expected.add(late);
            assertThat(Drain.all(buffer)).as("what the buffer held (rule 1)").containsExactlyElementsOf(expected);
        }

        @Test
        @Tag("rule-6")
        @DisplayName("several timed waiters all give up after their whole timeouts, and leave the buffer as it was")
        void severalTimedWaitersGiveUp(Shapes shapes) throws Exception {
            int capacity = capacity(shapes);
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            List<Parcel> held = Drain.fill(buffer, 0);
            List<Waiter> offerers = new ArrayList<>();
            List<Duration> timeouts = new ArrayList<>();
            for (int p = 1; p <= shapes.between("offerers", 2, 4); p++) {
                Duration timeout = Duration.ofMillis(shapes.between("timeout " + p + " (ms)", 30, 120));
                Parcel parcel = new Parcel(p, 0);
                timeouts.add(timeout);
                offerers.add(Waiter.start("offer(" + parcel + ", " + timeout.toMillis() + " ms) into a full buffer",
                        lock, () -> buffer.offer(parcel, timeout)));
            }
            for (int i = 0; i < offerers.size(); i++) {
                Waiter offerer = offerers.get(i);
                BoundedBufferTest.wakeUntilEnded(lock, offerer, "its timeout counts in total (rule 6)");
                assertThat(offerer.returned()).as("%s %s (rule 6)", offerer, offerer.outcome()).isEqualTo(false);
                assertThat(offerer.took()).as("how long %s waited", offerer).isGreaterThanOrEqualTo(timeouts.get(i));
            }
            assertThat(buffer.size()).as("size() of a full buffer after timed-out offers (rule 6)").isEqualTo(capacity);
            assertThat(Drain.all(buffer)).as("what the buffer held after offers timed out (rule 6)")
                    .containsExactlyElementsOf(held);
            Duration pollTimeout = Duration.ofMillis(shapes.between("poll timeout (ms)", 30, 120));
            Waiter poller = Waiter.start("poll(" + pollTimeout.toMillis() + " ms) from an emptied buffer", lock,
                    () -> buffer.poll(pollTimeout));
            BoundedBufferTest.wakeUntilEnded(lock, poller, "its timeout counts in total (rule 6)");
            assertThat(poller.returned()).as("%s %s (rule 6)", poller, poller.outcome()).isEqualTo(Optional.empty());
            assertThat(poller.took()).as("how long %s waited", poller).isGreaterThanOrEqualTo(pollTimeout);
        }

        @Test
        @Tag("rule-6")
        @Tag("rule-9")
        @DisplayName("a timeout of zero or below does not wait, and takes or adds nothing when it cannot")
        void aTimeoutOfZeroOrBelowDoesNotWait(Shapes shapes) throws Exception {
            // Every kind of "no time" in every run: exactly zero, one nanosecond below, well below, and far below:
            // beyond a long of nanoseconds (Duration.toNanos() throws there) down to the most negative Duration.
            for (Duration none : noTime(shapes)) {
                noTimeToWait(capacity(shapes), none);
            }
        }

        /**
         * Zero and negative timeouts of every size: one nanosecond below zero, a drawn few milliseconds below, a
         * drawn power of two of seconds below (from one second to 2^62 s, far beyond the 292 years a long counts in
         * nanoseconds), just beyond a long of nanoseconds, and the most negative Duration there is.
         */
        static List<Duration> noTime(Shapes shapes) {
            Duration wellBelow = Duration.ofNanos(-shapes.between("a negative timeout (ns)", 1L, 1_000_000_000L));
            int power = shapes.between("a negative timeout of -2^k s, k", 0, 62);
            Duration farBelow = Duration.ofSeconds(-(1L << power))
                    .minusNanos(shapes.between("nanoseconds more below -2^k s", 0, 999_999_999));
            return List.of(Duration.ZERO, Duration.ofNanos(-1), wellBelow, farBelow,
                    Duration.ofNanos(Long.MIN_VALUE).minusNanos(1), Duration.ofSeconds(Long.MIN_VALUE));
        }

        private static void noTimeToWait(int capacity, Duration none) throws Exception {
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            Waiter poller = Waiter.start("poll(" + none + ") from an empty buffer", lock, () -> buffer.poll(none))
                    .awaitEnded("a timeout of " + none + " means: do not wait (rule 6)");
            assertThat(poller.returned()).as("%s %s (rule 6)", poller, poller.outcome()).isEqualTo(Optional.empty());
            List<Parcel> held = Drain.fill(buffer, 1);
            Waiter offerer = Waiter.start("offer(item, " + none + ") into a full buffer", lock,
                    () -> buffer.offer(new Parcel(2, 0), none)).awaitEnded("a timeout of " + none + " means: do not "
                    + "wait (rule 6)");
            assertThat(offerer.returned()).as("%s %s (rule 6)", offerer, offerer.outcome()).isEqualTo(false);
            assertThat(onTheTestThread(lock, "poll(" + none + ") from a full buffer", () -> buffer.poll(none)))
                    .as("poll(%s) from a full buffer (rule 6)", none).contains(held.get(0));
            assertThat(onTheTestThread(lock, "offer(item, " + none + ") into a buffer with room",
                    () -> buffer.offer(new Parcel(3, 0), none)))
                    .as("offer(item, %s) into a buffer with room (rule 6)", none).isTrue();
            // Closed comes before "no time to wait": a full closed buffer refuses, an empty closed one has ended.
            onTheTestThread(lock, "close()", () -> { buffer.close(); return null; });
            assertThat(thrownOnTheTestThread(lock, "offer(item, " + none + ") into a closed, full "
                    + "buffer", () -> buffer.offer(new Parcel(4, 0), none)))
                    .as("offer(item, %s) into a closed, full buffer (rules 6 and 8)", none)
                    .isInstanceOf(BufferClosedException.class);
            for (int i = 0; i < capacity; i++) {
                // what was put before close() is still handed out
                onTheTestThread(lock, "take() from a closed buffer with items left", buffer::take);
            }
            assertThat(thrownOnTheTestThread(lock, "poll(" + none + ") from a closed, empty buffer",
                    () -> buffer.poll(none)))
                    .as("poll(%s) from a closed, empty buffer (rules 6 and 8)", none)
                    .isInstanceOf(BufferClosedException.class);
            assertThat(thrownOnTheTestThread(lock, "offer(item, " + none + ") into a closed, empty "
                    + "buffer", () -> buffer.offer(new Parcel(5, 0), none)))
                    .as("offer(item, %s) into a closed buffer with room (rules 6 and 8)", none)
                    .isInstanceOf(BufferClosedException.class);
        }

        @Test
        @Tag("rule-6")
        @DisplayName("a timeout longer than a long's nanoseconds waits like any other, until an item or room comes")
        void aHugeTimeoutWaits(Shapes shapes) throws Exception {
            // Duration.toNanos() throws ArithmeticException beyond about 292 years; the longest Duration, a drawn
            // number of days beyond that, and Long.MAX_VALUE nanoseconds (a deadline of now + that overflows) must
            // all just wait.
            Duration days = Duration.ofDays(shapes.between("days of the huge timeout", 106_752, 1_000_000_000));
            for (Duration huge : List.of(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999), days,
                    Duration.ofNanos(Long.MAX_VALUE))) {
                WakeableLock lock = new WakeableLock();
                BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity(shapes), lock);
                Waiter poller = Waiter.start("poll(" + huge + ") from an empty buffer", lock, () -> buffer.poll(huge))
                        .awaitWaiting("the buffer is empty and the timeout is huge, not gone (rule 6)");
                Parcel parcel = new Parcel(0, 0);
                onTheTestThread(lock, "put(item)", () -> { buffer.put(parcel); return null; });
                assertThat(poller.awaitEnded("an item was put (rules 4 and 6)").returned())
                        .as("what %s got, %s (rule 6)", poller, poller.outcome()).isEqualTo(Optional.of(parcel));
                List<Parcel> held = Drain.fill(buffer, 1);
                Waiter offerer = Waiter.start("offer(item, " + huge + ") into a full buffer", lock,
                        () -> buffer.offer(new Parcel(2, 0), huge))
                        .awaitWaiting("the buffer is full and the timeout is huge, not gone (rule 6)");
                assertThat(onTheTestThread(lock, "take() from a full buffer", buffer::take))
                        .as("the first item of the full buffer").isSameAs(held.get(0));
                assertThat(offerer.awaitEnded("an item was taken (rules 4 and 6)").returned())
                        .as("what %s returned, %s (rule 6)", offerer, offerer.outcome()).isEqualTo(true);
            }
        }

        @Test
        @Tag("rule-6")
        @DisplayName("a timeout below a millisecond still waits that long: it counts in nanoseconds")
        void aTimeoutBelowAMillisecondWaits(Shapes shapes) throws Exception {
            int capacity = capacity(shapes);
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> empty = new BoundedBuffer<>(capacity, lock);
            BoundedBuffer<Parcel> full = new BoundedBuffer<>(capacity, lock);
            List<Parcel> held = Drain.fill(full, 0);
            // Several tries of each: a call that does not wait at all may, on a busy machine, be held up as long as
            // its timeout once, not every time. A right one waits at least its timeout every time (measured on the
            // call's own thread; no one wakes it).
            for (int attempt = 1; attempt <= 4; attempt++) {
                Duration timeout = Duration.ofNanos(shapes.between("timeout " + attempt + " (ns)", 300_000, 999_999));
                Waiter poller = Waiter.start("poll(" + timeout.toNanos() + " ns) from an empty buffer", lock,
                        () -> empty.poll(timeout)).awaitEnded("its timeout is below a millisecond (rule 6)");
                assertThat(poller.returned()).as("%s %s (rule 6)", poller, poller.outcome())
                        .isEqualTo(Optional.empty());
                assertThat(poller.took()).as("how long %s waited (rule 6: a timeout counts in nanoseconds; %s is "
                        + "below a millisecond, not zero: cut to whole milliseconds it does not wait at all)", poller,
                        timeout).isGreaterThanOrEqualTo(timeout);
                Waiter offerer = Waiter.start("offer(item, " + timeout.toNanos() + " ns) into a full buffer", lock,
                        () -> full.offer(new Parcel(1, 0), timeout))
                        .awaitEnded("its timeout is below a millisecond (rule 6)");
                assertThat(offerer.returned()).as("%s %s (rule 6)", offerer, offerer.outcome()).isEqualTo(false);
                assertThat(offerer.took()).as("how long %s waited (rule 6: a timeout counts in nanoseconds; %s is "
                        + "below a millisecond, not zero: cut to whole milliseconds it does not wait at all)", offerer,
                        timeout).isGreaterThanOrEqualTo(timeout);
            }
            assertThat(Drain.all(full)).as("what a full buffer held after offers timed out (rule 6)")
                    .containsExactlyElementsOf(held);
        }

        @Test
        @Tag("rule-6")
        @DisplayName("a timeout of hours, days or beyond a long is waited for whole, never cut to some longest wait")
        void aLongTimeoutIsNotCutShort(Shapes shapes) throws Exception {
            // No clock in a test can wait an hour: the test's lock writes down what each wait asks its condition
            // for. offer(item, 1 h) that asks for 30 s gives up after 30 s.
            Duration hours = Duration.ofMinutes(shapes.between("minutes of a long timeout", 5, 24 * 60));
            Duration days = Duration.ofDays(shapes.between("days of a longer timeout", 2, 100_000));
            for (Duration timeout : List.of(hours, days, Duration.ofSeconds(Long.MAX_VALUE))) {
                for (boolean offer : List.of(false, true)) {
                    askedForWhole(capacity(shapes), timeout, offer);
                }
            }
        }

        /** Some time passes between the call and its wait: a wait may ask for its timeout less this much. */
        private static final Duration SLACK = Duration.ofMinutes(1);

        private static void askedForWhole(int capacity, Duration timeout, boolean offer) throws Exception {
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            if (offer) {
                Drain.fill(buffer, 0);
            }
            Parcel parcel = new Parcel(1, 0);
            String what = offer ? "offer(item, " + timeout + ") into a full buffer"
                    : "poll(" + timeout + ") from an empty buffer";
            FutureTask<Object> call = new FutureTask<>(() -> offer ? buffer.offer(parcel, timeout)
                    : buffer.poll(timeout));
            Thread.ofPlatform().daemon(true).name(what).start(call);
            long deadline = System.nanoTime() + Waiter.PATIENCE.toNanos();
            while (lock.conditionWaits().isEmpty() && !call.isDone()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(what + " did not wait on a condition of the buffer's lock within "
                            + Waiter.PATIENCE.toSeconds() + " s (rule 4)");
                }
                TimeUnit.MILLISECONDS.sleep(1);
            }
            if (call.isDone()) {
                throw new AssertionError(what + " should wait, but it " + outcome(call) + " without waiting on a "
                        + "condition of the buffer's lock (rules 4 and 6)");
            }
            // The wait was written down with the lock held, before it let go: the test's call comes after it.
            long asked = lock.longestWaitAsked();
            if (offer) {
                onTheTestThread(lock, "take() from the full buffer", buffer::take);
            } else {
                onTheTestThread(lock, "put(item)", () -> { buffer.put(parcel); return null; });
            }
            Object result;
            try {
                result = call.get(Waiter.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException failed) {
                throw new AssertionError(what + " threw " + failed.getCause() + " once "
                        + (offer ? "room" : "an item") + " came (rules 4 and 6)", failed.getCause());
            } catch (TimeoutException stuck) {
                throw new AssertionError(what + " did not end within " + Waiter.PATIENCE.toSeconds() + " s once "
                        + (offer ? "room" : "an item") + " came (rules 4 and 6)");
            }
            assertThat(result).as("what %s %s once %s came (rules 4 and 6)", what, offer ? "returned" : "got",
                    offer ? "room" : "an item").isEqualTo(offer ? (Object) true : Optional.of(parcel));
            long wanted = TimeUnit.NANOSECONDS.convert(timeout);
            assertThat(asked).as("the longest wait %s asked its condition for, in nanoseconds (%s; rule 6: offer and "
                    + "poll wait their whole timeout, however long, also beyond a long of nanoseconds, where it "
                    + "saturates; a timeout cut to some longest wait gives up too early)", what,
                    asked == Long.MAX_VALUE ? "for ever" : Duration.ofNanos(asked))
                    .isGreaterThanOrEqualTo(wanted - SLACK.toNanos());
        }

        private static String outcome(FutureTask<Object> call) {
            try {
                return "returned " + call.get();
            } catch (ExecutionException failed) {
                return "threw " + failed.getCause();
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return "was interrupted";
            }
        }

        @Test
        @Tag("rule-6")
        @DisplayName("a timeout of zero or below gives up without letting go of the lock, so no queued call slips in")
        void aTimeoutOfZeroDoesNotLetGoOfTheLock(Shapes shapes) throws Exception {
            // The test holds the (fair, reentrant) lock and a take waits for it. offer(item, 0) into the full buffer,
            // on the test's thread, must give up without a wait: a wait of zero (awaitNanos(0)) would let go of the
            // lock for a moment, hand it to the take, and the buffer would change under the test's hold. The same for
            // every timeout below zero, small or huge: awaitNanos(-5) lets go of the lock just as awaitNanos(0) does.
            for (Duration none : noTime(shapes)) {
                keepsTheLockWithNoTime(capacity(shapes), none);
            }
        }

        private static void keepsTheLockWithNoTime(int capacity, Duration none) throws Exception {
            WakeableLock lock = new WakeableLock(true);
            BoundedBuffer<Parcel> full = new BoundedBuffer<>(capacity, lock);
            List<Parcel> held = Drain.fill(full, 0);
            Waiter taker;
            lock.lock();
            try {
                taker = Waiter.start("take() queued for the lock", lock, full::take).awaitQueuedForTheLock();
                assertThat(onTheTestThread(lock, "offer(item, " + none + ")", () -> full.offer(new Parcel(1, 0), none)))
                        .as("offer(item, %s) into a full buffer", none)
                        .isFalse();
                assertThat(full.size()).as("size() of the full buffer right after offer(item, %s), the test holding "
                        + "the lock all along: a timeout of zero or below must not wait, not even let go of the lock (rule 6)",
                        none).isEqualTo(capacity);
            } finally {
                lock.unlock();
            }
            assertThat(taker.awaitEnded("the test let go of the lock").returned()).isSameAs(held.get(0));

            BoundedBuffer<Parcel> empty = new BoundedBuffer<>(capacity, lock);
            Waiter putter;
            Optional<Parcel> polled;
            int size;
            lock.lock();
            try {
                putter = Waiter.start("put() queued for the lock", lock, () -> { empty.put(new Parcel(2, 0));
                    return null; }).awaitQueuedForTheLock();
                polled = onTheTestThread(lock, "poll(" + none + ")", () -> empty.poll(none));
                size = empty.size();
            } finally {
                lock.unlock();
            }
            assertThat(polled).as("poll(%s) from an empty buffer, the test holding the lock all along: a timeout of "
                    + "zero or below must not wait, not even let go of the lock (rule 6)", none).isEmpty();
            assertThat(size).as("size() of the empty buffer right after poll(%s) (rule 6)", none).isZero();
            putter.awaitEnded("the test let go of the lock");
        }

        @Test
        @Tag("rule-6")
        @DisplayName("a timed call signalled in time takes what came, even when it gets the lock back after its deadline")
        void signalledInTimeButLateForTheLock(Shapes shapes) throws Exception {
            int capacity = capacity(shapes);
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            Duration timeout = Duration.ofMillis(shapes.between("timeout in ms", 20, 100));
            Waiter poller = Waiter.start("poll(" + timeout.toMillis() + " ms) from an empty buffer", lock,
                    () -> buffer.poll(timeout)).awaitWaiting("the buffer is empty (rule 4)");
            Parcel parcel = new Parcel(0, 0);
            holdingTheLockPastTheDeadline(lock, timeout, () -> {
                buffer.put(parcel);
                return null;
            });
            poller.awaitEnded("the test let go of the lock (rule 6)");
            assertThat(poller.returned()).as("%s, signalled in time by a put but given the lock back only after its "
                    + "deadline (rule 6: a timed call looks again before it gives up)", poller)
                    .isEqualTo(Optional.of(parcel));
            Drain.fill(buffer, 1);
            Waiter offerer = Waiter.start("offer(item, " + timeout.toMillis() + " ms) into a full buffer", lock,
                    () -> buffer.offer(new Parcel(2, 0), timeout)).awaitWaiting("the buffer is full (rule 4)");
            holdingTheLockPastTheDeadline(lock, timeout, buffer::take);
            offerer.awaitEnded("the test let go of the lock (rule 6)");
            assertThat(offerer.returned()).as("%s, signalled in time by a take but given the lock back only after its "
                    + "deadline (rule 6: a timed call looks again before it gives up)", offerer).isEqualTo(true);
        }

        /** Makes room or an item on the test's thread, then keeps the lock three timeouts long before letting go. */
        private static void holdingTheLockPastTheDeadline(WakeableLock lock, Duration timeout,
                java.util.concurrent.Callable<?> change) throws Exception {
            lock.lock();
            try {
                // signals the waiter in time; it can go on only once the test lets go of the lock
                onTheTestThread(lock, "a put or take", change);
                java.util.concurrent.TimeUnit.NANOSECONDS.sleep(timeout.toNanos() * 3);
            } finally {
                lock.unlock();
            }
        }

        @Test
        @Tag("rule-6")
        @DisplayName("a timed call kept waiting for the lock past its timeout still takes the item or room there is")
        void aTimedCallLateForTheLockLooksAtTheBuffer(Shapes shapes) throws Exception {
            // The test holds the lock while the buffer has an item (then room), and a poll (then an offer) with a
            // short timeout asks for the lock; the test lets go once the timeout has passed and the call still waits
            // for the lock. The timeout is how long to wait for an item or room, not for the lock: a call takes the
            // lock as every call does, and then the item that was there all along is its own. A call that gives up
            // because the lock did not come within its timeout (tryLock(timeout)) leaves the item in the buffer; the
            // test holds the lock longer than any wait a timed tryLock asks for (red team O: tryLock(timeout + 10 s)
            // outlasted a hold of 5 s). A call that asks in short tries (tryLock(10 ms) in a loop until a grace is
            // over) polls the lock and gives up on it once its grace is over, which no hold can wait out (red team
            // P: 10 s): the lock counts the short tries, and the test holds on until the call has asked more often
            // than one that waits its turn ever does.
            int capacity = capacity(shapes);
            Duration timeout = Duration.ofMillis(shapes.between("timeout in ms", 5, 40));
            OutlastingLock lock = new OutlastingLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            Parcel parcel = new Parcel(0, 0);
            onTheTestThread(lock, "put(item)", () -> { buffer.put(parcel); return null; });
            Object polled = lateForTheLock(lock, "poll(" + timeout.toMillis() + " ms) from a buffer holding "
                    + parcel, timeout, () -> buffer.poll(timeout));
            assertThat(polled).as("poll(%d ms) from a buffer holding %s, kept waiting for the lock by another thread "
                    + "past its timeout (rule 6: the timeout is for waiting for an item, not for the lock; take the "
                    + "lock as every call does, then look at the buffer)", timeout.toMillis(), parcel)
                    .isEqualTo(Optional.of(parcel));
            Parcel late = new Parcel(1, 0);
            Object offered = lateForTheLock(lock, "offer(" + late + ", " + timeout.toMillis() + " ms) into an empty "
                    + "buffer of " + capacity, timeout, () -> buffer.offer(late, timeout));
            assertThat(offered).as("offer(item, %d ms) into an empty buffer of %d, kept waiting for the lock by "
                    + "another thread past its timeout (rule 6: the timeout is for waiting for room, not for the "
                    + "lock)", timeout.toMillis(), capacity).isEqualTo(true);
            assertThat(Drain.all(buffer)).as("what the buffer held after offer(%s, %d ms) (rule 6)", late,
                    timeout.toMillis()).containsExactly(late);
        }

        /**
         * Runs {@code call} on a thread of its own while the test holds the lock, and lets go once the call has
         * waited for the lock longer than {@code timeout} and still waits for it (parked for good, not on a timer),
         * or has given up; returns what the call returned.
         */
        private static Object lateForTheLock(OutlastingLock lock, String what, Duration timeout, Callable<?> call)
                throws Exception {
            FutureTask<Object> task = new FutureTask<>(call::call);
            Thread thread = Thread.ofPlatform().daemon(true).name(what).unstarted(task);
            lock.holdForGood();
            try {
                thread.start();
                long deadline = System.nanoTime() + Waiter.PATIENCE.toNanos();
                while (!task.isDone() && !lock.hasQueuedThread(thread) && !lock.polled(thread)) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError(what + " did not ask for the buffer's lock within "
                                + Waiter.PATIENCE.toSeconds() + " s while the test held it (its thread is "
                                + thread.getState() + "): every call must take the lock the buffer was given");
                    }
                    TimeUnit.MILLISECONDS.sleep(1);
                }
                // The call's deadline came before it queued: once the timeout has passed from here, it is gone. The
                // test holds on while the call is still on a timer of its own (a timed wait for the lock that has not
                // yet run out on a busy machine), so that such a call gives up before the lock comes, and while it
                // asks in short tries (between two of them it is not queued), until it has shown that it polls.
                long queued = System.nanoTime();
                while (!task.isDone() && !lock.polled(thread) && System.nanoTime() < deadline) {
                    boolean past = System.nanoTime() - queued >= timeout.toNanos();
                    boolean settled = lock.hasQueuedThread(thread) ? lock.queuedForGood(thread)
                            : lock.shortTries(thread) == 0;
                    if (past && settled) {
                        break;
                    }
                    TimeUnit.MILLISECONDS.sleep(1);
                }
            } finally {
                lock.unlock();
            }
            if (lock.polled(thread)) {
                throw new AssertionError(polledTheLock(lock, thread, what));
            }
            try {
                return task.get(Waiter.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException failed) {
                throw new AssertionError(what + " threw " + failed.getCause() + " (rule 6)", failed.getCause());
            } catch (TimeoutException stuck) {
                throw new AssertionError(what + " did not end within " + Waiter.PATIENCE.toSeconds() + " s after "
                        + "the test let go of the lock (its thread is " + thread.getState() + "; rules 4 and 6)");
            }
        }

        private static String polledTheLock(OutlastingLock lock, Thread thread, String what) {
            return what + " asked for the buffer's lock in " + lock.shortTries(thread) + " short tries ("
                    + lock.triesOf(thread) + ") while another thread held it (rule 6: a call waits its turn for the "
                    + "lock, however long, with lock() or lockInterruptibly(); a loop of short tries polls the lock, "
                    + "and one that stops asking after a while gives up on it, leaving the item or room it would "
                    + "have found)";
        }

        @Test
        @Tag("rule-6")
        @DisplayName("a timeout of zero, below zero or under a millisecond still waits its turn for the lock, then answers what the buffer holds or has room for")
        void aTimeoutOfZeroWaitsForTheLock(Shapes shapes) throws Exception {
            // Every timeout with no time in it (zero, below zero, as in Timeouts.noTime) and one below a millisecond,
            // for poll and for offer (red team I: a tryLock() for these, answering "empty" or "full" while another
            // thread held the lock): the call waits its turn for the lock however long, then answers what is there.
            // The test holds the lock until the call waits its turn (parked in the lock's queue with no deadline) for
            // every timeout, zero and below too: red team R's tryLock(100 ms) for these got the lock in time when the
            // test let go as soon as it saw the call queued; the OutlastingLock refuses a timed try of any length.
            List<Duration> timeouts = new ArrayList<>(Timeouts.noTime(shapes));
            timeouts.add(Duration.ofNanos(shapes.between("a timeout below a millisecond (ns)", 1, 999_999)));
            for (Duration timeout : timeouts) {
                waitsItsTurn(capacity(shapes), timeout, true);
                waitsItsTurn(capacity(shapes), timeout, false);
            }
        }

        private static void waitsItsTurn(int capacity, Duration timeout, boolean polling) throws Exception {
            OutlastingLock lock = new OutlastingLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            Parcel parcel = new Parcel(0, 0);
            if (polling) {
                onTheTestThread(lock, "put(item)", () -> { buffer.put(parcel); return null; });
            }
            String call = (polling ? "poll(" : "offer(item, ") + timeout + ")";
            Waiter caller;
            lock.holdForGood();
            try {
                caller = Waiter.start(call + " while the test holds the lock", lock,
                        () -> polling ? buffer.poll(timeout) : buffer.offer(parcel, timeout)).awaitQueuedForTheLock();
                holdWhileItWaitsWithADeadline(lock, caller, timeout);
            } finally {
                lock.unlock();
            }
            Optional<Thread> poller = lock.poller();
            if (poller.isPresent()) {
                throw new AssertionError(polledTheLock(lock, poller.get(), caller.toString()));
            }
            Object expected = polling ? Optional.of(parcel) : Boolean.TRUE;
            assertThat(caller.awaitEnded("the test let go of the lock (rule 6)").returned())
                    .as("%s %s (rule 6: no time, or little, to wait for an item or room is not 'the buffer is %s' "
                            + "while another thread has the lock, however long it keeps it: the call waits its turn "
                            + "for the lock, then looks; never tryLock, of any length, and give up)",
                            caller, polling ? "from a buffer holding " + parcel : "into an empty buffer",
                            polling ? "empty" : "full")
                    .isEqualTo(expected);
        }

        /**
         * A call may wait for the lock only without a deadline (rule 6): one queued with a deadline, as
         * tryLock(timeout) is (or tryLock(100 ms) for a timeout of zero or below), gives up while the test still holds
         * the lock, which refuses a timed try of any length. So the test holds it for the whole timeout (none for a
         * timeout of zero or below), and then until the caller has ended or waits in the lock's queue without a
         * deadline (2 s at most), or until it has asked in more short tries than a call that waits its turn makes
         * (it polls the lock): the caller's own state decides when to let go, never how fast the machine is.
         */
        private static void holdWhileItWaitsWithADeadline(OutlastingLock lock, Waiter caller, Duration timeout)
                throws InterruptedException {
            long start = System.nanoTime();
            if (timeout.compareTo(Duration.ZERO) > 0) {
                TimeUnit.NANOSECONDS.sleep(timeout.toNanos()); // under a millisecond here: no overflow
            }
            OutlastingLock.holdUntil(() -> caller.ended() || lock.poller().isPresent() || lock.anyQueuedForGood(),
                    Duration.ofSeconds(2).minusNanos(System.nanoTime() - start));
        }
    }

    @Nested
    @DisplayName("order")
    class Order {

        @Test
        @Tag("rule-1")
        @DisplayName("hands items out in the order they were put, whichever thread put them")
        void firstInFirstOutAcrossProducers(Shapes shapes) throws Exception {
            // Both ways round, and the later producer always puts more: a buffer that keeps one queue per producer
            // and serves the longest, or the test's thread first, hands something out of order in one of them.
            int later = shapes.between("items the second producer puts", 2, 4);
            int room = shapes.between("room to spare", 1, 3);
            for (boolean testFirst : List.of(true, false)) {
                WakeableLock lock = new WakeableLock();
                BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(1 + later + room, lock);
                List<Parcel> expected = new ArrayList<>();
                Parcel first = new Parcel(testFirst ? 0 : 1, 0);
                if (testFirst) {
                    onTheTestThread(lock, "put(item)", () -> { buffer.put(first); return null; });
                } else {
                    Waiter.start("one put from another thread", lock, () -> {
                        buffer.put(first);
                        return null;
                    }).awaitEnded("the buffer has room (rule 1)");
                }
                expected.add(first);
                List<Parcel> rest = new ArrayList<>();
                for (int i = 0; i < later; i++) {
                    rest.add(new Parcel(testFirst ? 1 : 0, i));
                }
                if (testFirst) {
                    Waiter.start(later + " puts from another thread, after the test's", lock, () -> {
                        for (Parcel parcel : rest) {
                            buffer.put(parcel);
                        }
                        return null;
                    }).awaitEnded("the buffer has room (rule 1)");
                } else {
                    for (Parcel parcel : rest) {
                        onTheTestThread(lock, "put(item)", () -> { buffer.put(parcel); return null; });
                    }
                }
                expected.addAll(rest);
                assertThat(Drain.all(buffer)).as("what the buffer handed out after one put by %s and then %d by %s "
                        + "(rule 1: first in, first out across producers, not only within each)",
                        testFirst ? "the test's thread" : "another thread", later,
                        testFirst ? "another thread" : "the test's thread").containsExactlyElementsOf(expected);
            }
        }
    }

    @Nested
    @DisplayName("interrupts")
    class Interrupts {

        @Test
        @Tag("rule-7")
        @Tag("rule-9")
        @DisplayName("interrupting one of several waiters ends only that one, and the buffer goes on working")
        void interruptingOneWaiterLeavesTheOthers(Shapes shapes) throws Exception {
            // The interrupted consumer takes, then polls, in every run; the others' kinds are drawn.
            for (boolean interruptedTimed : List.of(false, true)) {
                interruptOneOfSeveral(shapes, interruptedTimed);
            }
        }

        private static void interruptOneOfSeveral(Shapes shapes, boolean interruptedTimed) throws Exception {
            int capacity = capacity(shapes);
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            int count = shapes.between("waiting consumers", 2, 5);
            int victim = shapes.between("interrupted consumer", 0, count - 1);
            List<Waiter> consumers = new ArrayList<>();
            for (int c = 0; c < count; c++) {
                boolean timed = c == victim ? interruptedTimed
                        : shapes.chance("consumer " + c + " polls, not takes", 0.5);
                consumers.add(consumer(buffer, lock, timed, " #" + c));
            }
            Waiter interrupted = consumers.remove(victim);
            interrupted.interrupt();
            interrupted.awaitEnded("it was interrupted while it waited (rule 7)");
            assertThat(interrupted.thrown()).as("%s, interrupted, %s (rule 7)", interrupted, interrupted.outcome())
                    .isInstanceOf(InterruptedException.class);
            for (Waiter other : consumers) {
                other.awaitWaiting("another consumer was interrupted, not this one (rule 7)");
            }
            List<Parcel> sent = new ArrayList<>();
            for (int i = 0; i < consumers.size(); i++) {
                Parcel parcel = new Parcel(1, i);
                onTheTestThread(lock, "put(item)", () -> { buffer.put(parcel); return null; });
                sent.add(parcel);
            }
            List<Object> got = new ArrayList<>();
            for (Waiter other : consumers) {
                got.add(other.awaitEnded("items were put for every consumer still waiting (rules 4 and 7)").returned());
            }
            assertThat(got).as("what the consumers still waiting got after one was interrupted (rule 7)")
                    .containsExactlyInAnyOrderElementsOf(sent);
            assertThat(buffer.size()).as("size() once every consumer got its item").isZero();
        }

        @Test
        @Tag("rule-7")
        @Tag("rule-9")
        @DisplayName("an interrupted timed offer adds nothing, frees the lock, and the buffer works afterwards")
        void anInterruptedTimedOfferAddsNothing(Shapes shapes) throws Exception {
            int capacity = capacity(shapes);
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            List<Parcel> held = Drain.fill(buffer, 0);
            Waiter offerer = Waiter.start("offer(item, 60 s) into a full buffer", lock,
                    () -> buffer.offer(new Parcel(1, 0), Traffic.LONG)).awaitWaiting("the buffer is full (rule 4)");
            offerer.interrupt();
            offerer.awaitEnded("it was interrupted while it waited (rule 7)");
            assertThat(offerer.thrown()).as("%s, interrupted, %s (rule 7)", offerer, offerer.outcome())
                    .isInstanceOf(InterruptedException.class);
            assertThat(onTheTestThread(lock, "take()", buffer::take)).as("the first item after an interrupted offer")
                    .isSameAs(held.get(0));
            Parcel next = new Parcel(2, 0);
            onTheTestThread(lock, "put(item)", () -> { buffer.put(next); return null; });
            List<Parcel> expected = new ArrayList<>(held.subList(1, capacity));
            expected.add(next);
            assertThat(Drain.all(buffer)).as("what the buffer held after an interrupted offer and a put (rule 7)")
                    .containsExactlyElementsOf(expected);
        }

        @Test
        @Tag("rule-7")
        @DisplayName("an interrupted take or poll throws even when an item came before it got the lock back, and leaves "
                + "the item")
        void anInterruptComesBeforeAnItemThatCameMeanwhile(Shapes shapes) throws Exception {
            // Both kinds in every run: a buffer that drops the interrupt in one of them only is caught every time.
            for (boolean timed : List.of(false, true)) {
                WakeableLock lock = new WakeableLock();
                BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity(shapes), lock);
                Waiter consumer = consumer(buffer, lock, timed, "");
                Parcel parcel = new Parcel(0, 0);
                interruptedBefore(lock, consumer, () -> onTheTestThread(lock, "put(item)", () -> {
                    buffer.put(parcel);
                    return null;
                }));
                assertThat(consumer.thrown()).as("%s, interrupted while it waited, before an item came, %s (rule 7: "
                        + "an interrupt that came before the item ends the wait with InterruptedException; only a "
                        + "waiter signalled and interrupted at the same moment may go on)", consumer,
                        consumer.outcome()).isInstanceOf(InterruptedException.class);
                assertThat(Drain.all(buffer)).as("what the buffer held after the interrupted %s (rule 7: it changes "
                        + "nothing)", consumer).containsExactly(parcel);
            }
        }

        @Test
        @Tag("rule-7")
        @DisplayName("an interrupted put or offer throws even when room came before it got the lock back, and adds "
                + "nothing")
        void anInterruptComesBeforeRoomThatCameMeanwhile(Shapes shapes) throws Exception {
            for (boolean timed : List.of(false, true)) {
                int capacity = capacity(shapes);
                WakeableLock lock = new WakeableLock();
                BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
                List<Parcel> held = Drain.fill(buffer, 0);
                Parcel late = new Parcel(1, 0);
                Waiter producer = producer(buffer, lock, late, timed);
                interruptedBefore(lock, producer, () -> assertThat(onTheTestThread(lock, "take()", buffer::take))
                        .as("the first item of the full buffer").isSameAs(held.get(0)));
                assertThat(producer.thrown()).as("%s, interrupted while it waited, before room came, %s (rule 7: an "
                        + "interrupt that came before the room ends the wait with InterruptedException and adds "
                        + "nothing; only a waiter signalled and interrupted at the same moment may go on)", producer,
                        producer.outcome()).isInstanceOf(InterruptedException.class);
                assertThat(Drain.all(buffer)).as("what the buffer held after the interrupted %s (rule 7: it adds "
                        + "nothing)", producer).containsExactlyElementsOf(held.subList(1, capacity));
            }
        }

        @Test
        @Tag("rule-4")
        @Tag("rule-7")
        @DisplayName("a consumer signalled and interrupted at once takes the item, or throws and another takes it")
        void aSignalThatMeetsAnInterruptReachesAConsumer(Shapes shapes) throws Exception {
            // The consumer signalled and interrupted takes, then polls, in every run; the other one is drawn.
            for (boolean firstTimed : List.of(false, true)) {
                signalMeetsInterruptOfAConsumer(shapes, firstTimed);
            }
        }

        private static void signalMeetsInterruptOfAConsumer(Shapes shapes, boolean firstTimed) throws Exception {
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity(shapes), lock);
            List<Waiter> consumers = new ArrayList<>();
            for (int c = 1; c <= 2; c++) {
                boolean timed = c == 1 ? firstTimed : shapes.chance("consumer " + c + " polls, not takes", 0.5);
                consumers.add(consumer(buffer, lock, timed, " #" + c));
            }
            Parcel parcel = new Parcel(0, 0);
            lock.lock();
            try {
                // signals one consumer: the one that waits longest, #1
                onTheTestThread(lock, "put(item)", () -> { buffer.put(parcel); return null; });
                consumers.get(0).interrupt(); // interrupted after its signal, before it has the lock back
            } finally {
                lock.unlock();
            }
            oneOfTwoGetsIt(lock, buffer, consumers, parcel, "an item was put");
            onTheTestThread(lock, "close()", () -> { buffer.close(); return null; });
            for (Waiter consumer : consumers) {
                consumer.awaitEnded("the buffer was closed (rule 8)");
            }
        }

        @Test
        @Tag("rule-4")
        @Tag("rule-7")
        @DisplayName("a producer signalled and interrupted at once adds its item, or throws and another adds its own")
        void aSignalThatMeetsAnInterruptReachesAProducer(Shapes shapes) throws Exception {
            // The producer signalled and interrupted puts, then offers, in every run; the other one is drawn.
            for (boolean firstTimed : List.of(false, true)) {
                signalMeetsInterruptOfAProducer(shapes, firstTimed);
            }
        }

        private static void signalMeetsInterruptOfAProducer(Shapes shapes, boolean firstTimed) throws Exception {
            int capacity = capacity(shapes);
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            List<Parcel> held = Drain.fill(buffer, 0);
            List<Waiter> producers = new ArrayList<>();
            List<Parcel> parcels = new ArrayList<>();
            for (int p = 1; p <= 2; p++) {
                boolean timed = p == 1 ? firstTimed : shapes.chance("producer " + p + " offers, not puts", 0.5);
                Parcel parcel = new Parcel(p, 0);
                parcels.add(parcel);
                producers.add(producer(buffer, lock, parcel, timed));
            }
            lock.lock();
            try {
                assertThat(onTheTestThread(lock, "take()", buffer::take)).as("the first item of the full buffer")
                        .isSameAs(held.get(0));
                // the take signalled one producer: the one that waits longest, #1
                producers.get(0).interrupt(); // interrupted after its signal, before it has the lock back
            } finally {
                lock.unlock();
            }
            Waiter first = producers.get(0);
            first.awaitEnded("it was signalled and interrupted (rules 4 and 7)");
            Waiter adder = first;
            if (first.thrown() == null) {
                assertThat(first.returned()).as("what %s returned, signalled and interrupted at once (rules 4 and 7)",
                        first).isEqualTo(true);
                producers.get(1).awaitWaiting("the room was taken by the other producer (rule 4)");
            } else {
                assertThat(first.thrown()).as("%s, signalled and interrupted at once, %s (rule 7)", first,
                        first.outcome()).isInstanceOf(InterruptedException.class);
                adder = producers.get(1);
                mustNotSleepThrough(lock, adder, "there is room in the buffer");
                assertThat(adder.awaitEnded("there is room and the producer that was signalled first threw "
                        + "(rules 4 and 7)").returned()).as("what %s returned", adder).isEqualTo(true);
            }
            onTheTestThread(lock, "close()", () -> { buffer.close(); return null; });
            for (Waiter producer : producers) {
                producer.awaitEnded("the buffer was closed (rule 8)");
            }
            List<Parcel> expected = new ArrayList<>(held.subList(1, capacity));
            expected.add(parcels.get(producers.indexOf(adder)));
            List<Parcel> got = new ArrayList<>();
            for (int i = 0; i < capacity; i++) {
                got.add(onTheTestThread(lock, "take() from a closed buffer with items left", buffer::take));
            }
            assertThat(got).as("what the buffer held after %s added its item (rules 1 and 7)", adder)
                    .containsExactlyElementsOf(expected);
        }

        /** After an item was put for two waiting consumers, one of which was also interrupted: one of them gets it. */
        private static void oneOfTwoGetsIt(WakeableLock lock, BoundedBuffer<Parcel> buffer, List<Waiter> consumers,
                Parcel parcel, String what) throws Exception {
            Waiter first = consumers.get(0);
            first.awaitEnded("it was signalled and interrupted (rules 4 and 7)");
            if (first.thrown() == null) {
                assertThat(first.returned()).as("what %s got, signalled and interrupted at once (rules 4 and 7)",
                        first).isSameAs(parcel);
                consumers.get(1).awaitWaiting("the only item went to the other consumer (rule 4)");
                return;
            }
            assertThat(first.thrown()).as("%s, signalled and interrupted at once, %s (rule 7)", first, first.outcome())
                    .isInstanceOf(InterruptedException.class);
            Waiter second = consumers.get(1);
            mustNotSleepThrough(lock, second, "the buffer holds an item");
            assertThat(second.awaitEnded(what + " and the consumer signalled first threw (rules 4 and 7)").returned())
                    .as("what %s got", second).isSameAs(parcel);
        }

        /**
         * The first waiter was signalled, then interrupted, and threw: a right buffer passes the wakeup on before it
         * lets go of the lock, so with the test holding the lock the other one is no longer on the condition.
         */
        private static void mustNotSleepThrough(WakeableLock lock, Waiter other, String state) {
            lock.lock();
            try {
                if (other.waitsOnACondition()) {
                    throw new AssertionError(other + " still waits on a condition of the buffer's lock, and no one "
                            + "will wake it, although " + state + ": the waiter that got the signal was interrupted "
                            + "at the same moment and threw InterruptedException, taking the wakeup with it. A waiter "
                            + "that throws after it was signalled must pass the signal on (or go on instead of "
                            + "throwing: let the InterruptedException out of await, not check Thread.interrupted() "
                            + "after it; rules 4 and 7)");
                }
            } finally {
                lock.unlock();
            }
        }
    }

    @Nested
    @DisplayName("closing")
    class Closing {

        @Test
        @Tag("rule-1")
        @Tag("rule-3")
        @Tag("rule-8")
        @Tag("rule-9")
        @DisplayName("close() among busy producers and consumers ends them all and loses no item")
        void closeAmongBusyThreadsLosesNothing(Shapes shapes) throws Exception {
            shapes.check(3, round -> new Shutdown(capacity(round), round.between("producers", 1, 5),
                    round.between("consumers", 1, 5), round.between("items taken before close()", 1, 1_500)).run());
        }

        @Test
        @Tag("rule-8")
        @Tag("rule-9")
        @DisplayName("a closed buffer with room refuses put and offer, hands out what is left, then ends poll and take")
        void aClosedBufferWithRoom(Shapes shapes) throws Exception {
            int capacity = Math.max(2, capacity(shapes));
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            List<Parcel> held = new ArrayList<>();
            for (int s = shapes.between("items before close()", 0, capacity - 1); s > 0; s--) {
                Parcel parcel = new Parcel(0, held.size());
                onTheTestThread(lock, "put(item)", () -> { buffer.put(parcel); return null; });
                held.add(parcel);
            }
            onTheTestThread(lock, "close()", () -> { buffer.close(); return null; });
            Waiter put = Waiter.start("put(item) into a closed buffer with room", lock,
                    () -> { buffer.put(new Parcel(1, 0)); return null; }).awaitEnded("the buffer is closed (rule 8)");
            assertThat(put.thrown()).as("%s %s (rule 8)", put, put.outcome()).isInstanceOf(BufferClosedException.class);
            Waiter offer = Waiter.start("offer(item, 60 s) into a closed buffer with room", lock,
                    () -> buffer.offer(new Parcel(2, 0), Traffic.LONG)).awaitEnded("the buffer is closed (rule 8)");
            assertThat(offer.thrown()).as("%s %s (rule 8)", offer, offer.outcome())
                    .isInstanceOf(BufferClosedException.class);
            onTheTestThread(lock, "close()", () -> { buffer.close(); return null; });
            for (int i = 0; i < held.size(); i++) {
                Object got = (i & 1) == 0 ? onTheTestThread(lock, "take() from a closed buffer", buffer::take)
                        : onTheTestThread(lock, "poll(0) from a closed buffer", () -> buffer.poll(Duration.ZERO))
                                .orElse(null);
                assertThat(got).as("item %d taken from a closed buffer that held %s (rule 8)", i, held)
                        .isSameAs(held.get(i));
            }
            Waiter poll = Waiter.start("poll(60 s) from a closed, empty buffer", lock, () -> buffer.poll(Traffic.LONG))
                    .awaitEnded("the buffer is closed and empty (rule 8)");
            assertThat(poll.thrown()).as("%s %s (rule 8)", poll, poll.outcome())
                    .isInstanceOf(BufferClosedException.class);
            Waiter take = Waiter.start("take() from a closed, empty buffer", lock, buffer::take)
                    .awaitEnded("the buffer is closed and empty (rule 8)");
            assertThat(take.thrown()).as("%s %s (rule 8)", take, take.outcome())
                    .isInstanceOf(BufferClosedException.class);
        }

        @Test
        @Tag("rule-8")
        @DisplayName("a producer woken by a take and by close() before it has the lock back throws, and adds nothing")
        void closeBeatsRoomThatCameMeanwhile(Shapes shapes) throws Exception {
            for (boolean timed : List.of(false, true)) { // put and offer in every run
                closeBeatsRoom(capacity(shapes), timed);
            }
        }

        private static void closeBeatsRoom(int capacity, boolean timed) throws Exception {
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            List<Parcel> held = Drain.fill(buffer, 0);
            Parcel late = new Parcel(1, 0);
            Waiter producer = producer(buffer, lock, late, timed);
            lock.lock();
            try {
                assertThat(onTheTestThread(lock, "take()", buffer::take)).as("the first item of the full buffer")
                        .isSameAs(held.get(0));
                // before the producer has the lock back: it finds room, and a closed buffer
                onTheTestThread(lock, "close()", () -> { buffer.close(); return null; });
            } finally {
                lock.unlock();
            }
            producer.awaitEnded("the buffer was closed (rule 8)");
            assertThat(producer.thrown()).as("%s, woken by a take and then by close() before it had the lock back, %s "
                    + "(rule 8: every producer that was waiting when close() came throws BufferClosedException, room "
                    + "or not)", producer, producer.outcome()).isInstanceOf(BufferClosedException.class);
            assertThat(onTheTestThread(lock, "size()", buffer::size))
                    .as("size() of the closed buffer (rule 8: the producer adds nothing)").isEqualTo(capacity - 1);
            for (Parcel parcel : held.subList(1, capacity)) {
                assertThat(onTheTestThread(lock, "take() from a closed buffer with items left", buffer::take))
                        .as("take() from the closed buffer (rule 8: what was put before close() is handed out)")
                        .isSameAs(parcel);
            }
        }

        @Test
        @Tag("rule-8")
        @DisplayName("a consumer woken by a put and by close() before it has the lock back takes the item")
        void anItemThatCameBeforeCloseIsStillTaken(Shapes shapes) throws Exception {
            for (boolean timed : List.of(false, true)) { // take and poll in every run
                WakeableLock lock = new WakeableLock();
                BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity(shapes), lock);
                Waiter consumer = Waiter.start((timed ? "poll(60 s)" : "take()") + " from an empty buffer", lock,
                        () -> timed ? buffer.poll(Traffic.LONG).orElse(null) : buffer.take())
                        .awaitWaiting("the buffer is empty (rule 4)");
                Parcel parcel = new Parcel(shapes.between("producer", 0, 9), shapes.between("item", 0, 99));
                lock.lock();
                try {
                    onTheTestThread(lock, "put(item)", () -> { buffer.put(parcel); return null; });
                    // before the consumer has the lock back: it finds an item, and a closed buffer
                    onTheTestThread(lock, "close()", () -> { buffer.close(); return null; });
                } finally {
                    lock.unlock();
                }
                consumer.awaitEnded("an item was put and the buffer was closed (rule 8)");
                assertThat(consumer.thrown()).as("%s, woken by a put and then by close() before it had the lock back, "
                        + "%s (rule 8: consumers go on taking what is left after close(); only a closed buffer with "
                        + "nothing left ends them)", consumer, consumer.outcome()).isNull();
                assertThat(consumer.returned()).as("what %s got from a buffer closed with %s in it (rule 8)",
                        consumer, parcel).isSameAs(parcel);
                assertThat(thrownOnTheTestThread(lock, "take() from the closed buffer it emptied", buffer::take))
                        .as("take() from a closed buffer with nothing left (rule 8)")
                        .isInstanceOf(BufferClosedException.class);
            }
        }

        @Test
        @Tag("rule-8")
        @DisplayName("close() right after some puts (takes) wakes every consumer (producer) still waiting, however many wait")
        void closeRightAfterPutsOrTakesWakesEveryWaiter(Shapes shapes) throws Exception {
            // Consumers: some puts, then close(), all while the waiters wait for the lock: the puts' signals reach
            // only as many consumers as there are items, so close() must wake the rest itself, items or none.
            WakeableLock lock = new WakeableLock();
            int consumers = shapes.between("waiting consumers", 2, 4);
            int puts = shapes.between("items put just before close()", 1, consumers - 1);
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(Math.max(capacity(shapes), puts), lock);
            List<Waiter> waiting = new ArrayList<>();
            for (int c = 0; c < consumers; c++) {
                boolean timed = shapes.chance("timed consumer", 0.5);
                waiting.add(Waiter.start((timed ? "poll(60 s)" : "take()") + " from an empty buffer", lock,
                        () -> timed ? buffer.poll(Traffic.LONG).orElse(null) : buffer.take())
                        .awaitWaiting("the buffer is empty (rule 4)"));
            }
            List<Parcel> parcels = new ArrayList<>();
            lock.lock();
            try {
                for (int i = 0; i < puts; i++) {
                    Parcel parcel = new Parcel(shapes.between("producer", 0, 9), i);
                    parcels.add(parcel);
                    onTheTestThread(lock, "put(item)", () -> { buffer.put(parcel); return null; });
                }
                onTheTestThread(lock, "close()", () -> { buffer.close(); return null; });
            } finally {
                lock.unlock();
            }
            List<Object> got = new ArrayList<>();
            for (Waiter consumer : waiting) {
                consumer.awaitEnded(consumers + " consumers waited, " + puts + " item(s) were put and the buffer was "
                        + "closed at once: close() wakes every waiter, also when the buffer is not empty (rule 8)");
                if (consumer.thrown() == null) {
                    got.add(consumer.returned());
                } else {
                    assertThat(consumer.thrown()).as("%s, after %d item(s) were put and the buffer closed (rule 8)",
                            consumer, puts).isInstanceOf(BufferClosedException.class);
                }
            }
            assertThat(got).as("what %d waiting consumers got from %d item(s) put just before close() (rule 8: "
                    + "consumers go on taking what is left)", consumers, puts).containsExactlyInAnyOrderElementsOf(parcels);

            // Producers: some takes from a full buffer, then close(): the takes' signals reach only as many
            // producers as there is room, so close() must wake the rest itself, and every one of them throws.
            WakeableLock otherLock = new WakeableLock();
            int producers = shapes.between("waiting producers", 2, 4);
            int takes = shapes.between("items taken just before close()", 1, producers - 1);
            BoundedBuffer<Parcel> full = new BoundedBuffer<>(Math.max(capacity(shapes), takes), otherLock);
            Drain.fill(full, 0);
            List<Waiter> blocked = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                boolean timed = shapes.chance("timed producer", 0.5);
                Parcel parcel = new Parcel(1, p);
                blocked.add(Waiter.start((timed ? "offer(item, 60 s)" : "put(item)") + " into a full buffer",
                        otherLock, () -> timed ? full.offer(parcel, Traffic.LONG) : putAndSayNull(full, parcel))
                        .awaitWaiting("the buffer is full (rule 4)"));
            }
            otherLock.lock();
            try {
                for (int i = 0; i < takes; i++) {
                    onTheTestThread(otherLock, "take()", full::take);
                }
                onTheTestThread(otherLock, "close()", () -> { full.close(); return null; });
            } finally {
                otherLock.unlock();
            }
            for (Waiter producer : blocked) {
                producer.awaitEnded(producers + " producers waited, " + takes + " item(s) were taken and the buffer "
                        + "was closed at once: close() wakes every waiter, also when the buffer is not full (rule 8)");
                assertThat(producer.thrown()).as("%s, woken after %d take(s) and close() (rule 8: every producer "
                        + "that was waiting throws, also one that finds room) %s", producer, takes, producer.outcome())
                        .isInstanceOf(BufferClosedException.class);
            }
        }

        private static Object putAndSayNull(BoundedBuffer<Parcel> buffer, Parcel parcel) throws InterruptedException {
            buffer.put(parcel);
            return null;
        }

        @Test
        @Tag("rule-8")
        @Tag("rule-9")
        @DisplayName("close() wakes timed waiters on both sides with BufferClosedException")
        void closeWakesTimedWaiters(Shapes shapes) throws Exception {
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> empty = new BoundedBuffer<>(capacity(shapes), lock);
            List<Waiter> waiters = new ArrayList<>();
            for (int c = shapes.between("timed consumers", 1, 3); c > 0; c--) {
                waiters.add(Waiter.start("poll(60 s) from an empty buffer", lock, () -> empty.poll(Traffic.LONG))
                        .awaitWaiting("the buffer is empty (rule 4)"));
            }
            onTheTestThread(lock, "close()", () -> { empty.close(); return null; });
            WakeableLock otherLock = new WakeableLock();
            BoundedBuffer<Parcel> full = new BoundedBuffer<>(capacity(shapes), otherLock);
            Drain.fill(full, 0);
            for (int p = shapes.between("timed producers", 1, 3); p > 0; p--) {
                waiters.add(Waiter.start("offer(item, 60 s) into a full buffer", otherLock,
                        () -> full.offer(new Parcel(1, 0), Traffic.LONG)).awaitWaiting("the buffer is full (rule 4)"));
            }
            onTheTestThread(otherLock, "close()", () -> { full.close(); return null; });
            for (Waiter waiter : waiters) {
                waiter.awaitEnded("close() wakes every waiter (rule 8)");
                assertThat(waiter.thrown()).as("%s when the buffer closed %s (rule 8)", waiter, waiter.outcome())
                        .isInstanceOf(BufferClosedException.class);
            }
        }
    }

    @Nested
    @DisplayName("size")
    class Sizes {

        @Test
        @Tag("rule-2")
        @DisplayName("size(), asked over and over on one thread, sees an item put on another")
        void sizeSeesAPutFromAnotherThread(Shapes shapes) throws Exception {
            int capacity = shapes.between("capacity", 3, 23);
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
            int held = shapes.between("items in the buffer before", 0, capacity - 3);
            for (int i = 0; i < held; i++) {
                onTheTestThread(lock, "put(item)", () -> { buffer.put(new Parcel(0, 0)); return null; });
            }
            String stale = StaleSizes.probe(buffer, 3);
            assertThat(stale).as("rule 2: size() says how many items a buffer of %d holds (it held %d), also to a "
                    + "thread that keeps asking while another puts: read the count under the lock, as every other "
                    + "call does (one int read is atomic, but without the lock, or volatile, nothing makes another "
                    + "thread's change visible to it)", capacity, held).isNull();
        }
    }

    @Nested
    @DisplayName("refusals")
    class Refusals {

        @Test
        @Tag("rule-9")
        @DisplayName("refuses a null item on a full buffer at once, and a null lock")
        void refusesNullEvenWhenFull(Shapes shapes) throws Exception {
            WakeableLock lock = new WakeableLock();
            BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity(shapes), lock);
            List<Parcel> held = Drain.fill(buffer, 0);
            Waiter put = Waiter.start("put(null) into a full buffer", lock, () -> { buffer.put(null); return null; })
                    .awaitEnded("null is refused at once, full or not (rule 9)");
            assertThat(put.thrown()).as("%s %s (rule 9)", put, put.outcome()).isInstanceOf(NullPointerException.class);
            Waiter longOffer = Waiter.start("offer(null, 60 s) into a full buffer", lock,
                    () -> buffer.offer(null, Traffic.LONG)).awaitEnded("null is refused at once, full or not (rule 9)");
            assertThat(longOffer.thrown()).as("%s %s (rule 9)", longOffer, longOffer.outcome())
                    .isInstanceOf(NullPointerException.class);
            assertThat(Drain.all(buffer)).as("what the buffer held after put(null)").containsExactlyElementsOf(held);
            Waiter offer = Waiter.start("offer(null, 0) into an empty buffer", lock,
                    () -> buffer.offer(null, Duration.ZERO)).awaitEnded("null is refused (rule 9)");
            assertThat(offer.thrown()).as("%s %s (rule 9)", offer, offer.outcome())
                    .isInstanceOf(NullPointerException.class);
            assertThat(buffer.size()).as("size() after offer(null, 0)").isZero();
            assertThat(catchThrowable(() -> new BoundedBuffer<Parcel>(capacity(shapes), null)))
                    .as("new BoundedBuffer<>(capacity, null) (rule 9)").isInstanceOf(NullPointerException.class);
        }
    }

    /**
     * Runs one call on the test's thread and checks that it gave the buffer's lock back (to the hold the test had
     * before, none or its own), whether it returned or threw; returns what it returned, or throws what it threw.
     */
    static <V> V onTheTestThread(java.util.concurrent.locks.ReentrantLock lock, String what, java.util.concurrent.Callable<V> call)
            throws Exception {
        int before = lock.getHoldCount();
        Throwable thrown = null;
        try {
            return call.call();
        } catch (Exception | Error failure) {
            thrown = failure;
            throw failure;
        } finally {
            int after = lock.getHoldCount();
            if (after != before) {
                AssertionError held = new AssertionError(what + (thrown == null ? " returned" : " threw " + thrown)
                        + " and left the buffer's lock held by the thread that called it (" + after + " holds, "
                        + before + " before the call): every call must give the lock back, also when it throws "
                        + "(unlock in finally, and take the lock only inside the try; rule 9)");
                if (thrown != null) {
                    held.addSuppressed(thrown);
                }
                throw held;
            }
        }
    }

    /** Runs one call on the test's thread that should throw: returns what it threw, once it gave the lock back. */
    static Throwable thrownOnTheTestThread(java.util.concurrent.locks.ReentrantLock lock, String what, java.util.concurrent.Callable<?> call) {
        int before = lock.getHoldCount();
        Throwable thrown = catchThrowable(call::call);
        int after = lock.getHoldCount();
        if (after != before) {
            AssertionError held = new AssertionError(what + (thrown == null ? " returned" : " threw " + thrown)
                    + " and left the buffer's lock held by the thread that called it (" + after + " holds, " + before
                    + " before the call): every call must give the lock back, also when it throws (unlock in "
                    + "finally, and take the lock only inside the try; rule 9)");
            if (thrown != null) {
                held.addSuppressed(thrown);
            }
            throw held;
        }
        return thrown;
    }

    /** A put (timed: an offer of 60 s) of {@code parcel} into a full buffer, started and seen waiting. */
    private static Waiter producer(BoundedBuffer<Parcel> buffer, WakeableLock lock, Parcel parcel, boolean timed)
            throws InterruptedException {
        return Waiter.start((timed ? "offer(" + parcel + ", 60 s)" : "put(" + parcel + ")") + " into a full buffer",
                lock, () -> {
                    if (timed) {
                        return buffer.offer(parcel, Traffic.LONG);
                    }
                    buffer.put(parcel);
                    return true;
                }).awaitWaiting("the buffer is full (rule 4)");
    }

    /** A take (timed: a poll of 60 s) from an empty buffer, named with {@code mark}, started and seen waiting. */
    private static Waiter consumer(BoundedBuffer<Parcel> buffer, WakeableLock lock, boolean timed, String mark)
            throws InterruptedException {
        return Waiter.start((timed ? "poll(60 s)" : "take()") + mark + " from an empty buffer", lock,
                () -> timed ? buffer.poll(Traffic.LONG).orElse(null) : buffer.take())
                .awaitWaiting("the buffer is empty (rule 4)");
    }

    /**
     * Interrupts a waiter while the test holds the lock, waits until it has left the condition for the lock's
     * queue (interrupted first), then does {@code meanwhile} (the item or room comes) before letting go, and
     * waits for the waiter's call to end.
     */
    private static void interruptedBefore(WakeableLock lock, Waiter waiter, Callable<?> meanwhile) throws Exception {
        lock.lock();
        try {
            waiter.interrupt();
            waiter.awaitQueuedForTheLock();
            meanwhile.call();
        } finally {
            lock.unlock();
        }
        waiter.awaitEnded("it was interrupted (rule 7)");
    }
}

package katas.boundedbuffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.ThreadEnd;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: the buffer on a lock of class {@code ReentrantLock} itself, given to it, and the one its one-argument
 * constructor makes. The other tests give it the testkit's {@code WakeableLock}, a subclass, and buffers that behave
 * differently on a plain lock got past them (red team E: a put signalled only when the buffer was empty; red team G:
 * a take signalled only when it was full, and the buffer's own lock with one condition for both sides and
 * {@code signal()}). Every test here runs on both. Who waits is read from the lock itself, for the conditions the
 * waiting threads park on ({@link ConditionWaiters}), while the test holds the lock: a signalled waiter leaves its
 * condition's queue at the signal, so nothing here depends on how fast the woken threads run.
 */
@DisplayName("BoundedBuffer on a plain ReentrantLock, given or its own")
@KataTest
class PlainLockTest {

    /** How the buffer under test gets its lock. */
    enum Made {
        GIVEN("new BoundedBuffer<>(%d, new ReentrantLock())"),
        OWN("new BoundedBuffer<>(%d), with a lock of its own");

        private final String how;

        Made(String how) {
            this.how = how;
        }

        String describe(int capacity) {
            return String.format(how, capacity);
        }
    }

    /** A buffer and the lock it waits on; the lock is null until the buffer's own lock has been found. */
    private static final class Subject {
        final Made made;
        final int capacity;
        final BoundedBuffer<Parcel> buffer;
        ReentrantLock lock;

        Subject(Made made, int capacity) {
            this.made = made;
            this.capacity = capacity;
            if (made == Made.GIVEN) {
                this.lock = new ReentrantLock();
                this.buffer = new BoundedBuffer<>(capacity, lock);
            } else {
                this.buffer = new BoundedBuffer<>(capacity);
            }
        }

        @Override
        public String toString() {
            return made.describe(capacity);
        }
    }

    @Test
    @Tag("rule-4")
    @DisplayName("items put one after another while several consumers wait wake one consumer each, on a plain lock too")
    void eachItemPutWakesAWaitingConsumer(Shapes shapes) throws Exception {
        int consumers = shapes.between("consumers waiting", 2, 4);
        int capacity = consumers + shapes.between("room beyond one item per consumer", 0, 3);
        for (Made made : Made.values()) {
            Subject subject = new Subject(made, capacity);
            Queue<Object> taken = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            for (int c = 1; c <= consumers; c++) {
                threads.add(start("take() #" + c, taken, subject.buffer::take));
            }
            if (!awaitConditionWaiters(subject, consumers, threads, taken, "take() on an empty buffer")) {
                continue;
            }
            List<Parcel> put = new ArrayList<>();
            int stillWaiting;
            subject.lock.lock();
            try {
                for (int c = 1; c <= consumers; c++) {
                    Parcel parcel = new Parcel(0, c);
                    subject.buffer.put(parcel);
                    put.add(parcel);
                }
                stillWaiting = ConditionWaiters.waiting(subject.lock, threads);
            } finally {
                subject.lock.unlock();
            }
            assertThat(stillWaiting).as("rule 4: %d consumers waited on an empty %s; %d items were put one after "
                    + "another, yet consumers still wait on the buffer's conditions, unwoken, beside the items put for "
                    + "them: each put must wake a waiting consumer, not only the put that found the buffer empty, "
                    + "whatever the lock's class and whichever constructor made the buffer", consumers, subject,
                    consumers).isZero();
            awaitEnded(threads, "an item was put for it");
            assertThat(taken).as("what the %d consumers of %s took (rule 3)", consumers, subject)
                    .containsExactlyInAnyOrderElementsOf(put);
        }
    }

    @Test
    @Tag("rule-4")
    @DisplayName("items taken one after another while several producers wait wake one producer each, on a plain lock "
            + "too")
    void eachItemTakenWakesAWaitingProducer(Shapes shapes) throws Exception {
        // The producers wait on a full buffer; the test takes one item per producer while it holds the lock, so
        // every take is done before the first producer woken gets the lock back. A take that signals only when the
        // buffer was full wakes one of them, and the others wait beside the room made for them.
        int producers = shapes.between("producers waiting", 2, 4);
        int capacity = producers + shapes.between("items beyond one per producer", 0, 3);
        for (Made made : Made.values()) {
            Subject subject = new Subject(made, capacity);
            List<Parcel> held = Drain.fill(subject.buffer, 0);
            Queue<Object> outcomes = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            List<Parcel> late = new ArrayList<>();
            for (int p = 1; p <= producers; p++) {
                Parcel parcel = new Parcel(p, 0);
                late.add(parcel);
                threads.add(start("put(" + parcel + ")", outcomes, () -> {
                    subject.buffer.put(parcel);
                    return "put";
                }));
            }
            if (!awaitConditionWaiters(subject, producers, threads, outcomes, "put() into a full buffer")) {
                continue;
            }
            List<Parcel> took = new ArrayList<>();
            int stillWaiting;
            subject.lock.lock();
            try {
                for (int p = 1; p <= producers; p++) {
                    took.add(subject.buffer.take());
                }
                stillWaiting = ConditionWaiters.waiting(subject.lock, threads);
            } finally {
                subject.lock.unlock();
            }
            assertThat(took).as("the first %d items taken from the full %s (rule 1)", producers, subject)
                    .containsExactlyElementsOf(held.subList(0, producers));
            assertThat(stillWaiting).as("rule 4: %d producers waited on a full %s; %d items were taken one after "
                    + "another, yet producers still wait on the buffer's conditions, unwoken, beside the room made "
                    + "for them: each take must wake a waiting producer, not only the take that found the buffer "
                    + "full, whatever the lock's class and whichever constructor made the buffer", producers, subject,
                    producers).isZero();
            awaitEnded(threads, "an item was taken to make room for it");
            assertThat(outcomes).as("what the %d producers into %s did", producers, subject)
                    .containsOnly("put").hasSize(producers);
            List<Parcel> left = Drain.all(subject.buffer);
            assertThat(left.subList(0, Math.min(left.size(), capacity - producers)))
                    .as("what %s held after the takes (rule 1)", subject)
                    .containsExactlyElementsOf(held.subList(producers, capacity));
            assertThat(left.subList(Math.min(left.size(), capacity - producers), left.size()))
                    .as("the producers' items in %s (rule 3)", subject).containsExactlyInAnyOrderElementsOf(late);
        }
    }

    @Test
    @Tag("rule-4")
    @DisplayName("a take wakes the producer waiting for room, not a consumer waiting beside it, on a plain lock too")
    void aTakeWakesTheWaitingProducer(Shapes shapes) throws Exception {
        // Capacity 1, two consumers waiting; then, queued behind the test's hold of the lock, two producers. The
        // first puts and wakes the first consumer; the second finds the buffer full and waits beside the second
        // consumer, before the first consumer gets the lock back (it queues behind the second producer). That
        // consumer's take must wake the producer: one condition for both sides, woken with signal(), wakes the
        // consumer beside it instead, and both wait forever beside an empty buffer.
        int first = shapes.between("item of the first producer", 0, 99);
        int second = shapes.between("item of the second producer", 0, 99);
        for (Made made : Made.values()) {
            Subject subject = new Subject(made, 1);
            Queue<Object> outcomes = new ConcurrentLinkedQueue<>();
            List<Thread> threads = new ArrayList<>();
            boolean found = true;
            for (int c = 1; c <= 2 && found; c++) {
                threads.add(start("take() #" + c, outcomes, subject.buffer::take));
                found = awaitConditionWaiters(subject, c, threads, outcomes, "take() on an empty buffer");
            }
            if (!found) {
                continue;
            }
            List<Parcel> put = List.of(new Parcel(1, first), new Parcel(2, second));
            subject.lock.lock();
            try {
                for (Parcel parcel : put) {
                    Thread producer = start("put(" + parcel + ")", outcomes, () -> {
                        subject.buffer.put(parcel);
                        return "put";
                    });
                    threads.add(producer);
                    awaitQueuedForTheLock(subject, producer);
                }
            } finally {
                subject.lock.unlock();
            }
            awaitNoneStuck(subject, threads, "a take woke a consumer instead of the producer waiting for room "
                    + "(producers and consumers on one condition, woken with signal(): rule 4)");
            assertThat(outcomes).as("what the two consumers took and the two producers did, on %s (rules 3 and 4)",
                    subject).containsExactlyInAnyOrder(put.get(0), put.get(1), "put", "put");
        }
    }

    private static Thread start(String name, Queue<Object> outcomes, Callable<Object> call) {
        return Thread.ofPlatform().daemon(true).name(name).start(() -> {
            try {
                outcomes.add(call.call());
            } catch (Throwable thrown) {
                outcomes.add(thrown);
            }
        });
    }

    /**
     * Waits until {@code count} threads wait on the conditions of the buffer's lock, failing after the waiters'
     * patience. For a buffer with a lock of its own, first finds that lock: the one the buffer holds that owns the
     * conditions its waiters park on. Returns false (nothing to judge) only when the waiters park on conditions but
     * the buffer keeps its own lock where no look reaches.
     */
    private static boolean awaitConditionWaiters(Subject subject, int count, List<Thread> threads,
            Queue<Object> outcomes, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Waiter.PATIENCE.toNanos();
        while (true) {
            int waiting = 0;
            if (subject.lock == null) {
                subject.lock = ConditionWaiters.lockOf(subject.buffer, threads).orElse(null);
            }
            if (subject.lock != null) {
                subject.lock.lock();
                try {
                    waiting = ConditionWaiters.waiting(subject.lock, threads);
                } finally {
                    subject.lock.unlock();
                }
            }
            if (waiting >= count) {
                return true;
            }
            List<Thread> ended = threads.stream().filter(thread -> !ThreadEnd.stillRuns(thread)).toList();
            if (!ended.isEmpty()) {
                throw new AssertionError(String.format("rule 4: %s on %s must wait on a condition of the buffer's "
                        + "lock, but %s ended instead (what the calls returned or threw: %s)", what, subject,
                        ended.stream().map(Thread::getName).toList(), outcomes));
            }
            if (System.nanoTime() > deadline) {
                if (subject.lock == null && ConditionWaiters.anyParksOnACondition(threads)) {
                    System.err.printf("PlainLockTest: %s keeps its own lock where the test cannot find it; the test "
                            + "judges it only on a lock it is given%n", subject);
                    return false;
                }
                throw new AssertionError(String.format("rule 4: %s on %s must wait on a condition of the buffer's "
                        + "lock; after %d s, %d of %d did (threads: %s)", what, subject, Waiter.PATIENCE.toSeconds(),
                        waiting, count, threads.stream().map(t -> t.getName() + " " + t.getState()).toList()));
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    /** Waits until {@code thread} waits to take the lock, which the test holds, so that calls queue in a known order. */
    private static void awaitQueuedForTheLock(Subject subject, Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + Waiter.PATIENCE.toNanos();
        while (!subject.lock.hasQueuedThread(thread)) {
            if (!ThreadEnd.stillRuns(thread) || System.nanoTime() > deadline) {
                throw new AssertionError(thread.getName() + " on " + subject + " did not wait for the buffer's lock "
                        + "while the test held it (its thread is " + thread.getState() + "): every call must take the "
                        + "buffer's lock (rule 4)");
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    /**
     * Waits until every thread ended, and fails as soon as all that are left wait on the buffer's conditions with
     * the test holding the lock (no one is left to wake them), or after the patience.
     */
    private static void awaitNoneStuck(Subject subject, List<Thread> threads, String why)
            throws InterruptedException {
        long deadline = System.nanoTime() + Waiter.PATIENCE.toNanos();
        while (true) {
            List<Thread> alive;
            int waiting;
            subject.lock.lock();
            try {
                alive = threads.stream().filter(ThreadEnd::stillRuns).toList();
                waiting = alive.isEmpty() ? 0 : ConditionWaiters.waiting(subject.lock, alive);
            } finally {
                subject.lock.unlock();
            }
            if (alive.isEmpty()) {
                return;
            }
            if (waiting >= alive.size() || System.nanoTime() > deadline) {
                throw new AssertionError("hang: " + alive.stream().map(Thread::getName).toList() + " wait on the "
                        + "conditions of " + subject + " with " + Optional.ofNullable(sizeOf(subject)).orElse("?")
                        + " item(s) in it, and no one is left to wake them: " + why);
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }

    private static String sizeOf(Subject subject) {
        try {
            return String.valueOf(subject.buffer.size());
        } catch (RuntimeException unknown) {
            return null;
        }
    }

    private static void awaitEnded(List<Thread> threads, String why) throws InterruptedException {
        for (Thread thread : threads) {
            thread.join(Waiter.PATIENCE.toMillis());
            assertThat(ThreadEnd.stillRuns(thread)).as("rule 4: %s still runs %d s after %s (%s)", thread.getName(),
                    Waiter.PATIENCE.toSeconds(), why, thread.getState()).isFalse();
        }
    }
}

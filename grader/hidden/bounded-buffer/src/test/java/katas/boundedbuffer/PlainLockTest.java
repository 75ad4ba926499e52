package katas.boundedbuffer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: the buffer on a lock of class {@code ReentrantLock} itself, as its one-argument constructor makes. The other
 * tests give it the testkit's {@code WakeableLock}, a subclass, and a buffer that behaves differently on a plain lock
 * (red team E: it signalled only the put that found the buffer empty) got past them. Condition waits are read from
 * the lock itself (the waiters of every condition the buffer can reach, while the test holds the lock): a signalled
 * waiter leaves its condition's queue at the signal, so nothing here depends on how fast the woken threads run.
 */
@DisplayName("BoundedBuffer on a plain ReentrantLock")
@KataTest
class PlainLockTest {

    @Test
    @Tag("rule-4")
    @DisplayName("items put one after another while several consumers wait wake one consumer each, on a plain lock too")
    void eachItemPutWakesAWaitingConsumer(Shapes shapes) throws Exception {
        int consumers = shapes.between("consumers waiting", 2, 4);
        int capacity = consumers + shapes.between("room beyond one item per consumer", 0, 3);
        ReentrantLock lock = new ReentrantLock();
        BoundedBuffer<Parcel> buffer = new BoundedBuffer<>(capacity, lock);
        Queue<Object> taken = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 1; c <= consumers; c++) {
            threads.add(Thread.ofPlatform().daemon(true).name("take() #" + c).start(() -> {
                try {
                    taken.add(buffer.take());
                } catch (Throwable thrown) {
                    taken.add(thrown);
                }
            }));
        }
        awaitConditionWaiters(lock, buffer, consumers, threads);
        List<Parcel> put = new ArrayList<>();
        int stillWaiting;
        lock.lock();
        try {
            for (int c = 1; c <= consumers; c++) {
                Parcel parcel = new Parcel(0, c);
                buffer.put(parcel);
                put.add(parcel);
            }
            stillWaiting = ReachableConditions.waiters(buffer, lock);
        } finally {
            lock.unlock();
        }
        assertThat(stillWaiting).as("rule 4: %d consumers waited on an empty buffer built on a plain ReentrantLock; "
                + "%d items were put one after another, yet consumers still wait on the buffer's conditions, unwoken, "
                + "beside the items put for them: each put must wake a waiting consumer, not only the put that found "
                + "the buffer empty, whatever the lock's class", consumers, consumers).isZero();
        for (Thread thread : threads) {
            thread.join(Waiter.PATIENCE.toMillis());
            assertThat(thread.isAlive()).as("rule 4: %s still runs %d s after an item was put for it (%s)",
                    thread.getName(), Waiter.PATIENCE.toSeconds(), thread.getState()).isFalse();
        }
        assertThat(taken).as("what the %d consumers took (rule 3)", consumers).containsExactlyInAnyOrderElementsOf(put);
    }

    /** Waits until {@code count} threads wait on the conditions, failing after the waiters' patience. */
    private static void awaitConditionWaiters(ReentrantLock lock, BoundedBuffer<?> buffer, int count,
            List<Thread> threads) throws InterruptedException {
        long deadline = System.nanoTime() + Waiter.PATIENCE.toNanos();
        while (true) {
            int waiting;
            lock.lock();
            try {
                waiting = ReachableConditions.waiters(buffer, lock);
            } finally {
                lock.unlock();
            }
            if (waiting >= count) {
                return;
            }
            assertThat(System.nanoTime() < deadline).as("rule 4: take() on an empty buffer must wait on a condition "
                    + "of the lock; after %d s, %d of %d did (threads: %s)", Waiter.PATIENCE.toSeconds(), waiting,
                    count, threads.stream().map(t -> t.getName() + " " + t.getState()).toList()).isTrue();
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }
}

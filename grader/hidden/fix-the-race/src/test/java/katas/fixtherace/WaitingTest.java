package katas.fixtherace;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.StampedLock;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.ThreadDiagnosis;
import katas.testkit.ThreadEnd;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: rule 9. A call that has to wait, because another thread is inside the counter or the account (here:
 * the test holds the counter's locks, as a thread that was preempted inside increment() would; a withdrawal
 * waits for a slow fraud check), waits as long as it takes, even when it is interrupted meanwhile, and keeps
 * the interrupt. One caller at a time, so the untouched stub passes: preconditions.
 */
@DisplayName("Calls that have to wait")
@KataTest
@Tag("precondition")
class WaitingTest {

    @Test
    @Tag("rule-9")
    @DisplayName("counts a hit that waited for the counter, however long, and when interrupted while it waited")
    void countsAHitThatWaited(Shapes shapes) throws Exception {
        // The first round always interrupts the waiting thread: a rule 9 mistake must fail every grade.
        AtomicInteger rounds = new AtomicInteger();
        shapes.check(3, round -> {
            HitCounter counter = new HitCounter();
            int before = round.between("hits before", 0, 1_000);
            for (int i = 0; i < before; i++) {
                counter.increment();
            }
            int hits = round.between("hits of the waiting thread", 1, 50);
            int index = rounds.getAndIncrement();
            // The second round keeps the counter busy for over a second and does not interrupt: a hit that gives
            // up after waiting a while (a tryLock or tryAcquire with a timeout) is lost there.
            boolean longWait = index == 1;
            boolean interrupt = !longWait && (round.chance("interrupted while it waits", 0.7) | index == 0);
            long holdMillis = longWait
                    ? round.between("milliseconds the counter stays busy (a long wait)", 1_050, 1_400)
                    : round.between("milliseconds the counter stays busy", 30, 300);
            Waiter waiter = new Waiter("http-nio-8080-exec-" + round.between("thread", 1, 200), () -> {
                for (int i = 0; i < hits; i++) {
                    counter.increment();
                }
            });
            holdingEveryLockOf(counter, () -> waiter.startAndWait(interrupt, holdMillis));
            waiter.join();
            assertThat(counter.get()).as("rule 9: %,d hits, then %,d from a thread that had to wait %d ms for the "
                    + "counter%s: a hit is counted however long it waits (a tryLock with a timeout that gives up loses "
                    + "it)", before, hits, holdMillis, interrupt && waiter.waited() ? " and was interrupted while it "
                    + "waited" : "").isEqualTo(before + hits);
            if (interrupt && waiter.waited()) {
                assertThat(waiter.stillInterrupted()).as("rule 9: increment() cleared the interrupt of the thread "
                        + "that waited; whoever interrupted it would never know").isTrue();
            }
        });
    }

    @Test
    @Tag("rule-9")
    @DisplayName("keeps deposits and withdrawals that waited for a slow fraud check, and when interrupted meanwhile")
    void keepsCallsThatWaited(Shapes shapes) throws Exception {
        // The first round always interrupts the waiting thread: a rule 9 mistake must fail every grade.
        AtomicInteger rounds = new AtomicInteger();
        shapes.check(3, round -> {
            long opening = round.between("opening balance", 2, 1L << 40);
            long slowAmount = round.between("slow withdrawal", 1, opening / 2);
            long deposit = round.between("deposit", 1, 1L << 30);
            long withdrawal = round.between("withdrawal", 1, opening - slowAmount);
            int index = rounds.getAndIncrement();
            // The second round's fraud check takes over two seconds (a slow remote service) and nobody interrupts:
            // a call that gives up after waiting a while (a tryLock or tryAcquire with a timeout) is lost there.
            boolean longWait = index == 1;
            boolean interrupt = !longWait && (round.chance("interrupted while it waits", 0.7) | index == 0);
            long holdMillis = longWait
                    ? round.between("milliseconds the fraud check takes (a long wait)", 2_100, 2_400)
                    : round.between("milliseconds the fraud check takes", 30, 300);
            CountDownLatch deciding = new CountDownLatch(1);
            CountDownLatch decided = new CountDownLatch(1);
            AtomicReference<Thread> slowThread = new AtomicReference<>();
            AtomicBoolean first = new AtomicBoolean(true);
            BankAccount account = new BankAccount(opening, amount -> {
                if (Thread.currentThread() == slowThread.get() && first.getAndSet(false)) {
                    deciding.countDown();
                    awaitUninterruptibly(decided);
                }
            });
            boolean[] slowPaid = {false};
            Thread slow = Thread.ofPlatform().daemon(true).name("fraud-check-" + round.between("thread", 1, 99))
                    .unstarted(() -> slowPaid[0] = account.withdraw(slowAmount));
            slowThread.set(slow);
            slow.start();
            awaitUninterruptibly(deciding);
            boolean[] paid = {false};
            long[] seen = {0};
            Waiter waiter = new Waiter("teller-" + round.between("teller", 1, 99), () -> {
                account.deposit(deposit);
                paid[0] = account.withdraw(withdrawal);
                seen[0] = account.balance();
            });
            waiter.startAndWait(interrupt, holdMillis);
            decided.countDown();
            slow.join(Duration.ofSeconds(10));
            waiter.join();
            long expected = opening - slowAmount + deposit - withdrawal;
            assertThat(slowPaid[0]).as("rule 4: withdraw(%,d) from %,d", slowAmount, opening).isTrue();
            assertThat(paid[0]).as("rule 9: withdraw(%,d) from %,d (+ %,d deposited), by a thread that had to wait %d "
                    + "ms%s, was refused: it must wait as long as it takes", withdrawal, opening - slowAmount, deposit,
                    holdMillis, interrupt && waiter.waited() ? " and was interrupted" : "").isTrue();
            assertThat(account.balance()).as("rule 9: %,d - %,d (slow) + %,d - %,d, the last two from a thread that "
                    + "had to wait%s: a call counts however long it waits", opening, slowAmount, deposit, withdrawal,
                    interrupt && waiter.waited() ? " and was interrupted" : "").isEqualTo(expected);
            if (interrupt && waiter.waited()) {
                assertThat(waiter.stillInterrupted()).as("rule 9: the account cleared the interrupt of the thread "
                        + "that waited; whoever interrupted it would never know").isTrue();
            }
        });
    }

    /** Waits for {@code latch} however often interrupted, and keeps the interrupt for the caller's code to see. */
    static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Holds every lock of {@code target} (its monitor, the monitors of the objects in its fields, and the locks
     * and semaphores among them: every permit of a semaphore), as a thread inside one of its calls would, runs
     * {@code body}, and lets go. Objects of the kata's own classes in those fields, and the elements of arrays
     * and collections there, are searched the same way, a few levels deep: a lock wrapped in a small class of
     * the learner's (a {@code Mutex} holding a {@code ReentrantLock}) is a lock of the counter too.
     */
    static void holdingEveryLockOf(Object target, Runnable body) throws IllegalAccessException {
        List<Object> locks = new ArrayList<>();
        locks.add(target.getClass()); // a static synchronized method's monitor
        collectLocks(target, target.getClass().getPackageName(), 0, locks);
        holding(locks, 0, body);
    }

    private static final int DEEPEST = 4;
    private static final int MOST_ELEMENTS = 256;

    private static void collectLocks(Object value, String katasPackage, int depth, List<Object> locks)
            throws IllegalAccessException {
        if (value == null || value instanceof Class || locks.stream().anyMatch(l -> l == value)) {
            return;
        }
        locks.add(value);
        if (depth >= DEEPEST) {
            return;
        }
        if (value instanceof Object[] array) {
            for (int i = 0; i < Math.min(array.length, MOST_ELEMENTS); i++) {
                collectLocks(array[i], katasPackage, depth + 1, locks);
            }
            return;
        }
        Object[] elements = value instanceof java.util.Collection<?> collection ? collection.toArray()
                : value instanceof java.util.Map<?, ?> map ? map.values().toArray() : null;
        if (elements != null) {
            for (int i = 0; i < Math.min(elements.length, MOST_ELEMENTS); i++) {
                collectLocks(elements[i], katasPackage, depth + 1, locks);
            }
            return;
        }
        if (depth > 0 && !value.getClass().getPackageName().equals(katasPackage)) {
            return; // a JDK object (a lock, a semaphore, an AtomicLong): held as it is, not searched
        }
        for (Class<?> c = value.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                // static fields too: a lock shared by every instance is a lock of this one
                Object owner = Modifier.isStatic(f.getModifiers()) ? null : value;
                if (!f.getType().isPrimitive() && !f.isSynthetic() && f.trySetAccessible()) {
                    collectLocks(f.get(owner), katasPackage, depth + 1, locks);
                }
            }
        }
    }

    private static void holding(List<Object> locks, int from, Runnable body) {
        if (from == locks.size()) {
            body.run();
            return;
        }
        Object lock = locks.get(from);
        if (lock instanceof Lock plain && plain.tryLock()) {
            try {
                holding(locks, from + 1, body);
            } finally {
                plain.unlock();
            }
        } else if (lock instanceof ReadWriteLock readWrite && readWrite.writeLock().tryLock()) {
            try {
                holding(locks, from + 1, body);
            } finally {
                readWrite.writeLock().unlock();
            }
        } else if (lock instanceof Semaphore semaphore) {
            // A semaphore used as a lock: holding it means holding its permits (its monitor guards nothing).
            int taken = semaphore.drainPermits();
            try {
                holding(locks, from + 1, body);
            } finally {
                if (taken > 0) {
                    semaphore.release(taken);
                }
            }
        } else if (lock instanceof StampedLock stamped) {
            long stamp = stamped.tryWriteLock();
            try {
                holding(locks, from + 1, body);
            } finally {
                if (stamp != 0) {
                    stamped.unlockWrite(stamp);
                }
            }
        } else {
            synchronized (lock) {
                holding(locks, from + 1, body);
            }
        }
    }

    /** A thread that makes some calls which may have to wait; the test can interrupt it while it waits. */
    static final class Waiter {
        private final Thread thread;
        private final AtomicBoolean done = new AtomicBoolean();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean stillInterrupted;
        private boolean waited;

        Waiter(String name, Runnable calls) {
            thread = Thread.ofPlatform().daemon(true).name(name).unstarted(() -> {
                try {
                    calls.run();
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    stillInterrupted = Thread.currentThread().isInterrupted();
                    done.set(true);
                }
            });
        }

        /**
         * Starts the calls and waits until they are done or wait (for at most 2 s); if they wait, interrupts the
         * thread when asked, then keeps the caller busy for {@code holdMillis} more.
         */
        void startAndWait(boolean interrupt, long holdMillis) {
            thread.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (!done.get() && System.nanoTime() < deadline) {
                Thread.State state = thread.getState();
                if (state == Thread.State.BLOCKED || state == Thread.State.WAITING
                        || state == Thread.State.TIMED_WAITING) {
                    waited = true;
                    break;
                }
                Thread.onSpinWait();
            }
            if (waited && interrupt) {
                thread.interrupt();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(holdMillis));
        }

        boolean waited() {
            return waited;
        }

        boolean stillInterrupted() {
            return stillInterrupted;
        }

        void join() throws InterruptedException {
            thread.join(Duration.ofSeconds(10));
            if (ThreadEnd.stillRuns(thread)) {
                throw new AssertionError("rule 9: the thread '" + thread.getName() + "' did not finish within 10 s "
                        + "after the counter or account was free again. " + ThreadDiagnosis.explain(List.of(thread)));
            }
            Throwable t = failure.get();
            if (t != null) {
                throw new AssertionError("rule 9: a call of the thread '" + thread.getName() + "', which had to wait"
                        + (waited ? " and was interrupted" : "") + ", threw " + t, t);
            }
        }
    }
}

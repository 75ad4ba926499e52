package katas.reentrantlock;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: waiters woken early ({@link Wakeups}: notifyAll on the lock's monitors, unpark), as the JVM may wake
 * them at any time. A waiter must look again and go back to waiting while the lock is held (rule 4), and a
 * tryLock's timeout is for the whole call, however often it wakes (rule 5).
 */
@DisplayName("Mutex, with waiters woken early")
@KataTest
class MutexWakeupTest {

    /** The ways a waiter takes the lock: every one must wait for the unlock. */
    private static final List<String> WAYS = List.of("lock()", "lockInterruptibly()", "tryLock(1 day)");

    @Test
    @Tag("rule-4")
    @Tag("rule-1")
    @DisplayName("sends a waiter woken while the lock is still held back to waiting, whichever way it locks")
    void sendsAWaiterWokenEarlyBackToWaiting(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            int count = round.between("waiting threads", 3, 5);
            List<String> everyWay = round.shuffled("the first three ways", WAYS);
            int wakeups = round.between("early wakeups", 2, 6);
            AtomicBoolean testHolds = new AtomicBoolean(true);
            mutex.lock();
            List<Actor> waiters = new ArrayList<>();
            List<String> ways = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String way = i < everyWay.size() ? everyWay.get(i) : round.oneOf("way " + i, WAYS);
                ways.add(way);
                waiters.add(Actor.start("picker-" + i, () -> {
                    lockBy(mutex, way);
                    boolean early = testHolds.get();
                    boolean owns = mutex.isHeldByCurrentThread();
                    if (owns) {
                        mutex.unlock();
                    }
                    assertThat(early).as("rule 4: %s returned when its thread was woken while another thread still "
                            + "held the lock (two owners at once): a waiter woken early must look again (while, not "
                            + "if)", way).isFalse();
                    assertThat(owns).as("rule 1: %s returned, but its thread does not own the lock", way).isTrue();
                }));
            }
            List<Thread> threads = waiters.stream().map(Actor::thread).toList();
            for (Actor waiter : waiters) {
                waiter.awaitWaiting("rule 1: " + ways.get(waiters.indexOf(waiter)) + " while another thread holds it");
            }
            for (int w = 0; w < wakeups; w++) {
                Wakeups.wakeEarly(mutex, threads);
                // Time for a waiter that does not look again to run on and take the lock; one that looks again
                // goes back to waiting, and nothing here depends on how long that takes.
                for (Actor waiter : waiters) {
                    waiter.awaitDone(Duration.ofMillis(20));
                }
            }
            for (Actor waiter : waiters) {
                if (waiter.isDone()) {
                    waiter.rethrowFailure();
                    throw new AssertionError("rule 4: " + ways.get(waiters.indexOf(waiter)) + " returned when its "
                            + "thread was woken while another thread still held the lock");
                }
            }
            testHolds.set(false);
            mutex.unlock();
            for (Actor waiter : waiters) {
                waiter.mustFinish("rule 4: a waiter woken early, then sent back to waiting, never got the lock "
                        + "after it was freed");
                waiter.rethrowFailure();
            }
        });
    }

    @Test
    @Tag("rule-5")
    @DisplayName("ends tryLock's wait once its timeout is up, however often its thread is woken meanwhile")
    void endsTryLockInTimeDespiteWakeups(Shapes shapes) throws Exception {
        // Wakeups far more often than the timeout: a tryLock that starts its timeout again at each one can only give
        // up when a whole timeout passes between two of them, which even a busy machine rarely allows three times.
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            long millis = round.between("timeout (ms)", 200, 350);
            long wakeEveryMillis = round.between("woken every (ms)", 1, 4);
            mutex.lock();
            boolean[] took = {true};
            long[] waited = {0};
            Actor waiter = Actor.start("tryer", () -> {
                long start = System.nanoTime();
                took[0] = mutex.tryLock(millis, TimeUnit.MILLISECONDS);
                waited[0] = System.nanoTime() - start;
            });
            waiter.awaitWaiting("rule 5: tryLock(" + millis + " ms) while another thread holds the lock");
            long patience = System.nanoTime() + Actor.PATIENCE.toNanos();
            while (!waiter.isDone() && System.nanoTime() < patience) {
                Wakeups.wakeEarly(mutex, List.of(waiter.thread()));
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(wakeEveryMillis));
            }
            boolean done = waiter.isDone();
            mutex.unlock();
            waiter.mustFinish("rule 5: tryLock() never returned");
            waiter.rethrowFailure();
            assertThat(done).as("rule 5: tryLock(%d ms) still waited after %d s while its thread was woken every %d "
                    + "ms: the timeout must count from the call, not start again at every wakeup", millis,
                    Actor.PATIENCE.toSeconds(), wakeEveryMillis).isTrue();
            assertThat(took[0]).as("rule 5: tryLock(%d ms) of a lock held by another thread all along", millis)
                    .isFalse();
            assertThat(Duration.ofNanos(waited[0])).as("rule 5: tryLock(%d ms), woken every %d ms, gave up before its "
                    + "time was up: a wakeup is no reason to stop waiting", millis, wakeEveryMillis)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(millis));
        });
    }

    @Test
    @Tag("rule-4")
    @Tag("rule-5")
    @DisplayName("loses no wakeup: a tryLock woken to a free lock takes it even when its time is up, and a waiter "
            + "that found the lock taken just before it was freed is woken")
    void aTryLockWokenToAFreeLockTakesIt(Shapes shapes) throws Exception {
        // The test frees the lock while it holds every monitor of the lock, and keeps them until the tryLock's time
        // is up: the waiter the unlock woke goes on only then. It finds the lock free; if it gives up instead, on a
        // lock that wakes one waiter per unlock, the lock() waiter behind it is never woken.
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            long millis = round.between("tryLock's timeout (ms)", 300, 450);
            mutex.lock();
            boolean[] took = {false};
            long start = System.nanoTime();
            Actor tryer = Actor.start("tryer-" + round.between("tryer", 1, 99), () -> {
                took[0] = mutex.tryLock(millis, TimeUnit.MILLISECONDS);
                if (took[0]) {
                    mutex.unlock();
                }
            });
            tryer.awaitWaiting("rule 5: tryLock(" + millis + " ms) while another thread holds the lock");
            Actor locker = Actor.start("locker-" + round.between("locker", 1, 99), () -> {
                mutex.lock();
                mutex.unlock();
            });
            locker.awaitWaiting("rule 1: lock() while another thread holds the lock");
            assertThat(tryer.isDone()).as("rule 5: tryLock(%d ms) returned before its time was up while another "
                    + "thread held the lock", millis).isFalse();
            Wakeups.holdingMonitorsOf(mutex, () -> {
                mutex.unlock();
                long until = TimeUnit.MILLISECONDS.toNanos(millis + 20);
                while (System.nanoTime() - start < until) {
                    LockSupport.parkNanos(until - (System.nanoTime() - start));
                }
            });
            tryer.mustFinish("rule 5: tryLock(" + millis + " ms) never returned");
            tryer.rethrowFailure();
            locker.mustFinish("rule 4: the lock was freed while a tryLock(" + millis + " ms) and a lock() waited; the "
                    + "tryLock was woken when its time was up, and the lock() never got the lock: a waiter woken to "
                    + "a free lock must take it (or pass the wakeup on), even when its time is up, or the wakeup "
                    + "is lost" + (took[0] ? "" : " (the tryLock gave up and took nothing)"));
            locker.rethrowFailure();
            // A waiter that looked at the lock (taken) and is on its way to wait when the lock is freed: it must
            // not miss that unlock. The test holds the lock's monitors while the waiter arrives and while it frees
            // the lock; a lock that looks and starts waiting under one monitor sees the free lock once it gets in.
            String way = round.oneOf("way of the late waiter", "lock()", "lockInterruptibly()");
            mutex.lock();
            Actor late = Actor.start("late-" + round.between("late", 1, 99), () -> {
                if (way.equals("lock()")) {
                    mutex.lock();
                } else {
                    mutex.lockInterruptibly();
                }
                mutex.unlock();
            });
            boolean[] arrived = {false};
            Wakeups.holdingMonitorsOf(mutex, () -> {
                long patience = System.nanoTime() + Actor.PATIENCE.toNanos();
                while (!late.isDone() && !late.isWaiting() && System.nanoTime() < patience) {
                    Thread.onSpinWait();
                }
                arrived[0] = late.isWaiting() || late.isDone();
                mutex.unlock();
            });
            assertThat(arrived[0]).as("rule 4: %s while another thread holds the lock: the thread '%s' did not "
                    + "wait but kept running (a lock that spins instead of waiting?)", way, late.thread().getName())
                    .isTrue();
            late.mustFinish("rule 4: " + way + " found the lock taken, and the lock was freed before it began to "
                    + "wait: it never got the lock (a lost wakeup: look at the owner and begin to wait under the one "
                    + "monitor that unlock() frees the lock and wakes the waiters under)");
            late.rethrowFailure();
        });
    }

    @Test
    @Tag("rule-4")
    @Tag("rule-6")
    @DisplayName("lets its waiters wait while the lock stays held, also a lock() waiter interrupted meanwhile: the "
            + "unlock wakes them, they do not look again every millisecond")
    void letsItsWaitersWaitUntilTheUnlock(Shapes shapes) throws Exception {
        // The JVM counts how often each thread begins to wait (Object.wait, park; ThreadMXBean's waited count). A
        // waiter of a held lock that nobody wakes begins to wait once, and again only after a wakeup it did not ask
        // for; one that polls (a wait of a millisecond, then a look) begins again every time, hundreds of times a
        // second even on a busy machine. The bound allows a look every 10 ms. One more waiter, in lock(), is
        // interrupted a few times while it waits: each interrupt may wake it once or twice (a right lock() notes
        // it, clears it and waits on), but a lock() that waits with the interrupt status still set returns from
        // every park at once and spins until the unlock, beginning to wait again thousands of times.
        ThreadMXBean jvm = ManagementFactory.getThreadMXBean();
        shapes.check(2, round -> {
            Mutex mutex = new Mutex();
            int count = round.between("waiting threads", 1, 4);
            List<String> everyWay = round.shuffled("the first three ways", WAYS);
            long windowMillis = round.between("watched for (ms)", 150, 250);
            int interrupts = round.between("interrupts of the lock() waiter", 1, 3);
            List<Long> interruptAt = new ArrayList<>();
            for (int k = 0; k < interrupts; k++) {
                interruptAt.add(round.between("interrupt " + (k + 1) + " at (ms)", 0L, windowMillis / 2));
            }
            interruptAt.sort(null);
            mutex.lock();
            List<Actor> waiters = new ArrayList<>();
            List<String> ways = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String way = i < everyWay.size() ? everyWay.get(i) : round.oneOf("way " + i, WAYS);
                ways.add(way);
                waiters.add(Actor.start("waiter-" + i, () -> {
                    lockBy(mutex, way);
                    mutex.unlock();
                }));
            }
            boolean[] interruptKept = {false};
            ways.add("lock(), interrupted " + interrupts + " times while it waited,");
            waiters.add(Actor.start("waiter-interrupted", () -> {
                mutex.lock();
                interruptKept[0] = Thread.currentThread().isInterrupted();
                mutex.unlock();
            }));
            int all = waiters.size();
            long[] before = new long[all];
            long[] after = new long[all];
            for (int i = 0; i < all; i++) {
                waiters.get(i).awaitWaiting("rule 1: " + ways.get(i) + " while another thread holds the lock");
            }
            for (int i = 0; i < all; i++) {
                before[i] = waitedCount(jvm, waiters.get(i).thread());
            }
            Thread interrupted = waiters.get(all - 1).thread();
            long start = System.nanoTime();
            for (long at : interruptAt) {
                parkUntil(start, TimeUnit.MILLISECONDS.toNanos(at));
                interrupted.interrupt();
            }
            parkUntil(start, TimeUnit.MILLISECONDS.toNanos(windowMillis));
            for (int i = 0; i < all; i++) {
                after[i] = waitedCount(jvm, waiters.get(i).thread());
            }
            boolean[] early = new boolean[all];
            for (int i = 0; i < all; i++) {
                early[i] = waiters.get(i).isDone();
            }
            mutex.unlock();
            for (Actor waiter : waiters) {
                waiter.mustFinish("rule 4: a waiter never got the lock after it was freed");
                waiter.rethrowFailure();
            }
            long bound = Math.max(5, windowMillis / 10);
            for (int i = 0; i < all; i++) {
                // An interrupt may wake a right waiter (its wait throws, or its park returns) once or twice.
                long allowed = i == all - 1 ? bound + 3L * interrupts : bound;
                assertThat(early[i]).as("rule 1: %s returned while another thread held the lock", ways.get(i))
                        .isFalse();
                assertThat(after[i] - before[i]).as("rule 4: %s began to wait again %d times in %d ms while "
                        + "another thread held the lock all along and nobody else woke it: a waiter that looks "
                        + "again every millisecond or so polls (it spins slowly)%s; it must wait until the last "
                        + "unlock wakes it (notifyAll, unpark)", ways.get(i), after[i] - before[i], windowMillis,
                        i == all - 1 ? ", and a lock() that waits with its interrupt status set spins (park returns "
                        + "at once while it is set: note the interrupt, clear it, wait on, and set it again once "
                        + "you hold the lock)" : "").isLessThanOrEqualTo(allowed);
            }
            assertThat(interruptKept[0]).as("rule 6: lock(), interrupted while it waited, returned with the "
                    + "interrupt status cleared: keep it").isTrue();
        });
    }

    /** Parks the calling thread until {@code nanos} have passed since {@code start} (nanoTime). */
    private static void parkUntil(long start, long nanos) {
        while (System.nanoTime() - start < nanos) {
            LockSupport.parkNanos(nanos - (System.nanoTime() - start));
        }
    }

    /** How often the JVM saw {@code thread} begin to wait (in Object.wait or a park), or -1 when it cannot tell. */
    private static long waitedCount(ThreadMXBean jvm, Thread thread) {
        ThreadInfo info = jvm.getThreadInfo(thread.threadId());
        return info == null ? -1 : info.getWaitedCount();
    }

    /** Locks {@code mutex} the given way, one of {@link #WAYS}. */
    private static void lockBy(Mutex mutex, String way) throws InterruptedException {
        switch (way) {
            case "lock()" -> mutex.lock();
            case "lockInterruptibly()" -> mutex.lockInterruptibly();
            default -> assertThat(mutex.tryLock(1, TimeUnit.DAYS)).as("rule 5: tryLock(1 day) of a lock freed while "
                    + "it waited").isTrue();
        }
    }

}

package katas.reentrantlock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.ThreadCpu;
import katas.testkit.ThreadWaits;
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
                    assertThat(lockBy(mutex, way)).as("rule 5: %s of a lock freed while it waited", way).isTrue();
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
            // Red team S: a waiter that stops trusting the unlock's wakeup after a few wakeups for nothing, and looks
            // again every millisecond from then on. Woken 5 to 8 times in all, each must then wait on: over a window
            // of 30 ms it begins to wait at most BEATEN_WAITS times (a right one does not begin again at all).
            int inAll = round.between("wakeups in all, before the waits are counted", 5, 8);
            for (int w = wakeups; w < inAll; w++) {
                Wakeups.wakeEarly(mutex, threads);
                for (Actor waiter : waiters) {
                    waiter.awaitWaiting("rule 1: " + ways.get(waiters.indexOf(waiter)) + " woken for nothing");
                }
            }
            long[] waitsBefore = threads.stream().mapToLong(ThreadWaits::count).toArray();
            TimeUnit.MILLISECONDS.sleep(30);
            for (int i = 0; i < count; i++) {
                long after = ThreadWaits.count(threads.get(i));
                long waits = waitsBefore[i] < 0 || after < 0 ? 0 : after - waitsBefore[i];
                if (waits > BEATEN_WAITS && !waiters.get(i).isDone()) {
                    testHolds.set(false);
                    mutex.unlock();
                    throw new AssertionError("rule 4: " + ways.get(i) + ", woken " + Math.max(inAll, wakeups)
                            + " times while another thread held the lock, then began to wait " + waits + " times in "
                            + "30 ms with nobody waking it: it looks again every few milliseconds, which polls the "
                            + "lock. A waiter woken for nothing waits on until the next unlock wakes it, however "
                            + "often that happened before");
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
    @DisplayName("lets its waiters wait while the lock stays held, also a lock() waiter interrupted meanwhile and "
            + "tryLocks of tens of milliseconds to seconds: the unlock wakes them, they neither poll nor spin")
    void letsItsWaitersWaitUntilTheUnlock(Shapes shapes) throws Exception {
        // Two things are watched while the test holds the lock and nobody wakes the waiters.
        // How often the JVM sees each waiter begin to wait (Object.wait, park; ThreadMXBean's waited count): a waiter
        // that nobody wakes begins to wait once, and again only after a wakeup it did not ask for; one that polls (a
        // wait of a millisecond, then a look) begins again every time, hundreds of times a second even on a busy
        // machine. The bound allows a look every 10 ms. Three tryLocks are watched, with timeouts drawn from 1 to 12 ms,
        // from 30 to 149 ms, and from 150 ms to under ten seconds (red team N's tryLock polled every
        // millisecond when its timeout was under 10 s, red team P's when it was 250 ms or less), and a right one that
        // times out meanwhile is fine: it waited once. One that times out is judged by its own thread's count, from
        // the call to its return, against the time it waited (3 waits, and one more for every 10 ms).
        // The waiters' states, sampled about every millisecond: a waiter is WAITING (or TIMED_WAITING, BLOCKED) at
        // nearly every sample. One more waiter, in lock(), is interrupted a few times: each interrupt may wake it once
        // or twice (a right lock() notes it, clears it and waits on). A lock() that waits with its interrupt status
        // still set returns from every wait at once and spins until the unlock: with park, that shows in the waited
        // count; with a Semaphore or a Condition (their waits throw before they park, so the count stays still: red
        // team N), it shows as RUNNABLE at most samples. A waiter RUNNABLE at more than half the samples is watched
        // for up to three more windows (a busy machine may keep a right waiter from running on for a moment after an
        // interrupt, never for so long) and fails only if it is RUNNABLE at most samples of every one.
        shapes.check(2, round -> {
            Mutex mutex = new Mutex();
            long windowMillis = round.between("watched for (ms)", 150, 250);
            List<Way> ways = new ArrayList<>(round.shuffled("the first five ways", List.of(Way.LOCK,
                    Way.LOCK_INTERRUPTIBLY, briefTryLock(round, "the first tryLock"),
                    shortTryLock(round, "the second tryLock"), tinyTryLock(round, "the third tryLock"))));
            int more = round.between("more waiting threads", 0, 2);
            for (int i = 0; i < more; i++) {
                ways.add(switch (round.between("way of waiter " + (ways.size() + 1), 0, 4)) {
                    case 0 -> Way.LOCK;
                    case 1 -> Way.LOCK_INTERRUPTIBLY;
                    case 2 -> briefTryLock(round, "waiter " + (ways.size() + 1));
                    case 3 -> shortTryLock(round, "waiter " + (ways.size() + 1));
                    default -> longTryLock(round, "waiter " + (ways.size() + 1));
                });
            }
            int interrupts = round.between("interrupts of the lock() waiter", 1, 3);
            List<Long> interruptAt = new ArrayList<>();
            for (int k = 0; k < interrupts; k++) {
                interruptAt.add(round.between("interrupt " + (k + 1) + " at (ms)", 0L, windowMillis / 2));
            }
            interruptAt.sort(null);
            mutex.lock();
            List<Actor> waiters = new ArrayList<>();
            List<String> names = new ArrayList<>();
            int all = ways.size() + 1;
            long[] gaveUpAfter = new long[all];
            java.util.Arrays.fill(gaveUpAfter, -1L);
            long[] waitsUntilItGaveUp = new long[all];
            long[] cpuUntilItGaveUp = new long[all];
            for (int i = 0; i < ways.size(); i++) {
                Way way = ways.get(i);
                int index = i;
                names.add(way.toString());
                waiters.add(Actor.start("waiter-" + i, () -> {
                    long waitedBefore = ThreadWaits.count(Thread.currentThread());
                    long cpuBefore = ThreadCpu.ofCurrent();
                    long begun = System.nanoTime();
                    if (way.timed()) {
                        if (!mutex.tryLock(way.amount(), way.unit())) {
                            gaveUpAfter[index] = System.nanoTime() - begun; // judged below, against its timeout
                            waitsUntilItGaveUp[index] = ThreadWaits.count(Thread.currentThread()) - waitedBefore;
                            cpuUntilItGaveUp[index] = ThreadCpu.ofCurrent() - cpuBefore;
                            return;
                        }
                    } else if (way == Way.LOCK) {
                        mutex.lock();
                    } else {
                        mutex.lockInterruptibly();
                    }
                    mutex.unlock();
                }));
            }
            boolean[] interruptKept = {false};
            names.add("lock(), interrupted " + interrupts + " times while it waited,");
            waiters.add(Actor.start("waiter-interrupted", () -> {
                mutex.lock();
                interruptKept[0] = Thread.currentThread().isInterrupted();
                mutex.unlock();
            }));
            long[] before = new long[all];
            long[] after = new long[all];
            for (int i = 0; i < all; i++) {
                waiters.get(i).awaitWaiting("rule 1: " + names.get(i) + " while another thread holds the lock");
            }
            long[] cpuBefore = new long[all];
            for (int i = 0; i < all; i++) {
                before[i] = ThreadWaits.count(waiters.get(i).thread());
                cpuBefore[i] = ThreadCpu.of(waiters.get(i).thread());
            }
            Thread interrupted = waiters.get(all - 1).thread();
            // The window: interrupts at their drawn moments, the states sampled all along (the interrupted waiter's
            // from its first interrupt on, so that a spin that begins there is most of what is seen of it).
            int[] looks = new int[all];
            int[] running = new int[all];
            long start = System.nanoTime();
            long windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMillis);
            int sent = 0;
            while (true) {
                long now = System.nanoTime() - start;
                while (sent < interruptAt.size() && now >= TimeUnit.MILLISECONDS.toNanos(interruptAt.get(sent))) {
                    interrupted.interrupt();
                    sent++;
                }
                if (now >= windowNanos) {
                    break;
                }
                for (int i = 0; i < all; i++) {
                    if (i < all - 1 || sent > 0) {
                        look(waiters.get(i), i, looks, running);
                    }
                }
                long next = sent < interruptAt.size() ? TimeUnit.MILLISECONDS.toNanos(interruptAt.get(sent))
                        : windowNanos;
                LockSupport.parkNanos(Math.max(1L, Math.min(SAMPLE_NANOS, next - now)));
            }
            long[] cpuInWindow = new long[all];
            for (int i = 0; i < all; i++) {
                after[i] = ThreadWaits.count(waiters.get(i).thread());
                // -1 once the thread has ended (a tryLock that gave up): it is judged by its own reading
                long cpuAfter = ThreadCpu.of(waiters.get(i).thread());
                cpuInWindow[i] = cpuAfter < 0 || cpuBefore[i] < 0 ? 0 : cpuAfter - cpuBefore[i];
            }
            boolean[] early = new boolean[all];
            for (int i = 0; i < all; i++) {
                early[i] = waiters.get(i).isDone() && gaveUpAfter[i] < 0;
            }
            String spinning = stillSpinning(waiters, names, looks, running, windowMillis);
            mutex.unlock();
            for (Actor waiter : waiters) {
                waiter.mustFinish("rule 4: a waiter never got the lock after it was freed");
                waiter.rethrowFailure();
            }
            for (int i = 0; i < ways.size(); i++) {
                if (gaveUpAfter[i] >= 0) {
                    assertThat(gaveUpAfter[i]).as("rule 5: %s gave up after %d ms on a lock another thread held "
                            + "(nobody woke it): not before its whole timeout", names.get(i),
                            gaveUpAfter[i] / 1_000_000).isGreaterThanOrEqualTo(ways.get(i).nanos());
                    // Judged by its own count (the window's misses a waiter gone before it ends): once, a right one.
                    long allowedUntilItGaveUp = 3 + gaveUpAfter[i] / TimeUnit.MILLISECONDS.toNanos(10);
                    assertThat(waitsUntilItGaveUp[i]).as("rule 4: %s began to wait %d times in the %d ms it waited "
                            + "before it gave up, while another thread held the lock all along and nobody woke it: "
                            + "a tryLock that waits in slices of a millisecond or so and looks again after each polls "
                            + "(it spins slowly), whatever its timeout; it must wait until the unlock wakes it or its "
                            + "whole time is up", names.get(i), waitsUntilItGaveUp[i], gaveUpAfter[i] / 1_000_000)
                            .isLessThanOrEqualTo(allowedUntilItGaveUp);
                    if (ThreadCpu.measured()) {
                        // A right tryLock that a busy machine kept from running until its time was up may give up
                        // without a wait, but after a look or two: microseconds of CPU, not a millisecond.
                        assertThat(waitsUntilItGaveUp[i] == 0 && cpuUntilItGaveUp[i] > SPIN_CPU_NANOS / 2).as("rule "
                                + "4: %s gave up after %d ms on a lock another thread held all along without ever "
                                + "beginning to wait, after %.2f ms of CPU: it looked again and again its whole "
                                + "timeout (it spun); a waiting thread waits (wait, park) until the unlock wakes it or "
                                + "its time is up, whatever its timeout, a millisecond too", names.get(i),
                                gaveUpAfter[i] / 1_000_000, cpuUntilItGaveUp[i] / 1e6).isFalse();
                        assertThat(cpuUntilItGaveUp[i]).as("rule 4: %s kept its thread busy for %.2f ms of CPU in "
                                + "the %d ms it waited before it gave up, on a lock another thread held all along: "
                                + "a waiting thread waits (wait, park), it does not spin for part of its timeout "
                                + "(a right one uses microseconds)", names.get(i), cpuUntilItGaveUp[i] / 1e6,
                                gaveUpAfter[i] / 1_000_000).isLessThanOrEqualTo(Math.max(SPIN_CPU_NANOS * 2,
                                ways.get(i).nanos() / 10));
                    }
                }
            }
            long bound = Math.max(5, windowMillis / 10);
            for (int i = 0; i < all; i++) {
                // An interrupt may wake a right waiter (its wait throws, or its park returns) once or twice.
                long allowed = i == all - 1 ? bound + 3L * interrupts : bound;
                assertThat(early[i]).as("rule 1: %s returned while another thread held the lock", names.get(i))
                        .isFalse();
                assertThat(after[i] - before[i]).as("rule 4: %s began to wait again %d times in %d ms while "
                        + "another thread held the lock all along and nobody else woke it: a waiter that looks "
                        + "again every millisecond or so polls (it spins slowly)%s; it must wait until the last "
                        + "unlock wakes it (notifyAll, unpark)", names.get(i), after[i] - before[i], windowMillis,
                        i == all - 1 ? ", and a lock() that waits with its interrupt status set spins (park returns "
                        + "at once while it is set: note the interrupt, clear it, wait on, and set it again once "
                        + "you hold the lock)" : "").isLessThanOrEqualTo(allowed);
            }
            if (spinning != null) {
                throw new AssertionError(spinning);
            }
            for (int i = 0; ThreadCpu.measured() && i < all; i++) {
                // A woken waiter looks again (microseconds) and waits on: the interrupted one is woken 1 to 3 times.
                long allowedCpu = SPIN_CPU_NANOS * (i == all - 1 ? 2L + interrupts : 2L);
                assertThat(cpuInWindow[i]).as("rule 4: %s kept its thread busy for %.2f ms of CPU in the %d ms "
                        + "watched, while another thread held the lock all along%s: a waiter woken while the lock "
                        + "is taken looks again and waits on at once; it does not spin (not even yielding) after a "
                        + "wakeup", names.get(i), cpuInWindow[i] / 1e6, windowMillis, i == all - 1 ? " and it was "
                        + "woken only by " + interrupts + " interrupt(s)" : " and nobody woke it")
                        .isLessThanOrEqualTo(allowedCpu);
            }
            assertThat(interruptKept[0]).as("rule 6: lock(), interrupted while it waited, returned with the "
                    + "interrupt status cleared: keep it").isTrue();
        });
    }

    @Test
    @Tag("rule-4")
    @Tag("rule-6")
    @DisplayName("loses no wakeup to an interrupt that comes around the unlock: every waiter not interrupted gets the "
            + "lock, and it is free at the end")
    void losesNoWakeupToAnInterruptAroundTheUnlock(Shapes shapes) throws Exception {
        // The test holds the lock; one or two interruptible waiters (lockInterruptibly(), a tryLock of seconds) and one
        // to three others (lock(), lockInterruptibly(), a tryLock of seconds) begin to wait one after the other, most
        // often the interrupted ones first (a lock that wakes one waiter, as notify() does, wakes the one that waited
        // longest). The test frees the lock and interrupts the interruptible ones, while it holds every monitor of the
        // lock (just after the unlock or just before it, so that no waiter runs on in between) or right after the
        // unlock without them. An interrupted waiter may take the lock or throw; one woken by the unlock that throws
        // must not take the wakeup with it (red team P: lockInterruptibly() looked at the interrupt when wait()
        // returned, before the lock, and the lock() behind it waited for ever on a free lock).
        shapes.check(12, round -> {
            Mutex mutex = new Mutex();
            int interruptedCount = round.between("interrupted waiters", 1, 2);
            int othersCount = round.between("other waiters", 1, 3);
            boolean interruptedFirst = round.chance("the interrupted ones begin to wait first", 0.8);
            String when = round.oneOf("the interrupts come", "just after the unlock", "just before the unlock",
                    "right after the unlock, without the lock's monitors");
            List<String> ways = new ArrayList<>();
            List<Boolean> interruptedOnes = new ArrayList<>();
            for (int i = 0; i < interruptedCount; i++) {
                ways.add(round.oneOf("way of interrupted waiter " + (i + 1), "lockInterruptibly()",
                        "tryLock(" + round.between("seconds, interrupted waiter " + (i + 1), 5, 3_600) + " s)"));
                interruptedOnes.add(true);
            }
            for (int i = 0; i < othersCount; i++) {
                int at = interruptedFirst ? ways.size() : i;
                ways.add(at, round.oneOf("way of other waiter " + (i + 1), "lock()", "lockInterruptibly()",
                        "tryLock(" + round.between("seconds, other waiter " + (i + 1), 5, 3_600) + " s)"));
                interruptedOnes.add(at, false);
            }
            mutex.lock();
            List<Actor> waiters = new ArrayList<>();
            List<Actor> toInterrupt = new ArrayList<>();
            boolean[] threw = new boolean[ways.size()];
            for (int i = 0; i < ways.size(); i++) {
                String way = ways.get(i);
                boolean interruptible = interruptedOnes.get(i);
                int index = i;
                Actor waiter = Actor.start((interruptible ? "interrupted-" : "waiter-") + i, () -> {
                    boolean took;
                    try {
                        took = lockBy(mutex, way);
                    } catch (InterruptedException e) {
                        threw[index] = true;
                        assertThat(mutex.isHeldByCurrentThread()).as("rule 6: %s threw InterruptedException but "
                                + "its thread owns the lock", way).isFalse();
                        assertThat(interruptible).as("rule 6: %s threw InterruptedException although its thread "
                                + "was never interrupted", way).isTrue();
                        return;
                    }
                    assertThat(took).as("rule 5: %s gave up long before its time, on a lock that was freed",
                            way).isTrue();
                    mutex.unlock();
                });
                awaitParked(waiter, "rule 1: " + way + " while another thread holds the lock", 0);
                waiters.add(waiter);
                if (interruptible) {
                    toInterrupt.add(waiter);
                }
            }
            Runnable interrupt = () -> toInterrupt.forEach(waiter -> waiter.thread().interrupt());
            switch (when) {
                case "just after the unlock" -> Wakeups.holdingMonitorsOf(mutex, () -> {
                    mutex.unlock();
                    interrupt.run();
                });
                case "just before the unlock" -> Wakeups.holdingMonitorsOf(mutex, () -> {
                    interrupt.run();
                    mutex.unlock();
                });
                default -> {
                    mutex.unlock();
                    interrupt.run();
                }
            }
            String queue = String.join(", ", ways);
            for (int i = 0; i < waiters.size(); i++) {
                Actor waiter = waiters.get(i);
                if (!interruptedOnes.get(i)) {
                    waiter.mustFinish("rule 4: a wake-up was lost: " + ways.get(i) + " never got the lock. The "
                            + "test held it while [" + queue + "] began to wait in that order, then freed it and "
                            + "interrupted the " + (interruptedCount == 1 ? "first " : "") + "interruptible one"
                            + (interruptedCount == 1 ? "" : "s") + " " + when + ". A waiter woken to a free lock "
                            + "that then throws InterruptedException must pass the wakeup on (or the unlock must "
                            + "wake every waiter): here it took it with it, and the lock stayed free with threads "
                            + "waiting for it");
                }
            }
            for (int i = 0; i < waiters.size(); i++) {
                waiters.get(i).mustFinish("rule 6: " + ways.get(i) + ", interrupted " + when + ", neither threw "
                        + "nor took the lock");
                waiters.get(i).rethrowFailure();
            }
            assertThat(mutex.tryLock(0, TimeUnit.NANOSECONDS)).as("rule 4: every waiter of [%s] returned (and "
                    + "unlocked what it took), interrupts %s, yet the lock is still taken", queue, when).isTrue();
            mutex.unlock();
        });
    }

    @Test
    @Tag("rule-4")
    @DisplayName("waits at once while the lock's owner keeps running, as one computing under the lock does")
    void waitsAtOnceWhileTheOwnerWorks(Shapes shapes) throws Exception {
        // Red team S: adaptive spinning, as Solaris's adaptive mutexes do: a call spins while the owner's thread is
        // RUNNABLE ("it works and will let go soon") and waits once it is not. In every other test the owner is
        // parked while it holds the lock (the test's thread between its looks, a waiter in acquire()), so that spin
        // stopped after microseconds. Here the test's thread keeps running while it holds the lock, and each call is
        // judged, as in waitsAtOnceWithoutSpinningFirst, by the median CPU time until it is seen parked.
        if (!ThreadCpu.measured()) {
            return;
        }
        shapes.check(2, round -> {
            int calls = round.between("calls, the owner running", 6, 7);
            List<String> ways = waysOfCalls(round, calls, ", the owner running");
            // Half the calls find another thread already queued (red team S: "a lock others queue for is hot", a spin
            // only then), half find none; each half is judged by its own median.
            boolean[] queuedFirst = new boolean[calls];
            for (int k : round.shuffled("calls that find another waiter queued", java.util.stream.IntStream
                    .range(0, calls).boxed().toList()).subList(0, calls / 2)) {
                queuedFirst[k] = true;
            }
            Timed timed = timeCalls("waiter-" + round.between("waiter, the owner running", 1, 99), new Mutex(), ways,
                    new long[calls], true, queuedFirst);
            long[] cpu = timed.cpuUntilParked();
            for (boolean queued : new boolean[] {false, true}) {
                long[] group = java.util.stream.IntStream.range(0, calls).filter(k -> queuedFirst[k] == queued)
                        .mapToLong(k -> cpu[k]).toArray();
                long median = median(group);
                StringBuilder seen = new StringBuilder();
                for (int k = 0; k < calls; k++) {
                    seen.append(k == 0 ? "" : ", ").append(ways.get(k)).append(queuedFirst[k] ? " (another queued)"
                            : "").append(String.format(java.util.Locale.ROOT, ": %.2f ms of CPU", cpu[k] / 1e6));
                }
                assertThat(median).as("rule 4: a call that found the lock taken by a thread that keeps running%s kept "
                        + "its own thread busy for %.2f ms of CPU (the median of %d such calls; all calls: %s) before "
                        + "it began to wait: a waiting thread waits (wait, park), whatever the owner is doing and "
                        + "whoever else waits; a spin while the owner runs, or while others queue, is a spin",
                        queued ? ", another thread already queued," : "", median / 1e6, group.length, seen)
                        .isLessThanOrEqualTo(SPIN_CPU_NANOS);
            }
        });
    }

    @Test
    @Tag("rule-4")
    @DisplayName("lets a waiter wait at once: a call that finds the lock taken does not spin before it waits")
    void waitsAtOnceWithoutSpinningFirst(Shapes shapes) throws Exception {
        // A few calls, one after the other, each while the test holds the lock, judged from just before the call until
        // its thread is seen parked (WAITING or TIMED_WAITING): a right lock looks, maybe a few times, and parks after
        // microseconds of work; one that spins first (red team P: Thread.yield() in a loop for up to 50 ms, "adaptive
        // spinning") burns its share of a CPU all that time. Two bounds, each far from a right lock. The median CPU
        // time of the calls (a busy machine delays a thread but does not make it burn more CPU; the first call may
        // load classes). And the quickest call's time until parked: a spin that yields burns little CPU on a busy
        // machine, but takes its whole time at every call, while a right call is delayed by load now and then, not
        // every time. The test looks with short parks, not spinning, to leave the CPU to the waiter.
        if (!ThreadCpu.measured()) {
            return;
        }
        shapes.check(2, round -> {
            int calls = round.between("calls", 5, 7);
            List<String> ways = waysOfCalls(round, calls, "");
            Timed timed = timeCalls("waiter-" + round.between("waiter", 1, 99), new Mutex(), ways, new long[calls]);
            long[] cpu = timed.cpuUntilParked();
            long[] untilParked = timed.untilParked();
            long median = median(cpu);
            long quickest = java.util.Arrays.stream(untilParked).min().orElse(0);
            StringBuilder seen = new StringBuilder();
            for (int k = 0; k < calls; k++) {
                seen.append(k == 0 ? "" : ", ").append(ways.get(k)).append(String.format(java.util.Locale.ROOT,
                        ": %.2f ms of CPU, parked after %.1f ms", cpu[k] / 1e6, untilParked[k] / 1e6));
            }
            assertThat(median).as("rule 4: a call that found the lock taken kept its thread busy for %.2f ms of CPU "
                    + "(the median of %d calls: %s) before it began to wait: a waiting thread waits (wait, park), it "
                    + "does not spin first (a right lock parks after microseconds of work)", median / 1e6, calls, seen)
                    .isLessThanOrEqualTo(SPIN_CPU_NANOS);
            assertThat(quickest).as("rule 4: every one of %d calls that found the lock taken kept running for %d ms "
                    + "or more before it began to wait (%s): a waiting thread waits (wait, park), it does not spin "
                    + "first, not even yielding (a right lock parks after microseconds)", calls,
                    SPIN_WALL_NANOS / 1_000_000, seen).isLessThan(SPIN_WALL_NANOS);
        });
    }

    @Test
    @Tag("rule-4")
    @DisplayName("lets a waiter wait at once also when the lock comes free soon: no spin that pays off")
    void waitsAtOnceWhenTheLockComesFreeSoon(Shapes shapes) throws Exception {
        // Red team Q: a lock that spins (up to 50 ms) before it waits as long as spinning pays off, as HotSpot's
        // monitors do, got past the test above: there the lock stays taken until the waiter is seen parked, so the
        // first spin fails and the lock stops spinning. Here each call's lock is freed a drawn 30 to 45 ms after the
        // call began if the waiter is not seen parked by then: a spin pays off every time, and burns its CPU every
        // time. A right call parks after microseconds, is seen parked, and is woken by the unlock. Judged on a fresh
        // lock by the median CPU time from the call to its return, and by whether any call was seen waiting.
        if (!ThreadCpu.measured()) {
            return;
        }
        shapes.check(2, round -> {
            int calls = round.between("calls, the lock freed soon", 5, 7);
            List<String> ways = waysOfCalls(round, calls, ", the lock freed soon");
            long[] freedAfter = new long[calls];
            for (int k = 0; k < calls; k++) {
                freedAfter[k] = TimeUnit.MILLISECONDS.toNanos(round.between("lock freed after (ms), unless parked, "
                        + "call " + (k + 1), 30, 45));
            }
            Timed timed = timeCalls("waiter-" + round.between("waiter, the lock freed soon", 1, 99), new Mutex(),
                    ways, freedAfter);
            long median = median(timed.cpuUntilReturned());
            StringBuilder seen = new StringBuilder();
            for (int k = 0; k < calls; k++) {
                seen.append(k == 0 ? "" : ", ").append(ways.get(k)).append(String.format(java.util.Locale.ROOT,
                        ": %.2f ms of CPU, %s", timed.cpuUntilReturned()[k] / 1e6, timed.untilParked()[k] < 0
                        ? "never seen waiting before the lock was freed after " + freedAfter[k] / 1_000_000 + " ms"
                        : "seen waiting"));
            }
            // A spin that yields burns little CPU on a busy machine, but is never seen waiting: a right call is seen
            // parked within its 30-45 ms at least once in 5 to 7 calls, however busy the machine (as in the test above).
            assertThat(java.util.Arrays.stream(timed.untilParked()).anyMatch(t -> t >= 0)).as("rule 4: none of %d "
                    + "calls that found the lock taken began to wait in the 30 to 45 ms before the lock was freed "
                    + "(%s): a waiting thread waits (wait, park) until the unlock wakes it; it does not spin first, "
                    + "not even yielding, not even while spinning pays off", calls, seen).isTrue();
            assertThat(median).as("rule 4: a call that found the lock taken, freed within tens of milliseconds, kept "
                    + "its thread busy for %.2f ms of CPU (the median of %d calls: %s): a waiting thread waits (wait, "
                    + "park) until the unlock wakes it; it does not spin first, not even while spinning pays off", median
                    / 1e6, calls, seen).isLessThanOrEqualTo(SPIN_CPU_NANOS);
        });
    }

    @Test
    @Tag("rule-4")
    @DisplayName("sends the waiters another waiter beat to a freed lock back to waiting: they do not spin while it holds")
    void waitersBeatenToTheLockWaitAgain(Shapes shapes) throws Exception {
        // Red team R: a waiter that found, once woken by an unlock, that another waiter had taken the lock first spun
        // from then on until the lock was its own ("the lock is hot"). Every other window here ends at an unlock;
        // here the test frees the lock with 2 to 4 waiters queued, and each waiter that gets it holds it (parked, on
        // the test's word) while the others' CPU time is read over a drawn window: one that waits on uses
        // microseconds, one that spins its share of a CPU. Then that holder lets go, and the next one is watched.
        if (!ThreadCpu.measured()) {
            return;
        }
        shapes.check(2, round -> {
            Mutex mutex = new Mutex();
            int count = round.between("waiters", 2, 4);
            long windowMillis = round.between("each holder holds for (ms)", 30, 60);
            List<String> ways = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ways.add(round.oneOf("way of waiter " + (i + 1), "lock()", "lockInterruptibly()", "tryLock(1 day)"));
            }
            java.util.concurrent.atomic.AtomicInteger holder = new java.util.concurrent.atomic.AtomicInteger(-1);
            java.util.concurrent.Semaphore letGo = new java.util.concurrent.Semaphore(0);
            mutex.lock();
            List<Actor> waiters = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                Actor waiter = Actor.start("waiter-" + i, () -> {
                    assertThat(lockBy(mutex, ways.get(index))).as("rule 5: %s gave up long before its time",
                            ways.get(index)).isTrue();
                    holder.set(index);
                    letGo.acquire();
                    holder.set(-1);
                    mutex.unlock();
                });
                waiter.awaitWaiting("rule 1: " + ways.get(i) + " while another thread holds the lock");
                waiters.add(waiter);
            }
            mutex.unlock();
            for (int handoff = 1; handoff <= count; handoff++) {
                long patience = System.nanoTime() + Actor.PATIENCE.toNanos();
                while (holder.get() < 0 && System.nanoTime() < patience) {
                    LockSupport.parkNanos(LOOK_NANOS);
                }
                int holding = holder.get();
                if (holding < 0) {
                    letGo.release(count);
                    throw new AssertionError("rule 4: the lock was freed with waiters queued (" + ways + "), and none "
                            + "of them took it within " + Actor.PATIENCE.toSeconds() + " s");
                }
                List<Integer> beaten = new ArrayList<>();
                long[] cpuBefore = new long[count];
                long[] waitsBefore = new long[count];
                for (int i = 0; i < count; i++) {
                    if (i != holding && !waiters.get(i).isDone()) {
                        beaten.add(i);
                        cpuBefore[i] = ThreadCpu.of(waiters.get(i).thread());
                        waitsBefore[i] = ThreadWaits.count(waiters.get(i).thread());
                    }
                }
                // Sampled about every millisecond: a beaten waiter that spins is never seen waiting (a spin that yields
                // burns little CPU on a busy machine, but is RUNNABLE all along); one that waits on is seen at once.
                int[] looks = new int[count];
                int[] running = new int[count];
                watch(waiters, beaten, TimeUnit.MILLISECONDS.toNanos(windowMillis), looks, running);
                for (int i : beaten) {
                    if (looks[i] > 0 && running[i] == looks[i] && !waiters.get(i).isDone()) {
                        letGo.release(count);
                        throw new AssertionError("rule 4: " + ways.get(i) + " was RUNNABLE at every look for the "
                                + windowMillis + " ms another waiter (" + ways.get(holding) + ") held the lock it had "
                                + "taken after an unlock (handoff " + handoff + " of " + count + "): a waiter woken while "
                                + "the lock is taken, another thread came first, looks again and waits on; it does not "
                                + "spin until the lock is its own");
                    }
                    // Red team S: a beaten waiter that waits in slices of 2 ms (wait(2), "so as not to sleep through the
                    // next hand-over") burns little CPU and is TIMED_WAITING at most looks, but begins to wait again
                    // after every slice; one that waits on begins once, or twice if it was on its way back.
                    long waitsAfter = ThreadWaits.count(waiters.get(i).thread());
                    long waits = waitsBefore[i] < 0 || waitsAfter < 0 ? 0 : waitsAfter - waitsBefore[i];
                    if (waits > BEATEN_WAITS && !waiters.get(i).isDone()) {
                        letGo.release(count);
                        throw new AssertionError("rule 4: " + ways.get(i) + " began to wait " + waits + " times in the "
                                + windowMillis + " ms another waiter (" + ways.get(holding) + ") held the lock it had "
                                + "taken after an unlock (handoff " + handoff + " of " + count + "): it looks again "
                                + "every few milliseconds, which polls the lock. A waiter woken while the lock is "
                                + "taken, another thread came first, waits on until the next unlock wakes it");
                    }
                    long cpu = ThreadCpu.of(waiters.get(i).thread()) - cpuBefore[i];
                    if (cpu > 2 * SPIN_CPU_NANOS) {
                        letGo.release(count);
                        throw new AssertionError(String.format(java.util.Locale.ROOT, "rule 4: %s kept its thread "
                                + "busy for %.2f ms of CPU in the %d ms another waiter (%s) held the lock it had taken "
                                + "after an unlock (handoff %d of %d): a waiter woken while the lock is taken, "
                                + "another thread came first, looks again and waits on; it does not spin until the "
                                + "lock is its own", ways.get(i), cpu / 1e6, windowMillis, ways.get(holding), handoff,
                                count));
                    }
                }
                letGo.release();
                long gone = System.nanoTime() + Actor.PATIENCE.toNanos();
                while (holder.get() == holding && System.nanoTime() < gone) {
                    LockSupport.parkNanos(LOOK_NANOS);
                }
            }
            for (Actor waiter : waiters) {
                waiter.mustFinish("rule 4: a waiter never got the lock after it was freed");
                waiter.rethrowFailure();
            }
        });
    }

    /** The middle value of {@code values} (the upper one of an even count). */
    private static long median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[values.length / 2];
    }

    /** {@code calls} ways of locking, drawn: lock(), lockInterruptibly(), or a tryLock of 5 s to a day. */
    private static List<String> waysOfCalls(Shapes round, int calls, String which) {
        List<String> ways = new ArrayList<>();
        for (int k = 0; k < calls; k++) {
            ways.add(round.oneOf("way of call " + (k + 1) + which, "lock()", "lockInterruptibly()",
                    "tryLock(" + round.between("seconds, call " + (k + 1) + which, 5, 86_400) + " s)"));
        }
        return ways;
    }

    /**
     * What each call of {@link #timeCalls} cost: its CPU time until seen parked (or until the lock was freed) and
     * until it returned, and its time until seen parked (-1: not seen parked before the lock was freed).
     */
    private record Timed(long[] cpuUntilParked, long[] cpuUntilReturned, long[] untilParked) {
    }

    /**
     * Makes one call per way on one waiter thread, one after the other, each while the test holds the lock: the test
     * frees it once the waiter is seen parked, or {@code freedAfter[k]} after the call began (0: only once parked; a
     * waiter that keeps running fails). The test looks with short parks, not spinning, to leave the CPU to the waiter.
     */
    private static Timed timeCalls(String name, Mutex mutex, List<String> ways, long[] freedAfter)
            throws InterruptedException {
        return timeCalls(name, mutex, ways, freedAfter, false, new boolean[ways.size()]);
    }

    /**
     * As {@link #timeCalls(String, Mutex, List, long[])}; with {@code ownerWorks}, the test's thread keeps running
     * while it holds the lock (RUNNABLE, as an owner computing under it), instead of parking between its looks; with
     * {@code queuedFirst[k]}, another thread already waits for the lock, parked, when call k begins.
     */
    private static Timed timeCalls(String name, Mutex mutex, List<String> ways, long[] freedAfter, boolean ownerWorks,
            boolean[] queuedFirst) throws InterruptedException {
        int calls = ways.size();
        java.util.concurrent.Semaphore go = new java.util.concurrent.Semaphore(0);
        java.util.concurrent.Semaphore done = new java.util.concurrent.Semaphore(0);
        java.util.concurrent.atomic.AtomicInteger calling = new java.util.concurrent.atomic.AtomicInteger();
        long[] cpuAtCall = new long[calls];
        long[] cpuAtReturn = new long[calls];
        long[] startedAt = new long[calls];
        Actor waiter = Actor.start(name, () -> {
            for (int k = 0; k < calls; k++) {
                go.acquire();
                cpuAtCall[k] = ThreadCpu.ofCurrent();
                startedAt[k] = System.nanoTime();
                calling.set(k + 1);
                boolean took = lockBy(mutex, ways.get(k));
                cpuAtReturn[k] = ThreadCpu.ofCurrent();
                assertThat(took).as("rule 5: %s gave up long before its time, on a lock that was freed", ways.get(k))
                        .isTrue();
                mutex.unlock();
                done.release();
            }
        });
        long[] cpuUntilParked = new long[calls];
        long[] untilParked = new long[calls];
        for (int k = 0; k < calls; k++) {
            mutex.lock();
            Actor first = null;
            if (queuedFirst[k]) {
                first = Actor.start(name + "-first-in-line-" + k, () -> {
                    mutex.lock();
                    mutex.unlock();
                });
                awaitParked(first, "rule 1: lock() while another thread holds the lock", 0, ownerWorks);
            }
            go.release();
            long patience = System.nanoTime() + Actor.PATIENCE.toNanos();
            while (calling.get() < k + 1 && !waiter.isDone() && System.nanoTime() < patience) {
                pause(ownerWorks);
            }
            long parkedAt = awaitParked(waiter, "rule 4: " + ways.get(k) + " while another thread holds the lock",
                    freedAfter[k] == 0 ? 0 : startedAt[k] + freedAfter[k], ownerWorks);
            cpuUntilParked[k] = ThreadCpu.of(waiter.thread()) - cpuAtCall[k];
            untilParked[k] = parkedAt < 0 ? -1 : parkedAt - startedAt[k];
            mutex.unlock();
            if (!done.tryAcquire(Actor.PATIENCE.toNanos(), TimeUnit.NANOSECONDS)) {
                waiter.rethrowFailure();
                throw new AssertionError("rule 4: " + ways.get(k) + " never got the lock after it was freed");
            }
            if (first != null) {
                first.mustFinish("rule 4: lock() never got the lock after it was freed");
                first.rethrowFailure();
            }
        }
        waiter.mustFinish("rule 4: the waiter never returned");
        waiter.rethrowFailure();
        long[] cpuUntilReturned = new long[calls];
        for (int k = 0; k < calls; k++) {
            cpuUntilReturned[k] = cpuAtReturn[k] - cpuAtCall[k];
        }
        return new Timed(cpuUntilParked, cpuUntilReturned, untilParked);
    }

    /**
     * The CPU time a call may spend between its start and its wait, in the median of a few calls: a right lock takes
     * a few microseconds (tens with a brief spin, as the JDK's locks do: 3 to 60 µs measured at a load of 14 on 2
     * cores), far below this. A spin that yields burns less than its time on a busy machine: see the next bound.
     */
    private static final long SPIN_CPU_NANOS = TimeUnit.MICROSECONDS.toNanos(1_000);

    /**
     * How long every one of a few calls may take from its start until its thread is seen parked: a right call parks
     * after microseconds, and a busy machine delays one call now and then (26 ms at most seen at a load of 14), never
     * all of them; a call that spins (or yields) 50 ms before it waits takes that long every time.
     */
    private static final long SPIN_WALL_NANOS = TimeUnit.MILLISECONDS.toNanos(40);

    /**
     * Waits until the actor's thread is parked in a wait (WAITING or TIMED_WAITING, not only BLOCKED on the way in),
     * or done, so that the next waiter begins to wait after it; fails with {@code what} when it keeps running. Returns
     * when it was seen parked, or -1 once {@code giveUpAt} (a {@link System#nanoTime} moment; 0: never) has come.
     */
    private static long awaitParked(Actor waiter, String what, long giveUpAt) {
        return awaitParked(waiter, what, giveUpAt, false);
    }

    /** As {@link #awaitParked(Actor, String, long)}; with {@code running}, this thread spins between its looks. */
    private static long awaitParked(Actor waiter, String what, long giveUpAt, boolean running) {
        long deadline = System.nanoTime() + Actor.PATIENCE.toNanos();
        while (!waiter.isDone()) {
            Thread.State state = waiter.thread().getState();
            if (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING) {
                return System.nanoTime();
            }
            if (giveUpAt != 0 && System.nanoTime() - giveUpAt >= 0) {
                return -1;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": the thread '" + waiter.thread().getName() + "' did not wait for "
                        + "the lock but kept running for " + Actor.PATIENCE.toSeconds() + " s (a lock that spins "
                        + "instead of waiting?)");
            }
            pause(running);
        }
        return System.nanoTime();
    }

    /** Waits {@link #LOOK_NANOS} between two looks: parked, or running (spinning, as an owner at work would be). */
    private static void pause(boolean running) {
        if (!running) {
            LockSupport.parkNanos(LOOK_NANOS);
            return;
        }
        long until = System.nanoTime() + LOOK_NANOS;
        while (System.nanoTime() - until < 0) {
            Thread.onSpinWait();
        }
    }

    /** How often {@link #awaitParked} looks: a parked thread is seen soon, without a CPU kept busy looking. */
    private static final long LOOK_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    /**
     * Locks {@code mutex} by {@code way}: "lock()", "lockInterruptibly()", "tryLock(1 day)" (one of {@link #WAYS}) or
     * "tryLock(N s)"; whether it took it.
     */
    private static boolean lockBy(Mutex mutex, String way) throws InterruptedException {
        switch (way) {
            case "lock()" -> mutex.lock();
            case "lockInterruptibly()" -> mutex.lockInterruptibly();
            case "tryLock(1 day)" -> {
                return mutex.tryLock(1, TimeUnit.DAYS);
            }
            default -> {
                long seconds = Long.parseLong(way.substring("tryLock(".length(), way.indexOf(' ')));
                return mutex.tryLock(seconds, TimeUnit.SECONDS);
            }
        }
        return true;
    }

    /**
     * The most times a waiter beaten to the lock may begin to wait while the winner holds it: once as it goes back to
     * waiting, once more for a wakeup on its way there; a waiter that looks again every few milliseconds begins ten
     * times or more in the 30 ms the window lasts at least.
     */
    private static final int BEATEN_WAITS = 4;

    /** How often the window looks at the waiters' states: about every millisecond. */
    private static final long SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** One look at a waiter's state, counted: {@code running} counts the looks that saw it RUNNABLE. */
    private static void look(Actor waiter, int i, int[] looks, int[] running) {
        Thread.State state = waiter.thread().getState();
        if (waiter.isDone() || state == Thread.State.TERMINATED || state == Thread.State.NEW) {
            return;
        }
        looks[i]++;
        if (state == Thread.State.RUNNABLE) {
            running[i]++;
        }
    }

    /** Looks at the waiters {@code which} (indexes) about every millisecond for {@code windowNanos}; see look. */
    private static void watch(List<Actor> waiters, List<Integer> which, long windowNanos, int[] looks,
            int[] running) {
        long start = System.nanoTime();
        while (System.nanoTime() - start < windowNanos) {
            for (int i : which) {
                look(waiters.get(i), i, looks, running);
            }
            LockSupport.parkNanos(SAMPLE_NANOS);
        }
    }

    /**
     * The waiters seen RUNNABLE at more than half the looks of the window are watched again, for up to three more
     * windows as long, while the test still holds the lock; a waiter that is not RUNNABLE at most looks of one of
     * them was only kept from running on by a busy machine. Returns the failure for those RUNNABLE at most looks of
     * every window (they spin), or null.
     */
    private static String stillSpinning(List<Actor> waiters, List<String> names, int[] looks, int[] running,
            long windowMillis) {
        List<Integer> suspects = new ArrayList<>();
        for (int i = 0; i < waiters.size(); i++) {
            if (looks[i] > 0 && 2 * running[i] > looks[i] && !waiters.get(i).isDone()) {
                suspects.add(i);
            }
        }
        java.util.Map<Integer, List<String>> seen = new java.util.HashMap<>();
        for (int window = 1; window <= 3 && !suspects.isEmpty(); window++) {
            int[] again = new int[waiters.size()];
            int[] runningAgain = new int[waiters.size()];
            watch(waiters, suspects, TimeUnit.MILLISECONDS.toNanos(windowMillis), again, runningAgain);
            List<Integer> still = new ArrayList<>();
            for (int i : suspects) {
                if (again[i] > 0 && 2 * runningAgain[i] > again[i] && !waiters.get(i).isDone()) {
                    still.add(i);
                    seen.computeIfAbsent(i, k -> new ArrayList<>()).add(runningAgain[i] + " of " + again[i]);
                }
            }
            suspects = still;
        }
        if (suspects.isEmpty()) {
            return null;
        }
        int i = suspects.get(0);
        return "rule 4: " + names.get(i) + " was RUNNABLE at " + running[i] + " of " + looks[i] + " looks at its "
                + "thread in " + windowMillis + " ms while another thread held the lock all along (and at " + String.join(", ",
                seen.get(i)) + " looks of three more windows as long): a waiting thread waits (WAITING in wait or park), it "
                + "does not spin. A lock() interrupted while it waits must not wait again with its interrupt status "
                + "set (Semaphore.acquire, Condition.await and park return or throw at once while it is set): note "
                + "the interrupt, clear it, wait on uninterruptibly, and set it again once you hold the lock";
    }

    /** A way a watched waiter takes the lock: lock(), lockInterruptibly(), or tryLock with a timeout in a unit. */
    private record Way(String name, long amount, TimeUnit unit) {
        static final Way LOCK = new Way("lock()", 0L, null);
        static final Way LOCK_INTERRUPTIBLY = new Way("lockInterruptibly()", 0L, null);

        boolean timed() {
            return unit != null;
        }

        long nanos() {
            return unit.toNanos(amount);
        }

        @Override
        public String toString() {
            return timed() ? "tryLock(" + amount + ", " + unit + ")" : name;
        }
    }

    /**
     * A tryLock of 150 ms to under ten seconds, in a unit drawn with it: about the window watched or far longer,
     * short enough that a lock which waits differently for "short" timeouts shows it.
     */
    private static Way shortTryLock(Shapes round, String name) {
        long millis = round.chance("a timeout of seconds (else tenths), " + name, 0.5)
                ? round.between("timeout in ms, " + name, 1_000L, 9_900L)
                : round.between("timeout in ms, " + name, 150L, 999L);
        TimeUnit unit = round.oneOf("unit, " + name, TimeUnit.NANOSECONDS, TimeUnit.MICROSECONDS,
                TimeUnit.MILLISECONDS);
        return new Way("tryLock", unit.convert(millis, TimeUnit.MILLISECONDS), unit);
    }

    /**
     * A tryLock of tens of milliseconds, in a unit drawn with it: it times out within the window watched, and is
     * judged by how often it began to wait from its call to its return.
     */
    private static Way briefTryLock(Shapes round, String name) {
        long millis = round.between("timeout in ms, " + name, 30L, 149L);
        TimeUnit unit = round.oneOf("unit, " + name, TimeUnit.NANOSECONDS, TimeUnit.MICROSECONDS,
                TimeUnit.MILLISECONDS);
        return new Way("tryLock", unit.convert(millis, TimeUnit.MILLISECONDS), unit);
    }

    /**
     * A tryLock of 1 to 12 ms, in a unit drawn with it (red team R's spun when its timeout was under 20 ms, red team
     * Q's under 150 ms, and the brief one is drawn from 30 ms up): it times out early in the window watched, and is
     * judged by its waits and CPU time from its call to its return.
     */
    private static Way tinyTryLock(Shapes round, String name) {
        long micros = round.between("timeout in µs, " + name, 1_000L, 12_000L);
        TimeUnit unit = round.oneOf("unit, " + name, TimeUnit.NANOSECONDS, TimeUnit.MICROSECONDS);
        return new Way("tryLock", unit.convert(micros, TimeUnit.MICROSECONDS), unit);
    }

    /** A tryLock of minutes to a day or the longest, in a unit drawn with it. */
    private static Way longTryLock(Shapes round, String name) {
        return round.chance("the longest timeout, " + name, 0.3) ? new Way("tryLock", Long.MAX_VALUE,
                round.oneOf("unit, " + name, TimeUnit.NANOSECONDS, TimeUnit.DAYS))
                : new Way("tryLock", round.between("timeout in minutes, " + name, 1L, 1_440L), TimeUnit.MINUTES);
    }
}

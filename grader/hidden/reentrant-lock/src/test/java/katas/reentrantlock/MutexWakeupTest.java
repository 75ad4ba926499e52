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
    @DisplayName("lets its waiters wait while the lock stays held, also a lock() waiter interrupted meanwhile and a "
            + "tryLock of a few seconds: the unlock wakes them, they neither poll nor spin")
    void letsItsWaitersWaitUntilTheUnlock(Shapes shapes) throws Exception {
        // Two things are watched while the test holds the lock and nobody wakes the waiters.
        // How often the JVM sees each waiter begin to wait (Object.wait, park; ThreadMXBean's waited count): a waiter
        // that nobody wakes begins to wait once, and again only after a wakeup it did not ask for; one that polls (a
        // wait of a millisecond, then a look) begins again every time, hundreds of times a second even on a busy
        // machine. The bound allows a look every 10 ms. A tryLock is watched with a timeout drawn from under a second
        // to under ten seconds (red team N's tryLock polled every millisecond when its timeout was under 10 s, and only
        // a tryLock of a day was watched), and a right one that times out meanwhile is fine: it waited once.
        // The waiters' states, sampled about every millisecond: a waiter is WAITING (or TIMED_WAITING, BLOCKED) at
        // nearly every sample. One more waiter, in lock(), is interrupted a few times: each interrupt may wake it once
        // or twice (a right lock() notes it, clears it and waits on). A lock() that waits with its interrupt status
        // still set returns from every wait at once and spins until the unlock: with park, that shows in the waited
        // count; with a Semaphore or a Condition (their waits throw before they park, so the count stays still: red
        // team N), it shows as RUNNABLE at most samples. A waiter RUNNABLE at more than half the samples is watched
        // for up to three more windows (a busy machine may keep a right waiter from running on for a moment after an
        // interrupt, never for so long) and fails only if it is RUNNABLE at most samples of every one.
        ThreadMXBean jvm = ManagementFactory.getThreadMXBean();
        shapes.check(2, round -> {
            Mutex mutex = new Mutex();
            long windowMillis = round.between("watched for (ms)", 150, 250);
            List<Way> ways = new ArrayList<>(round.shuffled("the first three ways", List.of(Way.LOCK,
                    Way.LOCK_INTERRUPTIBLY, shortTryLock(round, "the first tryLock"))));
            int more = round.between("more waiting threads", 0, 2);
            for (int i = 0; i < more; i++) {
                ways.add(switch (round.between("way of waiter " + (ways.size() + 1), 0, 3)) {
                    case 0 -> Way.LOCK;
                    case 1 -> Way.LOCK_INTERRUPTIBLY;
                    case 2 -> shortTryLock(round, "waiter " + (ways.size() + 1));
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
            for (int i = 0; i < ways.size(); i++) {
                Way way = ways.get(i);
                int index = i;
                names.add(way.toString());
                waiters.add(Actor.start("waiter-" + i, () -> {
                    long begun = System.nanoTime();
                    if (way.timed()) {
                        if (!mutex.tryLock(way.amount(), way.unit())) {
                            gaveUpAfter[index] = System.nanoTime() - begun; // judged below, against its timeout
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
            for (int i = 0; i < all; i++) {
                before[i] = waitedCount(jvm, waiters.get(i).thread());
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
            for (int i = 0; i < all; i++) {
                after[i] = waitedCount(jvm, waiters.get(i).thread());
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
            assertThat(interruptKept[0]).as("rule 6: lock(), interrupted while it waited, returned with the "
                    + "interrupt status cleared: keep it").isTrue();
        });
    }

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
            long start = System.nanoTime();
            long windowNanos = TimeUnit.MILLISECONDS.toNanos(windowMillis);
            while (System.nanoTime() - start < windowNanos) {
                for (int i : suspects) {
                    look(waiters.get(i), i, again, runningAgain);
                }
                LockSupport.parkNanos(SAMPLE_NANOS);
            }
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
     * A tryLock of under a second to under ten seconds, in a unit drawn with it: far longer than the window watched,
     * short enough that a lock which waits differently for "short" timeouts shows it.
     */
    private static Way shortTryLock(Shapes round, String name) {
        long millis = round.chance("a timeout of seconds (else tenths), " + name, 0.5)
                ? round.between("timeout in ms, " + name, 1_000L, 9_900L)
                : round.between("timeout in ms, " + name, 400L, 999L);
        TimeUnit unit = round.oneOf("unit, " + name, TimeUnit.NANOSECONDS, TimeUnit.MICROSECONDS,
                TimeUnit.MILLISECONDS);
        return new Way("tryLock", unit.convert(millis, TimeUnit.MILLISECONDS), unit);
    }

    /** A tryLock of minutes to a day or the longest, in a unit drawn with it. */
    private static Way longTryLock(Shapes round, String name) {
        return round.chance("the longest timeout, " + name, 0.3) ? new Way("tryLock", Long.MAX_VALUE,
                round.oneOf("unit, " + name, TimeUnit.NANOSECONDS, TimeUnit.DAYS))
                : new Way("tryLock", round.between("timeout in minutes, " + name, 1L, 1_440L), TimeUnit.MINUTES);
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

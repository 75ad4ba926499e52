package katas.startinggun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.WakeableLock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The visible tests of the starting gun, one or more per rule of the README. Each gun is built on a
 * {@link WakeableLock}: the test sees which runners wait on the gun's condition, holds the lock to keep runners
 * out while it fires and resets, and wakes waiters early as a spurious wakeup would. No test measures speed.
 */
@DisplayName("StartingGun")
@KataTest
class StartingGunTest {

    @Nested
    @DisplayName("at the fire")
    class AtTheFire {

        @Test
        @Tag("rule-1")
        @DisplayName("lets every runner that waits go, however many wait, with or without a timeout")
        void letsEveryWaitingRunnerGo(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                Track track = new Track(new WakeableLock());
                StartingGun gun = new StartingGun(track.lock());
                List<Runner> runners = Runner.field(round, gun, 2, 8);
                track.mustAllBeWaiting(runners, "before the fire");
                assertThat(gun.isFired()).as("rule 3: isFired() before any fire").isFalse();
                gun.fire();
                track.mustAllGo(runners, "rule 1", "the gun was fired while " + runners.size() + " runners waited");
                assertThat(gun.isFired()).as("rule 2: isFired() after fire()").isTrue();
            });
        }
    }

    @Nested
    @DisplayName("after the fire")
    class AfterTheFire {

        @Test
        @Tag("rule-2")
        @DisplayName("lets a runner that comes after the fire go at once, however often the gun was fired")
        void letsLateRunnersGoAtOnce(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                Track track = new Track(new WakeableLock());
                StartingGun gun = new StartingGun(track.lock());
                int fires = round.between("fire() calls", 2, 4);
                for (int i = 1; i <= fires; i++) {
                    gun.fire();
                    assertThat(gun.isFired()).as("rule 2: isFired() after %d fire() calls (a second fire changes "
                            + "nothing)", i).isTrue();
                }
                List<Runner> runners = new ArrayList<>(Runner.field(round, gun, 2, 4));
                runners.add(Runner.timed("runner-zero-timeout", gun, Duration.ZERO));
                track.mustAllGo(runners, "rule 2", "the gun was fired " + fires + " time(s) before they came, so "
                        + "they must not wait");
                track.mustBeFree("rule 2", "runners came after the fire");
            });
        }

        @Test
        @Tag("rule-2")
        @DisplayName("lets a runner go that was on its way in when the gun fired (no lost wakeup)")
        void letsARunnerOnItsWayInGo(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                Track track = new Track(new WakeableLock());
                StartingGun gun = new StartingGun(track.lock());
                boolean timedFirst = round.chance("the runner with a timeout first", 0.5);
                Duration timeout = Duration.ofSeconds(round.between("timeout in s", 30, 3_600));
                List<Runner> runners = new ArrayList<>();
                track.lock().lock();
                try {
                    // Taken before the runners start, so no runner can have looked at the gun yet.
                    for (boolean timed : List.of(timedFirst, !timedFirst)) {
                        Runner runner = timed ? Runner.timed("runner-late-timed", gun, timeout)
                                : Runner.untimed("runner-late", gun);
                        runners.add(runner);
                        track.mustQueueForLock(runner, "the test holds the gun's lock while a runner calls "
                                + runner.call());
                    }
                    gun.fire();
                } finally {
                    track.lock().unlock();
                }
                track.mustAllGo(runners, "rule 2", "the gun fired while the runners were on their way into "
                        + "awaitStart (they had not taken the lock yet); once one takes the lock it must see the "
                        + "fire instead of waiting for a signal that was already sent (lost wakeup: look at the "
                        + "gun under the lock, before waiting)");
            });
        }
    }

    @Nested
    @DisplayName("reset")
    class Reset {

        @Test
        @Tag("rule-3")
        @DisplayName("makes later runners wait again, never starts a waiting runner, and the gun fires again")
        void makesRunnersWaitAgain(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                Track track = new Track(new WakeableLock());
                StartingGun gun = new StartingGun(track.lock());
                int races = round.between("races on one gun", 2, 4);
                for (int race = 1; race <= races; race++) {
                    if (round.chance("fired before race " + race, 0.5)) {
                        gun.fire();
                    }
                    gun.reset();
                    assertThat(gun.isFired()).as("rule 3: isFired() after reset()").isFalse();
                    List<Runner> runners = Runner.field(round, gun, 2, 4);
                    track.mustAllBeWaiting(runners, "rule 3: race " + race + ", after reset()");
                    int resets = round.between("reset() calls while they wait", 1, 3);
                    for (int i = 0; i < resets; i++) {
                        gun.reset();
                    }
                    for (Runner runner : runners) {
                        track.mustWaitAgain(runner, "rule 3", "reset() was called " + resets + " time(s) while the "
                                + "runners waited for the gun of race " + race);
                    }
                    gun.fire();
                    track.mustAllGo(runners, "rule 1", "race " + race + " on a gun that was reset before: fired "
                            + "while its runners waited");
                }
            });
        }
    }

    @Nested
    @DisplayName("a fire followed at once by a reset")
    class Pulse {

        @Test
        @Tag("rule-4")
        @DisplayName("still lets every runner that waited at the fire go")
        void letsEveryRunnerWaitingAtThePulseGo(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                Track track = new Track(new WakeableLock());
                StartingGun gun = new StartingGun(track.lock());
                List<Runner> runners = Runner.field(round, gun, 2, 6);
                track.mustAllBeWaiting(runners, "before the fire");
                track.lock().lock();
                try {
                    // No runner can take the lock between the two calls: each sees the gun only after the reset.
                    gun.fire();
                    gun.reset();
                } finally {
                    track.lock().unlock();
                }
                track.mustAllGo(runners, "rule 4", "the gun was fired and reset at once while " + runners.size()
                        + " runners waited (no runner could look in between, so the flag alone reads 'not fired'; "
                        + "a runner must also notice that a fire happened since it began to wait)");
                assertThat(gun.isFired()).as("rule 3: isFired() after fire() then reset()").isFalse();
                Runner next = Runner.untimed("runner-after-the-pulse", gun);
                track.mustBeWaiting(next, "rule 3: a runner that comes after fire() then reset()");
                gun.fire();
                track.mustAllGo(List.of(next), "rule 1", "fired again");
            });
        }
    }

    @Nested
    @DisplayName("a spurious wakeup")
    class SpuriousWakeup {

        @Test
        @Tag("rule-5")
        @DisplayName("starts nobody: a runner woken without a fire waits again")
        void startsNobody(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                Track track = new Track(new WakeableLock());
                StartingGun gun = new StartingGun(track.lock());
                List<Runner> runners = Runner.field(round, gun, 2, 6);
                int wakeups = round.between("spurious wakeups", 1, 3);
                for (int i = 1; i <= wakeups; i++) {
                    track.mustAllBeWaiting(runners, "before spurious wakeup " + i);
                    track.lock().wakeEarly();
                    for (Runner runner : runners) {
                        track.mustWaitAgain(runner, "rule 5", "the runners were woken without a fire (a spurious "
                                + "wakeup, which Condition.await allows: wait in a loop that looks at the gun again)");
                    }
                }
                gun.fire();
                track.mustAllGo(runners, "rule 1", "fired after " + wakeups + " spurious wakeup(s)");
            });
        }
    }

    @Nested
    @DisplayName("awaitStart(timeout)")
    class Timeout {

        @Test
        @Tag("rule-6")
        @Tag("rule-5")
        @DisplayName("gives up after its timeout, not before and not much after, however often it is woken")
        void givesUpAfterItsTimeoutHoweverOftenWoken(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                Duration timeout = Duration.ofMillis(round.between("timeout in ms", 250, 500));
                long wakeEveryMicros = round.between("a spurious wakeup every µs", 500, 4_000);
                // A runner that waits its whole timeout again after each wakeup gives up only when the wakeups
                // pause for a whole timeout, which a busy machine can do. Such an attempt proves nothing about it,
                // so it is tried again, and the last attempt is judged whatever happened.
                for (int attempt = 1; ; attempt++) {
                    if (wokenWithoutPause(timeout, wakeEveryMicros) || attempt == ATTEMPTS) {
                        return;
                    }
                }
            });
        }

        private static final int ATTEMPTS = 4;

        /**
         * One runner with {@code awaitStart(timeout)} on a gun never fired, woken spuriously all along; fails when
         * it breaks rule 6. Returns whether the wakeups never paused for half the timeout, so that the runner's
         * giving up says something about how it counts its timeout.
         */
        private static boolean wokenWithoutPause(Duration timeout, long wakeEveryMicros) throws Exception {
            Track track = new Track(new WakeableLock());
            StartingGun gun = new StartingGun(track.lock());
            Runner runner = Runner.timed("runner-in-a-hurry", gun, timeout);
            AtomicLong longestPause = new AtomicLong();
            Thread waker = Thread.ofPlatform().daemon(true).name("spurious-waker").start(() -> {
                long last = System.nanoTime();
                while (!runner.isDone()) {
                    track.lock().wakeEarly();
                    long now = System.nanoTime();
                    longestPause.accumulateAndGet(now - last, Math::max);
                    last = now;
                    LockSupport.parkNanos(wakeEveryMicros * 1_000);
                }
            });
            try {
                // Wall clock only as a generous upper bound: right code ends a few ms after its timeout.
                long slack = 2_500;
                if (!runner.awaitDone(timeout.toMillis() + slack)) {
                    throw new AssertionError("rule 6: " + runner.call() + " was woken (spuriously) every "
                            + wakeEveryMicros + " µs and had not given up " + slack + " ms after its timeout: "
                            + "it " + runner.describeEnding() + " in " + Track.where(runner) + " (the timeout "
                            + "counts from the call; waiting the whole timeout again after each wakeup never "
                            + "ends)");
                }
            } finally {
                waker.interrupt();
                waker.join(Track.PATIENCE_MILLIS);
            }
            assertThat(runner.ending()).as("rule 6: how %s ended when the gun was never fired: %s",
                    runner.call(), runner.describeEnding()).isEqualTo(Runner.Ending.RETURNED);
            assertThat(runner.answer()).as("rule 6: %s when the gun was never fired (woken spuriously every "
                    + "%d µs): it must return false", runner.call(), wakeEveryMicros).isFalse();
            assertThat(runner.took()).as("rule 6: time %s took before giving up (it may give up only once its "
                    + "whole timeout has passed, however often it is woken; mind the unit)", runner.call())
                    .isGreaterThanOrEqualTo(timeout);
            track.mustBeFree("rule 6", "a runner gave up");
            return longestPause.get() < timeout.toNanos() / 2;
        }

        @Test
        @Tag("rule-6")
        @DisplayName("returns true when the gun fires in time")
        void returnsTrueWhenFiredInTime(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                Track track = new Track(new WakeableLock());
                StartingGun gun = new StartingGun(track.lock());
                Duration timeout = Duration.ofMillis(round.between("timeout in ms", 20_000, 600_000));
                Runner runner = Runner.timed("runner-on-time", gun, timeout);
                track.mustBeWaiting(runner, "rule 6: " + runner.call() + " before the fire (mind the unit of the "
                        + "timeout)");
                gun.fire();
                track.mustAllGo(List.of(runner), "rule 6", "the gun fired long before the timeout ran out");
            });
        }

        @Test
        @Tag("rule-6")
        @DisplayName("with a zero or negative timeout answers at once: true if fired, false if not")
        void answersAtOnceWithNoTime(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                Track track = new Track(new WakeableLock());
                StartingGun gun = new StartingGun(track.lock());
                Duration negative = round.oneOf("negative timeout", Duration.ofNanos(-1),
                        Duration.ofMillis(-round.between("negative ms", 1, 100_000)), Duration.ofSeconds(Long.MIN_VALUE));
                boolean fired = round.chance("fired first", 0.5);
                if (fired) {
                    gun.fire();
                }
                for (Duration none : List.of(Duration.ZERO, negative)) {
                    Runner runner = Runner.timed("runner-no-time", gun, none);
                    if (!runner.awaitDone(Track.PATIENCE_MILLIS)) {
                        throw new AssertionError("rule 6: awaitStart(" + none + ") must answer at once, but it "
                                + runner.describeEnding() + " in " + Track.where(runner));
                    }
                    assertThat(runner.ending()).as("rule 6: how awaitStart(%s) ended: %s", none,
                            runner.describeEnding()).isEqualTo(Runner.Ending.RETURNED);
                    assertThat(runner.answer()).as("rule 6: awaitStart(%s) on a gun %s", none, fired ? "fired before"
                            : "never fired").isEqualTo(fired);
                }
            });
        }
    }

    @Nested
    @DisplayName("an interrupt")
    class Interrupt {

        @Test
        @Tag("rule-7")
        @DisplayName("ends the wait with InterruptedException, leaves the lock free and the others waiting")
        void endsTheWaitWithInterruptedException(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                Track track = new Track(new WakeableLock());
                StartingGun gun = new StartingGun(track.lock());
                List<Runner> runners = new ArrayList<>(Runner.field(round, gun, 2, 5));
                track.mustAllBeWaiting(runners, "before the interrupts");
                // One runner of each kind is interrupted, in turn: a mistake in either call must show.
                List<Runner> untimed = runners.stream().filter(r -> !r.isTimed()).toList();
                List<Runner> timed = runners.stream().filter(Runner::isTimed).toList();
                List<Runner> stops = round.shuffled("interrupted", List.of(
                        untimed.get(round.between("interrupted untimed runner", 0, untimed.size() - 1)),
                        timed.get(round.between("interrupted timed runner", 0, timed.size() - 1))));
                for (Runner stopped : stops) {
                    runners.remove(stopped);
                    interruptAndCheck(track, stopped);
                    for (Runner runner : runners) {
                        track.mustWaitAgain(runner, "rule 7", "another runner, " + stopped + ", was interrupted");
                    }
                }
                gun.fire();
                track.mustAllGo(runners, "rule 1", "fired after two runners were interrupted");
            });
        }

        private void interruptAndCheck(Track track, Runner stopped) throws InterruptedException {
            track.lock().lock();
            try {
                stopped.interrupt();
                // It leaves the condition and queues for the lock, which the test holds: from here on, being on
                // the condition again can only mean that it went back to waiting.
                track.mustQueueForLock(stopped, "rule 7: " + stopped + " was interrupted while in " + stopped.call());
            } finally {
                track.lock().unlock();
            }
            long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Track.PATIENCE_MILLIS);
            while (!stopped.isDone()) {
                Set<Thread> waiting = track.waiters();
                if (waiting.contains(stopped.thread()) || System.nanoTime() > giveUp) {
                    throw new AssertionError("rule 7: runner " + stopped + " was interrupted in " + stopped.call()
                            + " and went on waiting for the gun (" + Track.where(stopped) + "): the interrupt was "
                            + "swallowed; let InterruptedException out");
                }
                Track.pause();
            }
            assertThat(stopped.ending()).as("rule 7: how %s ended after an interrupt: %s (an interrupt is not a "
                    + "timeout: throw InterruptedException, do not return)", stopped.call(), stopped.describeEnding())
                    .isEqualTo(Runner.Ending.INTERRUPTED);
            track.mustBeFree("rule 7", "runner " + stopped + " left " + stopped.call() + " with InterruptedException");
        }
    }

    @Nested
    @DisplayName("its lock")
    class TheLock {

        @Test
        @Tag("rule-8")
        @DisplayName("runners wait on a condition of the lock given, and stay there while nothing happens")
        void runnersWaitOnAConditionOfTheLockGiven(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                Track track = new Track(new WakeableLock());
                StartingGun gun = new StartingGun(track.lock());
                List<Runner> runners = Runner.field(round, gun, 2, 4);
                track.mustAllBeWaiting(runners, "rule 8: waiting for the gun");
                long holdMillis = round.between("test holds the lock, ms", 40, 80);
                track.lock().lock();
                try {
                    // Right code stays on the condition, however long this takes; a runner that polls (waits with
                    // a short timeout, or sleeps) leaves the condition meanwhile and cannot come back while the
                    // test holds the lock. The pause only gives a wrong runner time to show.
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(holdMillis));
                    Set<Thread> waiting = Set.copyOf(track.lock().threadsWaitingOnConditions());
                    for (Runner runner : runners) {
                        if (!waiting.contains(runner.thread())) {
                            throw new AssertionError("rule 8: runner " + runner + " left the gun's condition while "
                                    + "nothing happened (no fire, no reset, no wakeup) in " + holdMillis + " ms; "
                                    + "it is " + runner.thread().getState() + " in " + Track.where(runner) + ": "
                                    + "a runner waits until it is signalled, it does not poll");
                        }
                    }
                } finally {
                    track.lock().unlock();
                }
                gun.fire();
                track.mustAllGo(runners, "rule 1", "fired");
            });
        }

        @Test
        @Tag("rule-8")
        @DisplayName("a gun made without a lock works on a lock of its own; a null lock is refused")
        void worksOnALockOfItsOwn(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                StartingGun gun = new StartingGun();
                Runner runner = Runner.untimed("runner-own-lock", gun);
                long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Track.PATIENCE_MILLIS);
                // Parked with or without a timeout: awaitStart() may wait as awaitStart(a huge timeout) does.
                while (runner.thread().getState() != Thread.State.WAITING
                        && runner.thread().getState() != Thread.State.TIMED_WAITING && !runner.isDone()
                        && System.nanoTime() < giveUp) {
                    Track.pause();
                }
                if (runner.isDone()) {
                    throw new AssertionError("rule 3: a new gun is not fired, so awaitStart() on a gun made with "
                            + "new StartingGun() must wait, but " + runner.describeEnding());
                }
                gun.fire();
                if (!runner.awaitDone(Track.PATIENCE_MILLIS) || runner.ending() != Runner.Ending.RETURNED) {
                    throw new AssertionError("rule 1: a gun made with new StartingGun() was fired, but its runner "
                            + runner.describeEnding());
                }
                gun.reset();
                assertThat(gun.isFired()).as("rule 3: isFired() after reset() of a gun of its own").isFalse();
                assertThatThrownBy(() -> new StartingGun((ReentrantLock) null)).as("rule 8: new StartingGun(null)")
                        .isInstanceOf(NullPointerException.class);
            });
        }
    }
}

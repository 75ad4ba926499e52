package katas.startinggun;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import katas.testkit.KataTest;
import katas.testkit.OutlastingLock;
import katas.testkit.Shapes;
import katas.testkit.ThreadEnd;
import katas.testkit.WakeableLock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: the edges of the rules. Timeouts too long to count in nanoseconds, interrupts before the call, runners
 * that time out or are interrupted among others that must go on waiting, long sequences of fires and resets, and
 * pulses of several fires and resets in a row, with timed runners among the waiting ones.
 */
@DisplayName("StartingGun at the edges")
@KataTest
class StartingGunEdgeTest {

    @Test
    @Tag("rule-6")
    @DisplayName("a timeout too long to count in nanoseconds waits like awaitStart() and returns true at the fire")
    void aHugeTimeoutWaitsLikeForever(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Track track = new Track(new WakeableLock());
            StartingGun gun = new StartingGun(track.lock());
            Duration huge = round.chance("the longest of a unit (else centuries)", 0.5) ? theLongest(round,
                    "huge timeout") : Duration.ofDays(round.between("days", 106_752, 1_000_000_000));
            Runner runner = Runner.timed("runner-patient", gun, huge);
            track.mustBeWaiting(runner, "rule 6: awaitStart(" + huge + ") (a timeout longer than Long.MAX_VALUE "
                    + "nanoseconds must not overflow: TimeUnit.NANOSECONDS.convert(Duration) saturates)");
            if (round.chance("woken early first", 0.5)) {
                track.lock().wakeEarly();
                track.mustWaitAgain(runner, "rule 5", "a runner with a huge timeout was woken spuriously");
            }
            track.fire(gun);
            track.mustAllGo(List.of(runner), "rule 6", "the gun fired while a runner waited with a timeout of "
                    + huge);
        });
    }

    @Test
    @Tag("rule-7")
    @DisplayName("a runner interrupted before it calls throws InterruptedException at once on a gun not fired")
    void anInterruptBeforeTheCallThrows(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Track track = new Track(new WakeableLock());
            StartingGun gun = aGunNotFiredNow(track, round);
            Duration timeout = anyLongTimeout(round, "timeout");
            boolean timedFirst = round.chance("the runner with a timeout first", 0.5);
            // Both calls, in either order: a mistake in either must show.
            for (boolean timed : List.of(timedFirst, !timedFirst)) {
                Runner runner = Runner.interruptedFirst("runner-interrupted-early", gun, timed ? timeout : null);
                long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Track.PATIENCE_MILLIS);
                while (!runner.isDone()) {
                    if (track.waiters().contains(runner.thread()) || System.nanoTime() > giveUp) {
                        throw new AssertionError("rule 7: a runner whose thread was interrupted before it called "
                                + runner.call() + " waits for the gun anyway (" + Track.where(runner) + "): the "
                                + "interrupt was swallowed");
                    }
                    Track.pause();
                }
                assertThat(runner.ending()).as("rule 7: %s by an interrupted thread on a gun not fired: %s",
                        runner.call(), runner.describeEnding()).isEqualTo(Runner.Ending.INTERRUPTED);
                track.mustBeFree("rule 7", "an interrupted runner left " + runner.call());
            }
        });
    }

    @Test
    @Tag("rule-7")
    @Tag("rule-6")
    @Tag("rule-1")
    @DisplayName("runners that time out or are interrupted leave the others waiting, and the gun works on")
    void failedWaitsLeaveTheOthersWaiting(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Track track = new Track(new WakeableLock());
            StartingGun gun = new StartingGun(track.lock());
            List<Runner> runners = new ArrayList<>(Runner.field(round, gun, 1, 5));
            track.mustAllBeWaiting(runners, "before the others give up");
            Duration shortTimeout = Duration.of(round.between("short timeout in µs", 300, 60_000), ChronoUnit.MICROS);
            Runner hasty = Runner.timed("runner-hasty", gun, shortTimeout);
            Duration calledOffTimeout = round.chance("the interrupted runner without a timeout", 0.3) ? null
                    : anyLongTimeout(round, "the interrupted runner's timeout");
            Runner interrupted = calledOffTimeout == null ? Runner.untimed("runner-called-off", gun)
                    : Runner.timed("runner-called-off", gun, calledOffTimeout);
            track.mustBeWaiting(interrupted, "before its interrupt");
            interrupted.interrupt();
            for (Runner gaveUp : List.of(hasty, interrupted)) {
                if (!gaveUp.awaitDone(shortTimeout.toMillis() + Track.PATIENCE_MILLIS)) {
                    throw new AssertionError("rule " + (gaveUp == hasty ? "6" : "7") + ": runner " + gaveUp
                            + " should have given up, but " + gaveUp.describeEnding() + " in " + Track.where(gaveUp));
                }
            }
            assertThat(hasty.ending() == Runner.Ending.RETURNED && !hasty.answer()).as("rule 6: %s timed out on a "
                    + "gun never fired: %s", hasty.call(), hasty.describeEnding()).isTrue();
            assertThat(hasty.took()).as("rule 6: time %s took before it gave up on a gun never fired (not before its "
                    + "whole timeout has passed: mind the unit, and no timeout is too short to wait)", hasty.call())
                    .isGreaterThanOrEqualTo(shortTimeout);
            assertThat(interrupted.ending()).as("rule 7: an interrupted runner (an interrupt ends a wait of any length, "
                    + "the longest timeouts too): %s", interrupted.describeEnding())
                    .isEqualTo(Runner.Ending.INTERRUPTED);
            track.mustBeFree("rule 7", "one runner timed out and one was interrupted");
            for (Runner runner : runners) {
                track.mustWaitAgain(runner, "rule 1", "other runners timed out or were interrupted, and the gun "
                        + "was not fired");
            }
            track.fire(gun);
            track.mustAllGo(runners, "rule 1", "fired after other runners had given up");
            track.reset(gun);
            List<Runner> next = Runner.field(round, gun, 1, 3);
            track.mustAllBeWaiting(next, "rule 3: the next race after reset()");
            track.fire(gun);
            track.mustAllGo(next, "rule 1", "the next race on the same gun");
        });
    }

    @Test
    @Tag("rule-2")
    @Tag("rule-3")
    @DisplayName("after any sequence of fires and resets, the last call decides whether runners wait")
    void theLastCallDecides(Shapes shapes) throws Exception {
        shapes.check(4, round -> {
            Track track = new Track(new WakeableLock());
            StartingGun gun = new StartingGun(track.lock());
            int calls = round.between("fire/reset calls", 1, 12);
            List<String> done = new ArrayList<>();
            boolean fired = false;
            for (int i = 0; i < calls; i++) {
                fired = round.random().nextBoolean();
                if (fired) {
                    track.fire(gun);
                } else {
                    track.reset(gun);
                }
                done.add(fired ? "fire" : "reset");
                assertThat(gun.isFired()).as("rule %s: isFired() after %s", fired ? "2" : "3", done)
                        .isEqualTo(fired);
            }
            round.oneOf("calls", List.of(String.join(",", done)));
            Runner runner = round.chance("runner with a timeout", 0.5)
                    ? Runner.timed("runner-next", gun, Duration.ofSeconds(round.between("timeout in s", 30, 600)))
                    : Runner.untimed("runner-next", gun);
            if (fired) {
                track.mustAllGo(List.of(runner), "rule 2", "the calls were " + done + ", so the gun is fired");
            } else {
                track.mustBeWaiting(runner, "rule 3: the calls were " + done + ", so the gun is not fired");
                track.fire(gun);
                track.mustAllGo(List.of(runner), "rule 1", "fired after " + done);
            }
        });
    }

    @Test
    @Tag("rule-4")
    @DisplayName("several fires and resets in a row, while nobody can look, still let every waiting runner go")
    void severalPulsesInARow(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Track track = new Track(new WakeableLock());
            StartingGun gun = new StartingGun(track.lock());
            List<Runner> runners = Runner.field(round, gun, 2, 7);
            track.mustAllBeWaiting(runners, "before the pulses");
            int pulses = round.between("fire+reset pulses", 1, 4);
            boolean extraReset = round.chance("reset before the first fire", 0.5);
            track.lock().lock();
            try {
                if (extraReset) {
                    track.reset(gun);
                }
                for (int i = 0; i < pulses; i++) {
                    track.fire(gun);
                    track.reset(gun);
                }
            } finally {
                track.lock().unlock();
            }
            track.mustAllGo(runners, "rule 4", pulses + " fire()+reset() pulse(s) in a row while "
                    + runners.size() + " runners waited (timed ones must return true: they went)");
            Set<Thread> waiting = track.waiters();
            assertThat(waiting).as("rule 4: threads still waiting after the pulse").isEmpty();
        });
    }

    @Test
    @Tag("rule-5")
    @DisplayName("many spurious wakeups in a row start nobody, however many")
    void manySpuriousWakeupsStartNobody(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            Track track = new Track(new WakeableLock());
            StartingGun gun = new StartingGun(track.lock());
            List<Runner> runners = Runner.field(round, gun, 2, 4);
            int wakeups = round.between("spurious wakeups in a row", 4, 12);
            for (int i = 1; i <= wakeups; i++) {
                track.mustAllBeWaiting(runners, "before spurious wakeup " + i);
                track.lock().wakeEarly();
                for (Runner runner : runners) {
                    track.mustWaitAgain(runner, "rule 5", "the runners were woken without a fire " + i + " times "
                            + "in a row (no number of wakeups is proof of a fire)");
                }
            }
            track.fire(gun);
            track.mustAllGo(runners, "rule 1", "fired after " + wakeups + " spurious wakeups");
        });
    }

    @Test
    @Tag("rule-4")
    @Tag("rule-3")
    @DisplayName("a runner that calls between a pulse and the others' look waits (or times out), and the others go")
    void aCallBetweenThePulseAndTheLook(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            Track track = new Track(new WakeableLock());
            StartingGun gun = new StartingGun(track.lock());
            List<Runner> runners = Runner.field(round, gun, 2, 6);
            track.mustAllBeWaiting(runners, "before the pulse");
            boolean answer;
            track.lock().lock();
            try {
                track.fire(gun);
                track.reset(gun);
                // The test thread holds the lock (reentrant): it comes after the pulse, before the others look.
                answer = track.onTheTestThread("rule 6", "awaitStart(0)", () -> gun.awaitStart(Duration.ZERO));
            } finally {
                track.lock().unlock();
            }
            assertThat(answer).as("rule 3: awaitStart(0) called after fire() and reset(), while the runners waiting "
                    + "at the fire had not yet looked (the pulse belongs to them, not to a later runner)").isFalse();
            track.mustAllGo(runners, "rule 4", "fire()+reset(), then another call of awaitStart before the "
                    + runners.size() + " waiting runners could look (what each runner saw is its own)");
        });
    }

    @Test
    @Tag("rule-4")
    @DisplayName("runners woken for nothing, still queued for the lock at a pulse, all go")
    void aPulseWhileTheRunnersQueueForTheLock(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            Track track = new Track(new WakeableLock());
            StartingGun gun = new StartingGun(track.lock());
            List<Runner> runners = Runner.field(round, gun, 2, 6);
            track.mustAllBeWaiting(runners, "before the wakeup");
            track.lock().lock();
            try {
                track.lock().wakeEarly(); // they leave the condition and queue for the lock the test holds
                track.fire(gun); // nobody is on the condition now, yet all of them were waiting: the fire is theirs
                track.reset(gun);
            } finally {
                track.lock().unlock();
            }
            track.mustAllGo(runners, "rule 4", "woken spuriously, then fire()+reset() before they could look "
                    + "again (a fire counts whether or not anyone is on the condition at that moment)");
        });
    }

    @Test
    @Tag("rule-6")
    @DisplayName("another runner's short timeout does not cut a long one short")
    void anotherRunnersTimeoutIsNotMine(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            Track track = new Track(new WakeableLock());
            StartingGun gun = new StartingGun(track.lock());
            Runner patient = Runner.timed("runner-patient", gun, Duration.ofHours(1));
            track.mustBeWaiting(patient, "rule 6: awaitStart(1 h)");
            Duration shortTimeout = Duration.of(round.between("short timeout in µs", 300, 20_000), ChronoUnit.MICROS);
            Runner hasty = Runner.timed("runner-hasty", gun, shortTimeout);
            if (!hasty.awaitDone(shortTimeout.toMillis() + Track.PATIENCE_MILLIS)) {
                throw new AssertionError("rule 6: " + hasty.call() + " did not give up: " + hasty.describeEnding()
                        + " in " + Track.where(hasty));
            }
            assertThat(hasty.ending() == Runner.Ending.RETURNED && !hasty.answer()).as("rule 6: %s on a gun never "
                    + "fired: %s", hasty.call(), hasty.describeEnding()).isTrue();
            assertThat(hasty.took()).as("rule 6: time %s took before it gave up on a gun never fired (not before its "
                    + "whole timeout has passed: mind the unit, and no timeout is too short to wait)", hasty.call())
                    .isGreaterThanOrEqualTo(shortTimeout);
            track.lock().wakeEarly();
            track.mustWaitAgain(patient, "rule 6", "another runner with " + hasty.call() + " gave up, then a "
                    + "spurious wakeup (each call counts its own timeout)");
            track.fire(gun);
            track.mustAllGo(List.of(patient), "rule 6", "fired while a runner waited with a 1 h timeout");
        });
    }

    @Test
    @Tag("rule-7")
    @DisplayName("an interrupted thread calling awaitStart with a zero or negative timeout gets InterruptedException")
    void anInterruptBeatsAZeroTimeout(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            Track track = new Track(new WakeableLock());
            StartingGun gun = aGunNotFiredNow(track, round);
            for (Duration timeout : List.of(Duration.ZERO, Duration.ofNanos(-1), Duration.ofSeconds(-5))) {
                Thread.currentThread().interrupt();
                Throwable thrown = null;
                try {
                    track.onTheTestThread("rule 7", "awaitStart(" + timeout + ") by an interrupted thread",
                            () -> gun.awaitStart(timeout));
                } catch (InterruptedException e) {
                    thrown = e;
                } finally {
                    Thread.interrupted();
                }
                assertThat(thrown).as("rule 7: awaitStart(%s) by an interrupted thread on a gun not fired", timeout)
                        .isInstanceOf(InterruptedException.class);
            }
        });
    }

    @Test
    @Tag("rule-1")
    @DisplayName("a dozen runners or more all go at the fire")
    void aCrowdAllGoes(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            Track track = new Track(new WakeableLock());
            StartingGun gun = new StartingGun(track.lock());
            List<Runner> runners = Runner.field(round, gun, 12, 16);
            track.mustAllBeWaiting(runners, "before the fire");
            if (round.chance("a pulse instead of a fire", 0.5)) {
                track.lock().lock();
                try {
                    track.fire(gun);
                    track.reset(gun);
                } finally {
                    track.lock().unlock();
                }
            } else {
                track.fire(gun);
            }
            track.mustAllGo(runners, "rule 1", runners.size() + " runners waited at the fire");
        });
    }

    @Test
    @Tag("rule-6")
    @DisplayName("awaitStart(1 ms) gives up in well under a second")
    void aShortTimeoutEndsSoon() throws Exception {
        Track track = new Track(new WakeableLock());
        StartingGun gun = new StartingGun(track.lock());
        long best = Long.MAX_VALUE;
        // Three attempts, the fastest judged: a right call takes about 1 ms, so 900 ms cannot fail it on a busy
        // machine three times in a row; a timeout rounded up to whole seconds takes 1 s every time.
        for (int attempt = 0; attempt < 3 && best >= 900; attempt++) {
            long start = System.nanoTime();
            boolean answer = track.onTheTestThread("rule 6", "awaitStart(1 ms)",
                    () -> gun.awaitStart(Duration.ofMillis(1)));
            best = Math.min(best, (System.nanoTime() - start) / 1_000_000);
            assertThat(answer).as("rule 6: awaitStart(1 ms) on a gun never fired").isFalse();
        }
        assertThat(best).as("rule 6: the fastest of three calls of awaitStart(1 ms), in ms (not much later than "
                + "its timeout: a timeout is not rounded up to whole seconds)").isLessThan(900);
    }

    @Test
    @Tag("rule-6")
    @DisplayName("a short timeout, under a millisecond too, is waited in full before awaitStart says false")
    void aShortTimeoutIsWaitedInFull(Shapes shapes) throws Exception {
        // Lower bounds only, measured around the call on the test's thread: a right call can take longer than its
        // timeout on a busy machine, never shorter. Every call is judged, several times over: a timeout cut to whole
        // milliseconds, or treated as zero when it is short, answers at once in nearly every one of them.
        Track track = new Track(new WakeableLock());
        StartingGun gun = new StartingGun(track.lock());
        Duration drawn = Duration.of(shapes.between("a short timeout in µs", 5_000, 60_000), ChronoUnit.MICROS);
        List<Duration> timeouts = List.of(Duration.of(300, ChronoUnit.MICROS), Duration.of(900, ChronoUnit.MICROS),
                Duration.of(1_500, ChronoUnit.MICROS), drawn);
        for (int round = 1; round <= 3; round++) {
            for (Duration timeout : timeouts) {
                String call = "awaitStart(" + Runner.millis(timeout) + " ms)";
                long start = System.nanoTime();
                boolean answer = track.onTheTestThread("rule 6", call, () -> gun.awaitStart(timeout));
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(answer).as("rule 6: %s on a gun never fired", call).isFalse();
                assertThat(took).as("rule 6: how long %s took on a gun never fired (call %d of it): false only once "
                        + "the whole timeout has passed, however short (mind the unit: a Duration counted in whole "
                        + "milliseconds loses what is below one, and no timeout is too short to wait)", call, round)
                        .isGreaterThanOrEqualTo(timeout);
            }
        }
    }

    @Test
    @Tag("rule-6")
    @Tag("rule-4")
    @DisplayName("a timed runner fired in time goes, even when it gets the lock back after its deadline")
    void firedInTimeButLateForTheLock(Shapes shapes) throws Exception {
        lateForTheLock(shapes, false);
    }

    @Test
    @Tag("rule-6")
    @Tag("rule-4")
    @DisplayName("a timed runner fired and reset in time goes, even when it gets the lock back after its deadline")
    void firedAndResetInTimeButLateForTheLock(Shapes shapes) throws Exception {
        lateForTheLock(shapes, true);
    }

    private static void lateForTheLock(Shapes shapes, boolean pulse) throws Exception {
        // The test holds the lock, fires (and resets, for a pulse), and keeps the lock three timeouts long: the
        // runner was fired in time, but awaitNanos returns (with nothing left) only once it has the lock back. It
        // must look at the gun, and at the fires it missed, before it gives up: after a pulse the flag is down again.
        // An attempt counts only when the test took the lock while the runner still waited (on the condition, or
        // queued for the lock after it); one that had already given up proves nothing and is tried again with a
        // longer timeout.
        Duration timeout = Duration.ofMillis(shapes.between("timeout in ms", 20, 100));
        for (int attempt = 1; attempt <= 6; attempt++, timeout = timeout.multipliedBy(2)) {
            Track track = new Track(new WakeableLock());
            StartingGun gun = new StartingGun(track.lock());
            Runner runner = Runner.timed("runner-late-for-the-lock", gun, timeout);
            track.mustBeWaiting(runner, "rule 6: " + runner.call() + " on a gun not fired");
            boolean staged;
            track.lock().lock();
            try {
                staged = track.lock().threadsWaitingOnConditions().contains(runner.thread())
                        || track.lock().hasQueuedThread(runner.thread());
                track.fire(gun); // in time: the runner has not looked at the gun since its timeout ran out
                if (pulse) {
                    track.reset(gun); // and lowered again before it can look: the fire is still its own
                }
                TimeUnit.NANOSECONDS.sleep(timeout.toNanos() * 3);
            } finally {
                track.lock().unlock();
            }
            if (!runner.awaitDone(Track.PATIENCE_MILLIS)) {
                throw new AssertionError("rule 6: " + runner.call() + ", fired while it waited, did not end within "
                        + Track.PATIENCE_MILLIS / 1000 + " s after the test let go of the lock: it "
                        + runner.describeEnding() + " in " + Track.where(runner));
            }
            if (staged) {
                track.mustAllGo(List.of(runner), "rule 6", "the gun fired" + (pulse ? " and was reset at once" : "")
                        + " while " + runner.call() + " waited, and the runner got the lock back only after its "
                        + "deadline (a timed runner looks at the gun before it gives up" + (pulse ? ", and at the "
                        + "fires it has not seen: the flag alone is down again after a pulse" : "") + ": it was "
                        + "fired in time)");
                return;
            }
        }
    }

    @Test
    @Tag("rule-6")
    @DisplayName("a zero or negative timeout on a fired gun answers true, also while another thread holds the lock")
    void aTimeoutOfZeroWaitsForTheLock(Shapes shapes) throws Exception {
        // The test fires, takes the lock, and lets a runner call with no time. A right runner waits its turn for the
        // lock and then reads the gun (it queues until the test lets go), or reads a volatile flag at once and
        // answers true: both are right. A false, at once or later, is never right for a fired gun (tryLock(), or a
        // tryLock of any length: red team R's tryLock(100 ms) got the lock in time when the test let go as soon as
        // it saw the runner queued). So once the runner is queued the test holds on until it is parked in the lock's
        // queue with no deadline (only the test's unlock ends that wait: it waits its turn), or has ended, or has
        // asked in more short tries than a runner that waits its turn makes (it polls the lock), or a drawn 0.5 to
        // 1 s have passed. The OutlastingLock refuses every timed try while the test holds it, after 50 ms in its
        // queue at most, so a runner that gives the lock a timed chance, of any length, is seen giving up; a right
        // runner parks for good at once and costs nothing.
        Duration negative = Duration.ofMillis(-shapes.between("a negative timeout in ms", 1, 1_000));
        long holdNanos = TimeUnit.MILLISECONDS.toNanos(shapes.between("ms the test holds on while the runner is "
                + "queued with a deadline", 500, 1_000));
        for (Duration none : List.of(Duration.ZERO, Duration.ofNanos(-1), negative)) {
            OutlastingLock held = new OutlastingLock(); // outlasts any timed tryLock, whatever its grace
            Track track = new Track(held);
            StartingGun gun = new StartingGun(track.lock());
            track.fire(gun);
            Runner runner;
            held.holdForGood();
            try {
                runner = Runner.timed("runner-no-time", gun, none);
                long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Track.PATIENCE_MILLIS);
                while (!runner.isDone() && !track.lock().hasQueuedThread(runner.thread())
                        && !held.polled(runner.thread())) {
                    if (System.nanoTime() > giveUp) {
                        throw new AssertionError("rule 6: " + runner.call() + " on a fired gun, while the test held "
                                + "the gun's lock: after " + Track.PATIENCE_MILLIS / 1000 + " s it neither answered "
                                + "nor queued for the lock; it is " + runner.thread().getState() + " in "
                                + Track.where(runner));
                    }
                    Track.pause();
                }
                OutlastingLock.holdUntil(() -> runner.isDone() || held.polled(runner.thread())
                        || held.queuedForGood(runner.thread()), Duration.ofNanos(holdNanos));
                if (runner.isDone() && !(runner.ending() == Runner.Ending.RETURNED && runner.answer())) {
                    throw new AssertionError("rule 6: " + runner.call() + " on a fired gun, while the test held "
                            + "the gun's lock: " + runner.describeEnding() + " without waiting its turn for the "
                            + "lock (its tries for the lock: " + held.triesOf(runner.thread()) + "). No time to wait "
                            + "for the fire is not 'not fired' while another thread has the lock, however long it "
                            + "keeps it: wait your turn for the lock (lockInterruptibly()) and read the gun, or read a "
                            + "volatile flag as for isFired(); tryLock(), or a tryLock of any length, and false is no "
                            + "answer for a fired gun");
                }
            } finally {
                track.lock().unlock();
            }
            if (held.polled(runner.thread())) {
                throw new AssertionError("rule 6: " + runner.call() + " on a fired gun asked for the gun's lock in "
                        + held.shortTries(runner.thread()) + " short tries (" + held.triesOf(runner.thread()) + ") "
                        + "while another thread held it: a loop of short tries polls the lock (rule 8: no polling), "
                        + "and one that stops asking after a while gives up on it; wait your turn with "
                        + "lockInterruptibly()");
            }
            track.mustAllGo(List.of(runner), "rule 6", runner.call() + " on a gun fired before the call, once the test "
                    + "let go of the lock");
        }
    }

    @Test
    @Tag("rule-6")
    @DisplayName("a timed runner on a fired gun answers true, even when another thread keeps the lock past its "
            + "timeout, and waits its turn for the lock without polling it")
    void aFiredGunIsTrueAfterALongWaitForTheLock(Shapes shapes) throws Exception {
        // The test fires, takes the lock, and only then lets a runner call awaitStart(timeout). It keeps the lock
        // well past the runner's timeout (or until the runner has ended: it gave up). Waiting for the lock is not
        // waiting for the fire: the gun was fired before the call, so the answer is true, however late; a true at
        // once (a volatile flag read without the lock) is right too, a false never is. The lock counts the tries the
        // runner makes while the test holds it: a runner that waits its turn queues once (lockInterruptibly(), or
        // tries of a second or more); one that asks in short tries (tryLock(10 ms) in a loop) polls the lock (rule
        // 8), and gives up on it once a grace is over, which no hold of a test can wait out (red team P: a grace of
        // 1 s past the timeout). So the test holds on while the runner asks in short tries, until it has asked more
        // often than a runner that waits its turn ever does.
        Duration timeout = Duration.ofMillis(shapes.between("timeout in ms", 10, 60));
        OutlastingLock held = new OutlastingLock(); // outlasts any timed tryLock, whatever its grace
        Track track = new Track(held);
        StartingGun gun = new StartingGun(track.lock());
        if (shapes.chance("fired, reset and fired again", 0.5)) {
            track.fire(gun);
            track.reset(gun);
        }
        track.fire(gun);
        Runner runner;
        held.holdForGood();
        try {
            runner = Runner.timed("runner-queued-for-the-lock", gun, timeout);
            // A runner that reads a volatile flag answers at once without the lock (judged below: true is right);
            // one that takes the lock queues for it. Either way it must have done one or the other in time.
            long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Track.PATIENCE_MILLIS);
            while (!runner.isDone() && !track.lock().hasQueuedThread(runner.thread()) && !held.polled(runner.thread())) {
                if (System.nanoTime() > giveUp) {
                    throw new AssertionError("rule 6: " + runner.call() + " on a fired gun, while the test held the "
                            + "gun's lock: after " + Track.PATIENCE_MILLIS / 1000 + " s it neither answered nor "
                            + "queued for the lock; it is " + runner.thread().getState() + " in "
                            + Track.where(runner));
                }
                Track.pause();
            }
            // Past the timeout, the test lets go once the runner waits in the lock's queue with no deadline (parked
            // for good), or has asked in no short try; a runner that keeps asking in short tries is held until it has
            // shown it polls (a few tries, some tens of milliseconds), or for the test's patience at most.
            long queued = System.nanoTime();
            long until = queued + timeout.toNanos() * 3 + TimeUnit.MILLISECONDS.toNanos(250);
            giveUp = queued + TimeUnit.MILLISECONDS.toNanos(Track.PATIENCE_MILLIS);
            while (!runner.isDone() && !held.polled(runner.thread()) && System.nanoTime() < giveUp) {
                boolean parkedForGood = held.queuedForGood(runner.thread());
                if (System.nanoTime() >= until && (parkedForGood || held.shortTries(runner.thread()) == 0)) {
                    break;
                }
                Track.pause();
            }
        } finally {
            track.lock().unlock();
        }
        if (held.polled(runner.thread())) {
            throw new AssertionError("rule 6: " + runner.call() + " on a fired gun asked for the gun's lock in "
                    + held.shortTries(runner.thread()) + " short tries (" + held.triesOf(runner.thread()) + ") "
                    + "while another thread held it: a loop of short tries polls the lock (rule 8: no polling), and "
                    + "one that stops asking after a while gives up on it, and answers false for a fired gun (rule 6: "
                    + "the timeout is for the fire, not for the lock); wait your turn with lockInterruptibly()");
        }
        track.mustAllGo(List.of(runner), "rule 6", runner.call() + " on a gun fired before the call, while another "
                + "thread kept the gun's lock past the timeout (the timeout is for the fire, not for the lock: take "
                + "the lock, then look, or read a volatile flag as for isFired(); no tryLock(timeout) that answers "
                + "false for a fired gun)");
    }

    @Test
    @Tag("rule-4")
    @DisplayName("a runner that has taken the lock once in its call goes at a fire and reset before it takes the lock "
            + "again")
    void aRunnerThatTookTheLockOnceIsInTheRace(Shapes shapes) throws Exception {
        // The lock holds the runner just after it first lets go of the lock (if it ever does before it waits), until
        // the test has the lock; then the runner asks for the lock again, and the test fires and resets while it
        // queues. A runner that took the lock once in its call had looked at the gun: it is in this race (rule 4),
        // and the pulse is its own. A runner that waits on the condition at once meets the same pulse there.
        shapes.check(2, round -> {
            WatchedLock lock = new WatchedLock();
            StartingGun gun = aGunNotFiredNow(lock, round);
            lock.holdTheFirstReleaseOfAnotherThread();
            Runner runner = round.chance("runner with a timeout", 0.5)
                    ? Runner.timed("runner-back-for-the-lock", gun, Duration.ofSeconds(round.between("timeout in s",
                            30, 3_600)))
                    : Runner.untimed("runner-back-for-the-lock", gun);
            long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Track.PATIENCE_MILLIS);
            while (!lock.isHoldingAfterRelease() && !lock.threadsWaitingOnConditions().contains(runner.thread())) {
                if (runner.isDone()) {
                    throw new AssertionError("rule 3: " + runner.call() + " on a gun not fired should wait, but "
                            + runner.describeEnding());
                }
                if (System.nanoTime() > giveUp) {
                    throw new AssertionError("rule 8: " + runner.call() + " neither waited on a condition of the lock "
                            + "given nor let go of the lock within " + Track.PATIENCE_MILLIS / 1000 + " s; it is "
                            + runner.thread().getState() + " in " + Track.where(runner));
                }
                Track.pause();
            }
            boolean cameBack = lock.isHoldingAfterRelease();
            lock.lock();
            try {
                lock.resume();
                if (cameBack) {
                    while (!lock.hasQueuedThread(runner.thread())) {
                        if (runner.isDone() || System.nanoTime() > giveUp) {
                            throw new AssertionError("rule 3: " + runner.call() + " took the gun's lock, let go of it, "
                                    + "and then did not ask for it again, on a gun not fired: it "
                                    + runner.describeEnding() + " in " + Track.where(runner));
                        }
                        Track.pause();
                    }
                }
                gun.fire();
                gun.reset();
            } finally {
                lock.unlock();
            }
            mustGo(lock, runner, "rule 4", (cameBack ? runner.call() + " had taken the gun's lock once (" 
                    + lock.takes(runner.thread()) + " takes in all by now), let go of it and queued for it again; "
                    : runner.call() + " waited; ") + "then fire() and reset() (a runner that has taken the lock once "
                    + "in its call is in the race: look at the gun and note the fires in the same hold of the lock "
                    + "as the wait, or with no lock at all before it)");
        });
    }

    @Test
    @Tag("rule-2")
    @DisplayName("a thread that asks isFired() in a tight loop sees the fire")
    void isFiredInATightLoopSeesTheFire(Shapes shapes) throws Exception {
        // The loop runs long enough for the JIT to compile it before the fire. A flag read with neither the lock
        // nor volatile may then be read once and kept in a register: the loop never ends. The spinner is a daemon
        // thread and the wait for it is bounded: the test fails, it does not hang.
        StartingGun gun = new StartingGun(new WakeableLock());
        CountDownLatch looking = new CountDownLatch(1);
        CountDownLatch sawIt = new CountDownLatch(1);
        Thread spinner = Thread.ofPlatform().daemon(true).name("runner-asking-isFired").start(() -> {
            looking.countDown();
            spinUntilFired(gun);
            sawIt.countDown();
        });
        if (!looking.await(Track.PATIENCE_MILLIS, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the spinning thread did not start within " + Track.PATIENCE_MILLIS / 1000
                    + " s (a problem of a busy machine, not of your code)");
        }
        long warmUp = shapes.between("ms the loop runs before the fire", 1_000, 1_500);
        if (spinFor(spinner, warmUp, sawIt)) {
            throw new AssertionError("rule 3: isFired() answered true on a new gun, never fired");
        }
        gun.fire();
        if (!sawIt.await(Track.PATIENCE_MILLIS, TimeUnit.MILLISECONDS)) {
            throw new AssertionError("rule 2: a thread asking isFired() in a loop (" + warmUp + " ms before the fire) "
                    + "still sees false " + Track.PATIENCE_MILLIS / 1000 + " s after fire() returned (it is "
                    + spinner.getState() + "): isFired() reads the flag with neither the lock nor volatile, so the "
                    + "compiled loop may read it once and never again. Read it under the lock, as fire() writes it");
        }
    }

    /**
     * Waits until {@code spinner} has run {@code millis} of CPU time (at most 8 times that on the wall clock), or
     * {@code sawIt} opened; whether it opened. Counted in the spinner's CPU time, not the wall clock's: on a busy
     * machine the loop, and the JIT that compiles it, get a fraction of a core, and a wall-clock warm-up once ended
     * before the loop was compiled, so a flag read without the lock or volatile was still seen (CI, load 7).
     */
    private static boolean spinFor(Thread spinner, long millis, CountDownLatch sawIt) throws InterruptedException {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long start = threads.isThreadCpuTimeSupported() ? threads.getThreadCpuTime(spinner.threadId()) : -1;
        if (start < 0) {
            return sawIt.await(millis, TimeUnit.MILLISECONDS); // no CPU clock here: the wall clock's time, as before
        }
        long wallDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(8 * millis);
        while (System.nanoTime() < wallDeadline) {
            if (sawIt.await(10, TimeUnit.MILLISECONDS)) {
                return true;
            }
            if (threads.getThreadCpuTime(spinner.threadId()) - start >= TimeUnit.MILLISECONDS.toNanos(millis)) {
                return false;
            }
        }
        return sawIt.getCount() == 0;
    }

    /** The spinner's loop: nothing in it but the question. */
    private static void spinUntilFired(StartingGun gun) {
        while (!gun.isFired()) {
            // the loop the JIT compiles
        }
    }

    @Test
    @Tag("rule-6")
    @DisplayName("once its condition says the time is up, awaitStart(timeout) looks at the gun and waits no more")
    void noSecondWaitAfterTheTimeIsUp(Shapes shapes) throws Exception {
        // Recorded, not timed: every timed wait on the gun's condition, with the time it asked for and whether the
        // condition answered that the time was up. After that answer, a right call looks at the gun and says false;
        // a call that waits again (the whole timeout "once more, in case") answers much later than its timeout.
        shapes.check(2, round -> {
            WatchedLock lock = new WatchedLock();
            StartingGun gun = aGunNotFiredNow(lock, round);
            Duration timeout = Duration.of(round.between("timeout in µs", 2_000, 30_000), ChronoUnit.MICROS);
            String call = "awaitStart(" + Runner.millis(timeout) + " ms)";
            boolean answer = gun.awaitStart(timeout);
            assertThat(lock.getHoldCount()).as("rule 7: holds of the gun's lock left by %s", call).isZero();
            assertThat(answer).as("rule 6: %s on a gun not fired", call).isFalse();
            List<WakeableLock.ConditionWait> waits = lock.timedWaits();
            int up = 0;
            while (up < waits.size() && !waits.get(up).timeWasUp()) {
                up++;
            }
            List<WakeableLock.ConditionWait> after = up < waits.size() ? waits.subList(up + 1, waits.size()) : List.of();
            long askedAfter = after.stream().mapToLong(WakeableLock.ConditionWait::askedNanos).map(n -> Math.max(n, 0L))
                    .sum();
            if (askedAfter > timeout.toNanos() / 10) {
                throw new AssertionError("rule 6: " + call + " on a gun not fired waited on: after the condition said "
                        + "its time was up (" + waits.get(up).how() + "), it asked for " + after.stream()
                        .map(WakeableLock.ConditionWait::how).toList() + " more, " + Runner.millis(Duration.ofNanos(
                        askedAfter)) + " ms in all (false once the whole timeout has passed, not much later: when "
                        + "no time is left, look at the gun and answer)");
            }
        });
    }

    @Test
    @Tag("rule-7")
    @DisplayName("a runner interrupted while another thread holds the gun's lock throws at once, without waiting for "
            + "the lock")
    void anInterruptWhileTheLockIsBusyThrowsAtOnce(Shapes shapes) throws Exception {
        // The test holds the gun's lock (the lock is the caller's: its own code may hold it for long) while a runner
        // is interrupted, before its call or while it queues for the lock. lockInterruptibly() lets it out at once;
        // lock() keeps it queued until the test lets go, however long that is.
        shapes.check(2, round -> {
            Track track = new Track(new WakeableLock());
            StartingGun gun = aGunNotFiredNow(track, round);
            boolean timedFirst = round.chance("the runner with a timeout first", 0.5);
            boolean beforeTheCall = round.chance("interrupted before the call (else while it queues)", 0.5);
            Duration timeout = anyLongTimeout(round, "timeout");
            for (boolean timed : List.of(timedFirst, !timedFirst)) {
                Runner runner;
                String how;
                track.lock().lock();
                try {
                    if (beforeTheCall) {
                        runner = Runner.interruptedFirst("runner-interrupted-at-a-busy-lock", gun, timed ? timeout
                                : null);
                        how = "interrupted before it called " + runner.call();
                    } else {
                        runner = timed ? Runner.timed("runner-interrupted-in-the-queue", gun, timeout)
                                : Runner.untimed("runner-interrupted-in-the-queue", gun);
                        track.mustQueueForLock(runner, "rule 7: " + runner.call() + " while the test holds the lock");
                        runner.interrupt();
                        how = "interrupted while " + runner.call() + " queued for the gun's lock";
                    }
                    if (!runner.awaitDone(Track.PATIENCE_MILLIS)) {
                        throw new AssertionError("rule 7: a runner " + how + ", while another thread held the gun's "
                                + "lock, was still in the call " + Track.PATIENCE_MILLIS / 1000 + " s later ("
                                + runner.thread().getState() + " in " + Track.where(runner) + "): an interrupt ends "
                                + "the wait at once, also the wait for the lock (take it with lockInterruptibly(), "
                                + "not lock())");
                    }
                } finally {
                    track.lock().unlock();
                }
                assertThat(runner.ending()).as("rule 7: a runner %s on a gun not fired: %s", how,
                        runner.describeEnding()).isEqualTo(Runner.Ending.INTERRUPTED);
                track.mustBeFree("rule 7", "a runner " + how);
            }
        });
    }

    @Test
    @Tag("rule-7")
    @Tag("rule-6")
    @DisplayName("an interrupt ends a wait of any length: seconds, days, years, centuries, the longest timeouts and "
            + "awaitStart()")
    void anInterruptEndsAWaitOfAnyLength(Shapes shapes) throws Exception {
        // Red team K: a timeout too long to count in nanoseconds waited with awaitUninterruptibly(), and no test
        // interrupted such a runner. Every round, one runner of each size of timeout waits (the longest ones drawn
        // from Long.MAX_VALUE of each unit, Duration's own maximum and centuries, and awaitStart() with none), with
        // one or two runners that are never interrupted; each is interrupted in turn while the test holds the lock,
        // so it must leave the condition and queue for the lock, then throw; the others wait on, and go at the fire.
        shapes.check(2, round -> {
            Track track = new Track(new WakeableLock());
            StartingGun gun = aGunNotFiredNow(track, round);
            List<Runner> stops = new ArrayList<>();
            int lane = round.between("first interrupted lane", 1, 90);
            for (Duration timeout : timeoutsOfEverySize(round)) {
                String name = "runner-interrupted-lane-" + lane++;
                stops.add(timeout == null ? Runner.untimed(name, gun) : Runner.timed(name, gun, timeout));
            }
            List<Runner> waiting = new ArrayList<>(stops);
            List<Runner> stayers = Runner.field(round, gun, 1, 2);
            waiting.addAll(stayers);
            track.mustAllBeWaiting(waiting, "rule 3: before the interrupts, on a gun not fired");
            for (Runner stopped : round.shuffled("order of the interrupts", stops)) {
                waiting.remove(stopped);
                interruptedWhileItWaits(track, stopped);
                for (Runner runner : waiting) {
                    track.mustWaitAgain(runner, "rule 7", "another runner, " + stopped + " in " + stopped.call()
                            + ", was interrupted");
                }
            }
            track.fire(gun);
            track.mustAllGo(stayers, "rule 1", "fired after " + stops.size() + " other runners were interrupted");
        });
    }

    @Test
    @Tag("rule-7")
    @DisplayName("an interrupt ends a short wait too: a timeout of a few milliseconds to under a second")
    void anInterruptEndsAShortWait(Shapes shapes) throws Exception {
        // Red team N: a timeout under a second sat out its rest when interrupted (and answered false, setting the
        // interrupt again), and every interrupt mid-wait was tried with timeouts of seconds or more. A timeout of each
        // size (milliseconds, tens, hundreds) is interrupted once the runner waits on the gun's condition. Judged by
        // the outcome, not a clock: the lock writes down each wait on its condition and how it ended. When the first
        // wait ended without the time being up (nobody signals here, so the interrupt ended it), the runner was
        // interrupted while it waited and must throw InterruptedException. When the time was up first (a busy machine
        // let the runner time out before the interrupt came), the attempt proves nothing: it is tried again with a
        // timeout twice as long.
        shapes.check(3, round -> {
            int size = round.between("size of the timeout (ms, tens of ms, hundreds of ms)", 0, 2);
            long micros = switch (size) {
                case 0 -> round.between("timeout in µs", 1_000, 9_999);
                case 1 -> round.between("timeout in µs", 10_000, 99_999);
                default -> round.between("timeout in µs", 100_000, 999_000);
            };
            Duration timeout = Duration.of(micros, ChronoUnit.MICROS);
            for (int attempt = 1; attempt <= 12; attempt++, timeout = timeout.multipliedBy(2)) {
                WatchedLock lock = new WatchedLock();
                StartingGun gun = aGunNotFiredNow(lock, round);
                int waitsBefore = lock.conditionWaits().size();
                Runner runner = Runner.timed("runner-interrupted-in-a-short-wait", gun, timeout);
                long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Track.PATIENCE_MILLIS);
                while (!runner.isDone() && !lock.threadsWaitingOnConditions().contains(runner.thread())) {
                    if (System.nanoTime() > giveUp) {
                        throw new AssertionError("rule 8: " + runner.call() + " on a gun not fired neither waited on a "
                                + "condition of the lock given nor returned within " + Track.PATIENCE_MILLIS / 1000
                                + " s; it is " + runner.thread().getState() + " in " + Track.where(runner));
                    }
                    Track.pause();
                }
                if (runner.isDone()) {
                    continue; // timed out before the test saw it wait: too short for this machine now, longer next
                }
                runner.interrupt();
                if (!runner.awaitDone(timeout.toMillis() + Track.PATIENCE_MILLIS)) {
                    throw new AssertionError("rule 7: runner " + runner + " was interrupted while it waited in "
                            + runner.call() + " on a gun not fired, and it " + runner.describeEnding() + " in "
                            + Track.where(runner) + " long after: the interrupt was swallowed");
                }
                List<WakeableLock.ConditionWait> waits = lock.conditionWaits();
                WakeableLock.ConditionWait first = waits.size() > waitsBefore ? waits.get(waitsBefore) : null;
                if (first == null || first.timeWasUp()) {
                    continue; // its time was up before the interrupt came: proves nothing, try a longer timeout
                }
                assertThat(runner.ending()).as("rule 7: %s on a gun not fired was interrupted while it waited on the "
                        + "gun's condition (its wait %s ended by the interrupt, before its time was up), and then %s. "
                        + "An interrupt ends a wait of any length, a short one too: let InterruptedException out at "
                        + "once, do not sit out the rest of the timeout nor answer false", runner.call(), first.how(),
                        runner.describeEnding()).isEqualTo(Runner.Ending.INTERRUPTED);
                if (lock.isLocked()) {
                    throw new AssertionError("rule 7: runner " + runner + " left " + runner.call() + " with "
                            + "InterruptedException and the gun's lock still held (" + lock + "): unlock in finally");
                }
                return;
            }
        });
    }

    /**
     * Interrupts a runner that waits on the condition while the test holds the lock: it must leave the condition
     * and queue for the lock (to throw), and once the test lets go, end with InterruptedException, without waiting
     * on the condition again, and leave the lock free.
     */
    private static void interruptedWhileItWaits(Track track, Runner stopped) throws InterruptedException {
        String call = stopped.call();
        track.lock().lock();
        try {
            stopped.interrupt();
            long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Track.PATIENCE_MILLIS);
            while (!track.lock().hasQueuedThread(stopped.thread()) && !stopped.isDone()) {
                if (System.nanoTime() > giveUp) {
                    boolean onTheCondition = track.lock().threadsWaitingOnConditions().contains(stopped.thread());
                    throw new AssertionError("rule 7: runner " + stopped + " was interrupted while it waited in " + call
                            + ", and " + Track.PATIENCE_MILLIS / 1000 + " s later it " + (onTheCondition ? "still "
                            + "waited on the gun's condition" : "had not asked for the gun's lock back") + " ("
                            + stopped.thread().getState() + " in " + Track.where(stopped) + "): an interrupt ends a "
                            + "wait of any length, a timeout too long to count in nanoseconds too (it waits like "
                            + "awaitStart(), with await(), never awaitUninterruptibly())");
                }
                Track.pause();
            }
        } finally {
            track.lock().unlock();
        }
        long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Track.PATIENCE_MILLIS);
        while (!stopped.isDone()) {
            if (track.waiters().contains(stopped.thread()) || System.nanoTime() > giveUp) {
                throw new AssertionError("rule 7: runner " + stopped + " was interrupted in " + call + " and went on "
                        + "waiting for the gun (" + Track.where(stopped) + "): the interrupt was swallowed; let "
                        + "InterruptedException out, whatever the timeout");
            }
            Track.pause();
        }
        assertThat(stopped.ending()).as("rule 7: how %s ended after an interrupt: %s (an interrupt is not a timeout "
                + "nor a fire: throw InterruptedException)", call, stopped.describeEnding())
                .isEqualTo(Runner.Ending.INTERRUPTED);
        track.mustBeFree("rule 7", "runner " + stopped + " left " + call + " with InterruptedException");
    }

    @Test
    @Tag("rule-2")
    @DisplayName("isFired() on a fired gun is true, also while another thread holds the gun's lock, however long")
    void isFiredWhileTheLockIsBusy(Shapes shapes) throws Exception {
        // isFired() may wait its turn for the lock, or read a volatile flag at once; it may not answer "not fired"
        // because the lock is busy: right after a fire, the woken runners take the lock one by one. Red team K's
        // isFired() waited 200 ms for the lock (tryLock with a timeout), then said false. The test keeps the lock
        // until each asker has answered, or is parked in the lock's queue with no deadline (lock(): only the test's
        // unlock can end that wait, so it waits its turn, however long), or a drawn 1 to 2 s have passed: an asker
        // that waits for the lock with a deadline, or spins on tryLock(), is given far longer than any "moment" it
        // allows itself, and must not have answered false meanwhile. Only such an asker costs that time; a right
        // one that retries tryLock(timeout) until it has the lock passes, a second or two later. The lock is an
        // OutlastingLock: while the test holds it, it refuses every timed try after 50 ms in its queue at most, so an
        // asker that waits for the lock with a deadline of any length (red team R: tryLock(5 s)) is seen giving up
        // within the hold, however long its deadline, instead of waiting the hold out.
        shapes.check(2, round -> {
            OutlastingLock outlasting = new OutlastingLock();
            Track track = new Track(outlasting);
            StartingGun gun = new StartingGun(track.lock());
            int pulses = round.between("fire+reset before the last fire", 0, 2);
            for (int i = 0; i < pulses; i++) {
                track.fire(gun);
                track.reset(gun);
            }
            track.fire(gun);
            // Two askers at once: one plain, one whose thread is interrupted before it asks (isFired() has no
            // InterruptedException to throw: an interrupt is no reason to say "not fired" either).
            List<Asker> askers = round.shuffled("order the askers start", List.of(new Asker(gun, false),
                    new Asker(gun, true)));
            long holdNanos = TimeUnit.MILLISECONDS.toNanos(round.between("ms the test keeps the lock from an asker "
                    + "with a deadline", 1_000, 2_000));
            outlasting.holdForGood();
            long start = System.nanoTime();
            try {
                askers.forEach(asker -> asker.thread.start());
                while (!askers.stream().allMatch(asker -> asker.settled(outlasting, start))) {
                    if (System.nanoTime() - start > holdNanos) {
                        for (Asker asker : askers.stream().filter(asker -> asker.held == null).toList()) {
                            asker.held = "the test held the lock " + (System.nanoTime() - start) / 1_000_000 + " ms, "
                                    + "and then let go; it was " + asker.thread.getState() + (track.lock()
                                    .hasQueuedThread(asker.thread) ? ", queued for the lock" : "");
                        }
                        break;
                    }
                    Track.pause();
                }
            } finally {
                track.lock().unlock();
            }
            for (Asker asker : askers) {
                asker.thread.join(Track.PATIENCE_MILLIS);
                assertThat(ThreadEnd.stillRuns(asker.thread)).as("rule 2: isFired() still had not answered %s s "
                        + "after the test let go of the gun's lock", Track.PATIENCE_MILLIS / 1000).isFalse();
                assertThat(asker.answer.get()).as("rule 2: isFired() on a gun fired (after %d fire+reset pulse(s)), "
                        + "asked %swhile another thread held the gun's lock (%s). Once fired and until reset, isFired() "
                        + "is true: wait your turn for the lock (lock(), however long it takes), or read a volatile "
                        + "flag; a busy lock is no answer, neither at once nor after a while, nor is an interrupt",
                        pulses, asker.interruptedFirst ? "by a thread interrupted before it asked, " : "", asker.held)
                        .isEqualTo(true);
            }
        });
    }

    /** A thread that asks isFired() once, and what the test saw of it while it held the gun's lock. */
    private static final class Asker {
        final boolean interruptedFirst;
        final java.util.concurrent.atomic.AtomicReference<Object> answer = new java.util.concurrent.atomic
                .AtomicReference<>();
        final Thread thread;
        volatile String held;

        Asker(StartingGun gun, boolean interruptedFirst) {
            this.interruptedFirst = interruptedFirst;
            this.thread = Thread.ofPlatform().daemon(true).name("display-asking-isFired"
                    + (interruptedFirst ? "-interrupted" : "")).unstarted(() -> {
                        if (interruptedFirst) {
                            Thread.currentThread().interrupt();
                        }
                        try {
                            answer.set(gun.isFired());
                        } catch (Throwable failure) {
                            answer.set(failure);
                        }
                    });
        }

        /**
         * Whether the test may stop holding the lock for this asker: it answered (with the lock held by the test, only
         * a volatile read can), or it is parked in the lock's queue with no deadline, which only an unlock can end.
         */
        boolean settled(OutlastingLock lock, long start) {
            if (held != null) {
                return true;
            }
            if (answer.get() != null) {
                held = "it answered while the test still held the lock, " + (System.nanoTime() - start) / 1_000_000
                        + " ms after it began";
            } else if (lock.queuedForGood(thread)) {
                held = "it waited its turn for the lock";
            }
            return held != null;
        }

        @Override
        public String toString() {
            return interruptedFirst ? "the interrupted asker" : "the asker";
        }
    }

    @Test
    @Tag("rule-3")
    @Tag("rule-5")
    @Tag("rule-6")
    @DisplayName("a fire of one gun starts nobody on another gun")
    void anotherGunsFireIsNotMine(Shapes shapes) throws Exception {
        // Two guns, each on a lock of its own (or both on one lock): every piece of a gun's state is its own. Runners
        // on gun B are woken for nothing after gun A fired; they must wait again, and a timed one must not answer
        // true at its timeout because gun A fired.
        shapes.check(2, round -> {
            boolean oneLock = round.chance("both guns on one lock", 0.3);
            Track trackA = new Track(new WakeableLock());
            Track trackB = oneLock ? trackA : new Track(new WakeableLock());
            StartingGun gunA = new StartingGun(trackA.lock());
            StartingGun gunB = new StartingGun(trackB.lock());
            if (round.chance("gun B fired and reset first", 0.5)) {
                trackB.fire(gunB);
                trackB.reset(gunB);
            }
            List<Runner> onA = Runner.field(round, gunA, 1, 3);
            List<Runner> onB = Runner.field(round, gunB, 1, 3);
            List<Runner> all = new ArrayList<>(onA);
            all.addAll(onB);
            trackA.mustAllBeWaiting(onA, "runners on gun A, before gun A fires");
            trackB.mustAllBeWaiting(onB, "runners on gun B, before gun A fires");
            Duration shortTimeout = Duration.ofMillis(round.between("gun B's short timeout in ms", 40, 120));
            Runner hasty = Runner.timed("runner-hasty-on-gun-B", gunB, shortTimeout);
            int fires = round.between("fires of gun A", 1, 3);
            boolean pulse = round.chance("gun A reset after each fire", 0.5);
            for (int i = 0; i < fires; i++) {
                trackA.fire(gunA);
                if (pulse) {
                    trackA.reset(gunA);
                }
            }
            String what = fires + " fire(s) of gun A" + (pulse ? ", each reset at once" : "");
            trackA.mustAllGo(onA, "rule 1", what + " while its runners waited");
            assertThat(gunB.isFired()).as("rule 3: gunB.isFired() after %s; gun B was never fired", what).isFalse();
            assertThat(gunA.isFired()).as("rule 2: gunA.isFired() after %s", what).isEqualTo(!pulse);
            trackB.lock().wakeEarly();
            for (Runner runner : onB) {
                trackB.mustWaitAgain(runner, "rule 5", what + ", then the runners of gun B were woken for nothing "
                        + "(each gun's fires are its own: no static field)");
            }
            if (!hasty.awaitDone(shortTimeout.toMillis() + Track.PATIENCE_MILLIS)) {
                throw new AssertionError("rule 6: " + hasty.call() + " on gun B did not give up: "
                        + hasty.describeEnding() + " in " + Track.where(hasty));
            }
            assertThat(hasty.ending() == Runner.Ending.RETURNED && !hasty.answer()).as("rule 6: %s on gun B, never "
                    + "fired, while %s: %s (false once the whole timeout has passed: another gun's fire is not this "
                    + "gun's)", hasty.call(), what, hasty.describeEnding()).isTrue();
            trackB.fire(gunB);
            trackB.mustAllGo(onB, "rule 1", "gun B fired after " + what);
        });
    }

    /** After a fire: the runner returns (true, if timed); fails at once if it waits on the condition again. */
    private static void mustGo(WatchedLock lock, Runner runner, String rule, String situation) throws Exception {
        long giveUp = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Track.PATIENCE_MILLIS);
        while (!runner.isDone()) {
            if (lock.threadsWaitingOnConditions().contains(runner.thread()) && !runner.isDone()) {
                throw new AssertionError(rule + ": " + situation + ", but runner " + runner + " waits on the gun's "
                        + "condition again and nothing will ever wake it (stranded: it missed the fire)");
            }
            if (System.nanoTime() > giveUp) {
                throw new AssertionError(rule + ": " + situation + ", but after " + Track.PATIENCE_MILLIS / 1000
                        + " s runner " + runner + " " + runner.describeEnding() + " in " + Track.where(runner));
            }
            Track.pause();
        }
        if (runner.ending() != Runner.Ending.RETURNED || !runner.answer()) {
            throw new AssertionError(rule + ": " + situation + ", so runner " + runner + " must go ("
                    + (runner.isTimed() ? "return true" : "return") + "), but " + runner.describeEnding());
        }
    }

    /**
     * The longest timeouts a Duration holds, one drawn: Long.MAX_VALUE of each unit it can hold that many of
     * (nanoseconds, microseconds, milliseconds, seconds), the most minutes, hours and days it holds, and its own
     * maximum (ChronoUnit.FOREVER). Every one is too long to count in nanoseconds, or just fits (Long.MAX_VALUE ns).
     */
    static Duration theLongest(Shapes round, String name) {
        return round.oneOf(name, Duration.ofNanos(Long.MAX_VALUE), Duration.of(Long.MAX_VALUE, ChronoUnit.MICROS),
                Duration.ofMillis(Long.MAX_VALUE), Duration.ofSeconds(Long.MAX_VALUE),
                Duration.ofMinutes(Long.MAX_VALUE / 60), Duration.ofHours(Long.MAX_VALUE / 3_600),
                Duration.ofDays(Long.MAX_VALUE / 86_400), ChronoUnit.FOREVER.getDuration());
    }

    /**
     * A timeout far longer than any test runs, of a drawn size: seconds, hours to days, years (under the 292 that
     * nanoseconds can count), centuries beyond them, or one of {@link #theLongest}. An interrupt or a fire must
     * end a wait of any of them.
     */
    static Duration anyLongTimeout(Shapes round, String name) {
        return switch (round.between(name + ": size (seconds, days, years, centuries, the longest)", 0, 4)) {
            case 0 -> Duration.ofSeconds(round.between(name + " in s", 1, 3_600));
            case 1 -> Duration.ofMinutes(round.between(name + " in min", 61, 60 * 24 * 365));
            case 2 -> Duration.ofDays(round.between(name + " in days", 366, 106_000));
            case 3 -> Duration.ofDays(round.between(name + " in days", 106_752, 1_000_000_000));
            default -> theLongest(round, name);
        };
    }

    /** One timeout of each size of {@link #anyLongTimeout}, and null for awaitStart() with none. */
    static List<Duration> timeoutsOfEverySize(Shapes round) {
        return java.util.Arrays.asList(null, Duration.ofSeconds(round.between("timeout in s", 1, 3_600)),
                Duration.ofMinutes(round.between("timeout in min", 61, 60 * 24 * 365)),
                Duration.ofDays(round.between("timeout in days, under 292 years", 366, 106_000)),
                Duration.ofDays(round.between("timeout in days, beyond 292 years", 106_752, 1_000_000_000)),
                theLongest(round, "the longest timeout"));
    }

    /** A gun on the track's lock that is not fired now: new, or (drawn) fired and reset by the track first. */
    private static StartingGun aGunNotFiredNow(Track track, Shapes round) throws Exception {
        StartingGun gun = new StartingGun(track.lock());
        if (round.chance("fired and reset first", 0.5)) {
            track.fire(gun);
            track.reset(gun);
        }
        return gun;
    }

    /** A gun on {@code lock} that is not fired now: new, or (drawn) fired and reset before the test begins. */
    private static StartingGun aGunNotFiredNow(WatchedLock lock, Shapes round) {
        StartingGun gun = new StartingGun(lock);
        if (round.chance("fired and reset first", 0.5)) {
            gun.fire();
            gun.reset();
        }
        return gun;
    }
}

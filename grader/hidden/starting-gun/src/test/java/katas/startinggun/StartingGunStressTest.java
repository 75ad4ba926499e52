package katas.startinggun;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.WakeableLock;
import katas.testkit.Watch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: races run over and over on one gun while noise threads call {@code reset()}, {@code isFired()} and wake
 * the waiters spuriously, all at once. Watched while it runs: no runner goes before the race's fire. At the end of
 * each race, every runner that waited at the fire has gone, whatever reset raced with the fire.
 */
@DisplayName("StartingGun under noise")
@KataTest
class StartingGunStressTest {

    @Test
    @Tag("rule-1")
    @Tag("rule-4")
    @Tag("rule-5")
    @DisplayName("runners that wait at a fire all go while resets, looks and spurious wakeups race with it")
    void everyRunnerGoesWhileNoiseRacesTheFire(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            Track track = new Track(new WakeableLock(round.chance("fair lock", 0.5)));
            StartingGun gun = new StartingGun(track.lock());
            int races = round.between("races", 3, 8);
            int noisy = round.between("noise threads", 1, 3);
            AtomicReference<Race> current = new AtomicReference<>(new Race(0, List.of(), false));
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> noise = new ArrayList<>();
            for (int n = 0; n < noisy; n++) {
                Random random = round.random();
                noise.add(Thread.ofPlatform().daemon(true).name("noise-" + n).start(() -> {
                    while (!stop.get()) {
                        switch (random.nextInt(3)) {
                            case 0 -> gun.reset();
                            case 1 -> gun.isFired();
                            default -> track.lock().wakeEarly();
                        }
                        Thread.yield();
                    }
                }));
            }
            try (Watch watch = Watch.of("rule 5: no runner goes before the race's fire", () -> goneEarly(current))) {
                for (int race = 1; race <= races; race++) {
                    gun.reset();
                    List<Runner> runners = Runner.field(round, gun, 2, 8);
                    current.set(new Race(race, runners, false));
                    track.mustAllBeWaiting(runners, "rule 5: race " + race + " before its fire, with noise");
                    current.set(new Race(race, runners, true));
                    gun.fire();
                    // A noise thread may reset the gun right after this fire: the runners went all the same.
                    track.mustAllGo(runners, "rule 4", "race " + race + ": fired while " + runners.size()
                            + " runners waited and " + noisy + " threads reset the gun and woke its waiters");
                }
            } finally {
                stop.set(true);
                for (Thread thread : noise) {
                    thread.join(Track.PATIENCE_MILLIS);
                }
            }
        });
    }

    /** One race: its runners, and whether the test has begun to fire (set before it calls fire()). */
    private record Race(int number, List<Runner> runners, boolean fired) {
    }

    /**
     * Null while all is well. A runner seen done, with the same race read before and after that look and not yet
     * fired, returned before the fire: the state is read again after the look so that a fire in between never
     * counts against right code.
     */
    private static String goneEarly(AtomicReference<Race> current) {
        Race before = current.get();
        List<Runner> gone = before.runners().stream().filter(Runner::isDone).toList();
        Race after = current.get();
        if (gone.isEmpty() || after != before || after.fired()) {
            return null;
        }
        return "in race " + before.number() + ", " + gone.size() + " runner(s) " + Track.names(gone) + " returned "
                + "from awaitStart before the gun was fired (" + gone.get(0).describeEnding() + "): a reset or a "
                + "spurious wakeup started them";
    }
}

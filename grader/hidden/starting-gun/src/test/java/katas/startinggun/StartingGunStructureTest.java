package katas.startinggun;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import katas.testkit.KataTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden, structure part: the gun is built from the lock it is given and a condition of that lock. A ready-made
 * synchronizer used beside the condition (a latch released by fire(), a semaphore) or a sleep somewhere on a path
 * no test takes passes every run, so the rule reads the compiled classes where StartingGun was loaded from (the
 * learner's code, not the tests). Scored on a gun that works: while fire() still throws "TODO", it fails.
 */
@Tag("structure")
@DisplayName("StartingGun's structure")
@KataTest
class StartingGunStructureTest {

    private static final List<String> READY_MADE = List.of("java.util.concurrent.CountDownLatch",
            "java.util.concurrent.CyclicBarrier", "java.util.concurrent.Phaser", "java.util.concurrent.Semaphore",
            "java.util.concurrent.Exchanger", "java.util.concurrent.CompletableFuture",
            "java.util.concurrent.FutureTask", "java.util.concurrent.BlockingQueue",
            "java.util.concurrent.SynchronousQueue", "java.util.concurrent.locks.LockSupport",
            "java.util.concurrent.locks.StampedLock", "java.util.concurrent.locks.ReentrantReadWriteLock",
            "java.util.concurrent.locks.AbstractQueuedSynchronizer");
    private static JavaClasses learnerClasses;

    @BeforeAll
    static void importTheLearnersClasses() throws URISyntaxException {
        Path root = Path.of(StartingGun.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ArchConfiguration configuration = ArchConfiguration.get();
        boolean resolving = configuration.resolveMissingDependenciesFromClassPath();
        configuration.setResolveMissingDependenciesFromClassPath(false);
        try {
            learnerClasses = new ClassFileImporter().importLocations(List.of(Location.of(root)));
        } finally {
            configuration.setResolveMissingDependenciesFromClassPath(resolving);
        }
    }

    /** Empty when a gun on a lock of its own fires, answers and resets; otherwise why not. */
    private static String whyNotWorking() {
        try {
            StartingGun gun = new StartingGun();
            gun.fire();
            boolean fired = gun.awaitStart(Duration.ZERO);
            gun.reset();
            boolean afterReset = gun.awaitStart(Duration.ZERO);
            return fired && !afterReset && !gun.isFired() ? ""
                    : "awaitStart(0) answered " + fired + " after fire() and " + afterReset + " after reset()";
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return "interrupted";
        } catch (RuntimeException | Error broken) {
            return String.valueOf(broken);
        }
    }

    private static void requireAWorkingGun() {
        List<String> names = learnerClasses.stream().map(JavaClass::getName).toList();
        if (!names.contains(StartingGun.class.getName()) || names.stream().anyMatch(n -> n.endsWith("Test"))) {
            throw new IllegalStateException("the structure rule should read the compiled StartingGun and no test "
                    + "class, but read " + names + " (a problem of the grading set-up, not of your code)");
        }
        String notWorking = whyNotWorking();
        if (!notWorking.isEmpty()) {
            throw new AssertionError("structure rules are scored on a gun that works, and this one does not yet: "
                    + notWorking);
        }
    }

    @Test
    @Tag("rule-9")
    @DisplayName("uses no ready-made synchronizer: only the lock given and its condition")
    void usesNoReadyMadeSynchronizer() {
        requireAWorkingGun();
        noClasses().should().dependOnClassesThat().haveFullyQualifiedName(READY_MADE.get(0))
                .orShould().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                        "are ready-made synchronizers " + READY_MADE, (JavaClass c) -> READY_MADE.contains(c.getName())))
                .because("rule 9: the gun is built from the lock it is given and a condition of that lock; a "
                        + "latch or semaphore beside it does the waiting the kata is about")
                .check(learnerClasses);
    }

    @Test
    @Tag("rule-9")
    @DisplayName("never sleeps, spins or waits on a monitor")
    void neverSleepsSpinsOrWaitsOnAMonitor() {
        requireAWorkingGun();
        noClasses().should().callMethod(Thread.class, "sleep", long.class)
                .orShould().callMethod(Thread.class, "sleep", long.class, int.class)
                .orShould().callMethod(Thread.class, "sleep", Duration.class)
                .orShould().callMethod(Thread.class, "onSpinWait")
                .orShould().callMethod(Thread.class, "yield")
                .orShould().callMethod(java.util.concurrent.TimeUnit.class, "sleep", long.class)
                .orShould().callMethod(Object.class, "wait")
                .orShould().callMethod(Object.class, "wait", long.class)
                .orShould().callMethod(Object.class, "notify")
                .orShould().callMethod(Object.class, "notifyAll")
                .because("rule 9: a runner waits on the gun's condition until it is signalled: a sleep or a spin "
                        + "polls, and a monitor's wait is not the lock's condition")
                .check(learnerClasses);
    }
}

package katas.startinggun;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import katas.testkit.KataTest;
import katas.testkit.OwnThreads;
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
            "java.util.concurrent.locks.AbstractQueuedSynchronizer",
            "java.util.concurrent.locks.AbstractQueuedLongSynchronizer", "java.util.concurrent.Future");
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

    /**
     * The JDK class named, when it is one of the ready-made synchronizers or a subtype of one (a
     * {@code LinkedBlockingQueue} is a {@code BlockingQueue}). Read through the class loader: the import does not
     * resolve the JDK's classes, so their supertypes are unknown to it.
     */
    private static boolean isReadyMade(JavaClass type) {
        Class<?> loaded = load(type.getName());
        return loaded == null ? READY_MADE.contains(type.getName())
                : READY_MADE.stream().map(StartingGunStructureTest::load)
                        .anyMatch(readyMade -> readyMade != null && readyMade.isAssignableFrom(loaded));
    }

    /** Whether the class named is java.lang.Thread or extends it (a learner's {@code Nap extends Thread} too). */
    private static boolean isAThread(JavaClass type) {
        Class<?> loaded = load(type.getName());
        return loaded != null && Thread.class.isAssignableFrom(loaded);
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, false, StartingGun.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError notThere) {
            return null;
        }
    }

    /** A call that sleeps, spins, polls with a timed wait, or waits on or wakes a monitor, whoever owns it. */
    private static String whyPolling(JavaMethodCall call) {
        String name = call.getName();
        JavaClass owner = call.getTargetOwner();
        List<String> parameters = call.getTarget().getRawParameterTypes().stream().map(JavaClass::getName).toList();
        if (isAThread(owner) && List.of("sleep", "yield", "onSpinWait", "join").contains(name)) {
            // Thread.sleep, also reached through a class that extends Thread (Nap.sleep(1) is Thread.sleep(1)).
            return "Thread." + name;
        }
        if (owner.getName().equals(java.util.concurrent.TimeUnit.class.getName())
                && List.of("sleep", "timedWait", "timedJoin").contains(name)) {
            return "TimeUnit." + name;
        }
        boolean monitor = switch (name) {
            case "wait" -> parameters.isEmpty() || parameters.equals(List.of("long"))
                    || parameters.equals(List.of("long", "int"));
            case "notify", "notifyAll" -> parameters.isEmpty();
            default -> false;
        };
        // wait/notify are Object's and final: on any owner (this.wait(1, 0) names the learner's class) they are it.
        return monitor ? "Object." + name : "";
    }

    @Test
    @Tag("rule-9")
    @DisplayName("uses no ready-made synchronizer: only the lock given and its condition")
    void usesNoReadyMadeSynchronizer() {
        requireAWorkingGun();
        noClasses().should().dependOnClassesThat(DescribedPredicate.describe("are ready-made synchronizers, or "
                + "extend or implement one of " + READY_MADE, StartingGunStructureTest::isReadyMade))
                .because("rule 9: the gun is built from the lock it is given and a condition of that lock; a "
                        + "latch, a queue or a semaphore beside it does the waiting the kata is about")
                .check(learnerClasses);
    }

    @Test
    @Tag("rule-9")
    @DisplayName("never sleeps, spins or waits on a monitor")
    void neverSleepsSpinsOrWaitsOnAMonitor() {
        requireAWorkingGun();
        noClasses().should().callMethodWhere(DescribedPredicate.describe("sleep, yield, onSpinWait or join a thread "
                + "(on Thread or a class that extends it), TimeUnit's sleep, timedWait or timedJoin, or Object's wait, "
                + "notify or notifyAll", (JavaMethodCall call) -> !whyPolling(call).isEmpty()))
                .because("rule 9: a runner waits on the gun's condition until it is signalled: a sleep or a spin "
                        + "polls, a timed wait on a monitor polls too, and a monitor's wait is not the lock's "
                        + "condition")
                .check(learnerClasses);
    }

    @Test
    @Tag("rule-9")
    @DisplayName("starts no thread of its own and hands no work to another: every call runs on its caller's thread")
    void everyCallRunsOnItsCallersThread() {
        // Red team S: a watchdog thread that interrupted a caller queued for a busy lock 200 ms on, and the call
        // answered "not fired". That caller's state is the right one (WAITING in the lock's queue): see OwnThreads.
        requireAWorkingGun();
        OwnThreads own = new OwnThreads(StartingGun.class);
        noClasses().should().dependOnClassesThat(DescribedPredicate.describe("run work on another thread, schedule "
                        + "it or reflect (" + OwnThreads.RUNS_ELSEWHERE + ", or a subtype)",
                        (JavaClass type) -> own.runsElsewhere(type.getName())))
                .orShould().callConstructorWhere(DescribedPredicate.describe("build a thread",
                        (JavaConstructorCall call) -> own.buildsAThread(call.getTargetOwner().getName())))
                .orShould().callMethodWhere(DescribedPredicate.describe("start a thread, run a parallel stream or "
                        + "look a member up by name",
                        (JavaMethodCall call) -> own.startsOrLooksUp(call.getTargetOwner().getName(), call.getName())))
                .because("rule 9: every call of the gun runs on its caller's thread; a thread of its own (a "
                        + "watchdog that interrupts a caller kept waiting for the lock) answers for the gun without "
                        + "looking at it")
                .check(learnerClasses);
    }
}

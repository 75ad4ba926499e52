package katas.reentrantlock;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import katas.testkit.KataTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden, structure part: the mutex is built by hand. A java.util.concurrent ReentrantLock (or the reentrant
 * read-write lock) inside would pass every run, so no run can tell; the rule reads the compiled classes where
 * Mutex was loaded from (the learner's code, not the tests). Scored on a mutex that works: while lock() still
 * throws "TODO", the rule fails, so that the empty stub earns no structure points.
 */
@Tag("structure")
@DisplayName("Mutex's structure")
@KataTest
class MutexStructureTest {

    private static final List<String> READY_MADE = List.of("java.util.concurrent.locks.ReentrantLock",
            "java.util.concurrent.locks.ReentrantReadWriteLock");
    private static JavaClasses learnerClasses;

    @BeforeAll
    static void importTheLearnersClasses() throws URISyntaxException {
        // Only the classes where Mutex was loaded from, not the tests, and without following their dependencies
        // into the JDK (slow on a busy machine): the rule names the classes it forbids.
        Path root = Path.of(Mutex.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ArchConfiguration configuration = ArchConfiguration.get();
        boolean resolving = configuration.resolveMissingDependenciesFromClassPath();
        configuration.setResolveMissingDependenciesFromClassPath(false);
        try {
            learnerClasses = new ClassFileImporter().importLocations(List.of(Location.of(root)));
        } finally {
            configuration.setResolveMissingDependenciesFromClassPath(resolving);
        }
    }

    /** Empty when a mutex can be taken twice and given back twice on one thread; otherwise why not. */
    private static String whyNotWorking() throws InterruptedException {
        try {
            Actor.alone("structure-probe", "lock() by the thread that holds it", MutexTest.NOT_REENTRANT, () -> {
                Mutex mutex = new Mutex();
                mutex.lock();
                mutex.lock();
                int holds = mutex.getHoldCount();
                mutex.unlock();
                mutex.unlock();
                if (holds != 2 || mutex.isHeldByCurrentThread()) {
                    throw new AssertionError("a mutex locked twice counted " + holds + " holds");
                }
            });
            return "";
        } catch (AssertionError broken) {
            return broken.getMessage().lines().findFirst().orElse("");
        }
    }

    @Test
    @Tag("rule-9")
    @DisplayName("builds its own lock: no ReentrantLock or ReentrantReadWriteLock inside")
    void buildsItsOwnLock() throws InterruptedException {
        List<String> names = learnerClasses.stream().map(JavaClass::getName).toList();
        if (!names.contains(Mutex.class.getName()) || names.stream().anyMatch(n -> n.endsWith("Test"))) {
            throw new IllegalStateException("the structure rule should read the compiled Mutex and no test class, "
                    + "but read " + names + " (a problem of the grading set-up, not of your code)");
        }
        String notWorking = whyNotWorking();
        if (!notWorking.isEmpty()) {
            throw new AssertionError("structure rules are scored on a mutex that works, and this one does not yet: "
                    + notWorking);
        }
        noClasses().that().resideInAPackage("katas.reentrantlock..")
                .should().dependOnClassesThat().haveNameMatching(
                        "java\\.util\\.concurrent\\.locks\\.(ReentrantLock|ReentrantReadWriteLock)(\\$.*)?")
                .because("the kata is to build the reentrant lock: owner, hold count and waiting are yours to write "
                        + "(an inner monitor with wait/notifyAll, or a Semaphore, park/unpark...), not to borrow "
                        + "from " + String.join(" or ", READY_MADE))
                .check(learnerClasses);
    }
}

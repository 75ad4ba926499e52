package katas.semaphorepool;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import java.time.Duration;
import java.util.Set;
import katas.testkit.KataTest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden, structure part: a pool that polls (sleeps a little and looks again) passes every run, since its
 * waiters end the same way, only later and with the CPU busy; no run can tell it from one that blocks. So the
 * rule is read from the compiled classes. It is scored on a pool that works: a stub that throws "TODO" earns
 * nothing here.
 */
@Tag("structure")
@DisplayName("ConnectionPool's structure")
@KataTest
class ConnectionPoolStructureTest {

    /** Calls that make a waiting thread poll instead of block until it is woken. */
    private static final Set<String> POLLING = Set.of("sleep", "yield", "onSpinWait");

    @Test
    @Tag("rule-8")
    @DisplayName("waits by blocking until woken: no Thread.sleep, yield or onSpinWait, nor TimeUnit.sleep, in the pool")
    void waitsWithoutPolling() throws Exception {
        requireAWorkingPool();
        // Only the folder or jar the pool was loaded from (the learner's classes), not the tests sharing its package.
        // Not following their calls into the JDK's classes: the rule needs only the call sites, and resolving
        // the JDK takes seconds on a busy machine.
        ArchConfiguration archUnit = ArchConfiguration.get();
        boolean resolved = archUnit.resolveMissingDependenciesFromClassPath();
        archUnit.setResolveMissingDependenciesFromClassPath(false);
        JavaClasses pool;
        try {
            pool = new ClassFileImporter().importLocations(Set.of(Location.of(
                    ConnectionPool.class.getProtectionDomain().getCodeSource().getLocation().toURI())));
        } finally {
            archUnit.setResolveMissingDependenciesFromClassPath(resolved);
        }
        // By name, on any class but the pool's own: Thread's static methods can be called through any subclass
        // of Thread (a class of the learner's, or the JDK's ForkJoinWorkerThread), and TimeUnit has a sleep too.
        String own = ConnectionPool.class.getPackageName();
        noClasses().should().callMethodWhere(DescribedPredicate.describe("Thread.sleep, Thread.yield, "
                        + "Thread.onSpinWait or TimeUnit.sleep (through whatever class)", (JavaCall<?> call) ->
                        POLLING.contains(call.getName()) && !call.getTargetOwner().getPackageName().startsWith(own)))
                .because("a borrower that waits for a connection should block until one comes back (a Semaphore, a "
                        + "BlockingQueue or a Condition wakes it); sleeping and looking again wastes the CPU and "
                        + "answers late (rule 8)")
                .check(pool);
    }

    private static void requireAWorkingPool() throws Exception {
        try {
            ConnectionPool pool = new ConnectionPool(2, new Ledger(2, new java.util.Random(8)));
            Connection first = pool.acquire(Duration.ofSeconds(5));
            String answer = pool.withConnection(Duration.ofSeconds(5), c -> c.execute("select 1"));
            pool.release(first);
            pool.close();
            if (answer == null || !answer.endsWith(": select 1")) {
                throw new AssertionError("withConnection returned " + answer);
            }
        } catch (UnsupportedOperationException | AssertionError | java.util.concurrent.TimeoutException notYet) {
            throw new AssertionError("structure rules are scored on a pool that works, and this one does not yet: "
                    + notYet, notYet);
        }
    }
}

package katas.barrierphases;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import katas.testkit.KataTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden, structure part (rule 10): the workers meet at a barrier of java.util.concurrent, and nothing waits
 * by sleeping or spinning. No run can tell a spinning barrier from a blocking one on two busy cores, so
 * this reads the compiled classes of the learner's package. Scored on a simulation that works: while run()
 * cannot compute a small grid, every rule here fails.
 */
@Tag("structure")
@DisplayName("Simulation's structure")
@KataTest
class SimulationStructureTest {

    private static final String PACKAGE = "katas.barrierphases";
    private static JavaClasses learnerClasses;
    private static String notWorking;

    @BeforeAll
    static void importTheLearnersClasses() throws Exception {
        // Only where Simulation was loaded from, without following dependencies into the JDK (slow).
        Path root = Path.of(Simulation.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ArchConfiguration configuration = ArchConfiguration.get();
        boolean resolving = configuration.resolveMissingDependenciesFromClassPath();
        configuration.setResolveMissingDependenciesFromClassPath(false);
        try {
            learnerClasses = new ClassFileImporter().importLocations(List.of(Location.of(root)));
        } finally {
            configuration.setResolveMissingDependenciesFromClassPath(resolving);
        }
        notWorking = whyNotWorking();
    }

    private static String whyNotWorking() {
        double[][] grid = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
        try {
            double[][] result = new Simulation(2, Heat::next).run(grid, 3);
            return java.util.Arrays.deepEquals(result, Heat.phases(grid, 3)[3]) ? ""
                    : "three phases of a 3 x 3 grid came out wrong";
        } catch (Throwable failed) {
            return "run() of three phases of a 3 x 3 grid threw " + failed;
        }
    }

    private static void requireAWorkingSimulation() {
        List<String> names = learnerClasses.stream().map(JavaClass::getName).toList();
        if (!names.contains(Simulation.class.getName()) || names.stream().anyMatch(n -> n.endsWith("Test")
                || n.contains(".Probe") || n.contains(".Trial"))) {
            throw new IllegalStateException("the structure rules should read the compiled Simulation and no test "
                    + "class, but read " + names + " (a problem of the grading set-up, not of your code)");
        }
        if (!notWorking.isEmpty()) {
            throw new AssertionError("structure rules are scored on a simulation that works, and this one does not "
                    + "yet: " + notWorking);
        }
    }

    private static DescribedPredicate<JavaCall<?>> call(String owner, String description, String... names) {
        Set<String> wanted = Set.of(names);
        return DescribedPredicate.describe(description, access -> access.getTargetOwner().getName().equals(owner)
                && (wanted.isEmpty() || wanted.contains(access.getName())));
    }

    @Test
    @Tag("rule-10")
    @DisplayName("meets at a CyclicBarrier or a Phaser between phases")
    void meetsAtABarrier() {
        requireAWorkingSimulation();
        boolean usesABarrier = learnerClasses.stream().anyMatch(c -> c.getMethodCallsFromSelf().stream()
                .anyMatch(call -> Set.of("java.util.concurrent.CyclicBarrier", "java.util.concurrent.Phaser")
                        .contains(call.getTargetOwner().getName()) && Set.of("await", "arriveAndAwaitAdvance",
                        "awaitAdvance", "awaitAdvanceInterruptibly").contains(call.getName())));
        if (!usesABarrier) {
            throw new AssertionError("no class of " + PACKAGE + " waits at a java.util.concurrent.CyclicBarrier or "
                    + "Phaser: the workers meet at a barrier between phases (rule 10): asking one for its parties or its phase is not waiting at it");
        }
    }

    @Test
    @Tag("rule-10")
    @DisplayName("never sleeps, spins or polls with timed waits to wait")
    void neverSleepsOrSpins() {
        requireAWorkingSimulation();
        noClasses().that().resideInAPackage(PACKAGE + "..")
                .should().callCodeUnitWhere(call("java.lang.Thread", "Thread.sleep/yield/onSpinWait", "sleep",
                        "yield", "onSpinWait").or(call("java.util.concurrent.TimeUnit", "TimeUnit.sleep", "sleep"))
                        .or(call("java.util.concurrent.locks.LockSupport", "LockSupport.parkNanos", "parkNanos"))
                        .or(DescribedPredicate.describe("Object.wait with a timeout", access -> access.getName()
                                .equals("wait") && !access.getTarget().getRawParameterTypes().isEmpty())))
                .because("waiting for the other workers is what the barrier is for: a sleep or a timed wait guesses "
                        + "how long they take, and a spin (or a poll) burns a core the workers need")
                .check(learnerClasses);
    }
}

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
import katas.barrierphases.Trial.Outcome;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
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
    @DisplayName("between phases, the workers wait inside the CyclicBarrier or Phaser, not in a barrier of their own")
    void waitsInsideTheBarrier(Shapes shapes) throws Exception {
        requireAWorkingSimulation();
        shapes.check(3, round -> {
            int workers = round.between("workers", 2, 6);
            int rows = round.between("rows", workers, 14);
            int cols = round.between("columns", 1, 6);
            int phases = round.between("phases", 2, 5);
            double[][] initial = Heat.grid(round, rows, cols);
            // In each phase after the first, one worker's last cell is held until every other worker waits; it
            // then looks at their stacks: nobody can pass a barrier while it still holds that cell.
            Probe probe = new Probe(initial, phases).holdSalt(round.between("held worker", 0, 9));
            String what = Runs.shape(workers, rows, cols, phases);
            try (Trial trial = new Trial(what, new Simulation(workers, probe), initial, phases, probe).start()) {
                Outcome outcome = trial.outcome(() -> "A run of " + phases + " phases should end by itself.");
                trial.assertNothingBrokenDuringTheRun();
                trial.assertSameAsOneThread(outcome);
                String elsewhere = probe.waitedOutsideABarrier();
                if (elsewhere != null) {
                    throw new AssertionError(what + ": " + elsewhere);
                }
            }
        });
    }

    @Test
    @Tag("rule-10")
    @DisplayName("never asks the barrier how many wait: only a spin needs to know")
    void neverAsksHowManyWait() {
        requireAWorkingSimulation();
        noClasses().that().resideInAPackage(PACKAGE + "..")
                .should().callCodeUnitWhere(call("java.util.concurrent.CyclicBarrier", "CyclicBarrier.getNumberWaiting",
                        "getNumberWaiting").or(call("java.util.concurrent.Phaser",
                        "Phaser.getArrivedParties/getUnarrivedParties", "getArrivedParties", "getUnarrivedParties")))
                .because("a worker that has written its band calls await and lets the barrier do the waiting: "
                        + "counting who already waits is only useful to spin until they all do (rule 10)")
                .check(learnerClasses);
    }

    /** Whether the class named is java.lang.Thread or extends it (a learner's {@code Worker extends Thread} too). */
    private static boolean isAThread(JavaClass type) {
        try {
            return Thread.class.isAssignableFrom(Class.forName(type.getName(), false,
                    Simulation.class.getClassLoader()));
        } catch (ClassNotFoundException | LinkageError notThere) {
            return false;
        }
    }

    /**
     * A call that sleeps, spins or polls, whoever owns it: Thread's sleep, yield and onSpinWait also through a class
     * that extends Thread (Worker.sleep(1) is Thread.sleep(1)); TimeUnit's sleep, timedWait and timedJoin;
     * LockSupport's parkNanos and parkUntil; Object's wait in any form, and notify and notifyAll (Object's, final:
     * on any owner they are the monitor's); and every wait with a timeout: Thread.join(millis) (also through a class
     * that extends Thread), any call that takes a TimeUnit or a Duration (CyclicBarrier.await(t, unit),
     * Phaser.awaitAdvanceInterruptibly(phase, t, unit), ...), Condition.awaitNanos/awaitUntil.
     */
    private static boolean waitsByItself(JavaCall<?> access) {
        String name = access.getName();
        String owner = access.getTargetOwner().getName();
        List<String> parameters = access.getTarget().getRawParameterTypes().stream().map(JavaClass::getName).toList();
        if (Set.of("sleep", "yield", "onSpinWait").contains(name) && isAThread(access.getTargetOwner())) {
            return true;
        }
        if (owner.equals("java.util.concurrent.TimeUnit")) {
            return Set.of("sleep", "timedWait", "timedJoin").contains(name);
        }
        if (name.equals("join") && !parameters.isEmpty() && isAThread(access.getTargetOwner())) {
            return true; // Thread.join(millis), join(millis, nanos), join(Duration): TimeUnit.timedJoin by another name
        }
        if (!owner.startsWith("java.time.") && (parameters.contains("java.util.concurrent.TimeUnit")
                || parameters.contains("java.time.Duration"))) {
            // Any wait with a timeout: CyclicBarrier.await(t, unit), Phaser.awaitAdvanceInterruptibly(phase, t,
            // unit), a latch's, queue's, lock's or future's timed wait. Nothing here has a deadline to keep: a wait
            // with a timeout is only ever a poll in a loop.
            return true;
        }
        if (Set.of("awaitNanos", "awaitUntil").contains(name)) {
            return true; // Condition's timed waits
        }
        if (owner.equals("java.util.concurrent.locks.LockSupport")) {
            return Set.of("parkNanos", "parkUntil").contains(name);
        }
        return switch (name) {
            case "wait" -> parameters.isEmpty() || parameters.equals(List.of("long"))
                    || parameters.equals(List.of("long", "int"));
            case "notify", "notifyAll" -> parameters.isEmpty();
            default -> false;
        };
    }

    @Test
    @Tag("rule-10")
    @DisplayName("never sleeps, spins, polls with timed waits or waits on a monitor")
    void neverSleepsOrSpins() {
        requireAWorkingSimulation();
        noClasses().that().resideInAPackage(PACKAGE + "..")
                .should().callCodeUnitWhere(DescribedPredicate.describe("Thread.sleep/yield/onSpinWait (also through "
                        + "a class that extends Thread), TimeUnit.sleep/timedWait/timedJoin, "
                        + "LockSupport.parkNanos/parkUntil, Object.wait/notify/notifyAll, or a wait with a timeout "
                        + "(Thread.join(millis), CyclicBarrier.await(t, unit), Phaser.awaitAdvanceInterruptibly("
                        + "phase, t, unit), any call given a TimeUnit or a Duration)",
                        SimulationStructureTest::waitsByItself))
                .because("waiting for the other workers is what the barrier is for: a sleep or a timed wait guesses "
                        + "how long they take, a spin (or a poll) burns a core the workers need, and a monitor's "
                        + "wait/notifyAll is a barrier of your own (the caller joins its workers)")
                .check(learnerClasses);
    }
}

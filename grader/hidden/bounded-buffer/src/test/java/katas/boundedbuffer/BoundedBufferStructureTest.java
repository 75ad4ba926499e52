package katas.boundedbuffer;

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
import java.util.Set;
import katas.testkit.KataTest;
import katas.testkit.OwnThreads;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden, structure part: the buffer is built by hand on one lock and its conditions. A BlockingQueue, a Semaphore
 * or a latch inside would pass every run, so no run can tell; the rule reads the compiled classes where
 * BoundedBuffer was loaded from (the learner's code, not the tests). Scored on a buffer that works: until a put and
 * a take work, the rule fails, so that the empty stub earns no structure points.
 */
@Tag("structure")
@DisplayName("BoundedBuffer's structure")
@KataTest
class BoundedBufferStructureTest {

    /** What the buffer may use from java.util.concurrent: the lock it is given, its conditions, time units. */
    private static final Set<String> ALLOWED = Set.of("java.util.concurrent.TimeUnit",
            "java.util.concurrent.locks.Lock", "java.util.concurrent.locks.ReentrantLock",
            "java.util.concurrent.locks.Condition");
    private static JavaClasses learnerClasses;

    @BeforeAll
    static void importTheLearnersClasses() throws URISyntaxException {
        Path root = Path.of(BoundedBuffer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ArchConfiguration configuration = ArchConfiguration.get();
        boolean resolving = configuration.resolveMissingDependenciesFromClassPath();
        configuration.setResolveMissingDependenciesFromClassPath(false);
        try {
            learnerClasses = new ClassFileImporter().importLocations(List.of(Location.of(root)));
        } finally {
            configuration.setResolveMissingDependenciesFromClassPath(resolving);
        }
    }

    /** Empty when one item can be put and taken back on one thread; otherwise why not. */
    private static String whyNotWorking() {
        try {
            BoundedBuffer<String> buffer = new BoundedBuffer<>(2);
            if (!buffer.offer("first", Duration.ZERO)) {
                return "offer(item, 0) into an empty buffer of 2 returned false";
            }
            String got = buffer.poll(Duration.ZERO).orElse(null);
            return "first".equals(got) ? "" : "poll(0) after offer(\"first\", 0) returned " + got;
        } catch (Exception | Error broken) {
            return "offer and poll on one thread threw " + broken;
        }
    }

    @Test
    @Tag("rule-10")
    @DisplayName("is built by hand: nothing from java.util.concurrent but the lock, its conditions and TimeUnit")
    void builtByHandOnOneLock() {
        List<String> names = learnerClasses.stream().map(JavaClass::getName).toList();
        if (!names.contains(BoundedBuffer.class.getName()) || names.stream().anyMatch(n -> n.endsWith("Test"))) {
            throw new IllegalStateException("the structure rule should read the compiled BoundedBuffer and no test "
                    + "class, but read " + names + " (a problem of the grading set-up, not of your code)");
        }
        String notWorking = whyNotWorking();
        if (!notWorking.isEmpty()) {
            throw new AssertionError("structure rules are scored on a buffer that works, and this one does not yet: "
                    + notWorking);
        }
        noClasses().that().resideInAPackage("katas.boundedbuffer..")
                .should().dependOnClassesThat(readyMade())
                .because("the kata is to build the blocking queue: waiting, waking and counting are yours to write "
                        + "with the ReentrantLock you are given and Conditions made from it, not to borrow from a "
                        + "BlockingQueue, a Semaphore, a latch, an atomic or anything else in java.util.concurrent")
                .check(learnerClasses);
    }

    @Test
    @Tag("rule-10")
    @DisplayName("starts no thread of its own and hands no work to another: every call runs on its caller's thread")
    void everyCallRunsOnItsCallersThread() {
        // Red team S: a java.util.Timer that interrupted a caller queued for a busy lock 200 ms past its timeout, and
        // poll(0) answered "empty" for a buffer holding an item. That caller's state is the right one (WAITING in
        // the lock's queue): see OwnThreads.
        String notWorking = whyNotWorking();
        if (!notWorking.isEmpty()) {
            throw new AssertionError("structure rules are scored on a buffer that works, and this one does not yet: "
                    + notWorking);
        }
        OwnThreads own = new OwnThreads(BoundedBuffer.class);
        noClasses().should().dependOnClassesThat(DescribedPredicate.describe("run work on another thread, schedule "
                        + "it or reflect (" + OwnThreads.RUNS_ELSEWHERE + ", or a subtype)",
                        (JavaClass type) -> own.runsElsewhere(type.getName())))
                .orShould().callConstructorWhere(DescribedPredicate.describe("build a thread",
                        (JavaConstructorCall call) -> own.buildsAThread(call.getTargetOwner().getName())))
                .orShould().callMethodWhere(DescribedPredicate.describe("start a thread, run a parallel stream or "
                        + "look a member up by name",
                        (JavaMethodCall call) -> own.startsOrLooksUp(call.getTargetOwner().getName(), call.getName())))
                .because("rule 10: every call of the buffer runs on its caller's thread; a thread of its own (a timer "
                        + "that interrupts a caller kept waiting for the lock) answers for the buffer without looking "
                        + "at it")
                .check(learnerClasses);
    }

    private static DescribedPredicate<JavaClass> readyMade() {
        return DescribedPredicate.describe("are in java.util.concurrent (other than " + ALLOWED + ")",
                type -> type.getName().startsWith("java.util.concurrent.") && !ALLOWED.contains(outer(type.getName())));
    }

    private static String outer(String name) {
        int inner = name.indexOf('$');
        return inner < 0 ? name : name.substring(0, inner);
    }
}

package katas.readwritecache;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noMethods;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import katas.testkit.KataTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden, structure part: waiting is done by blocking, never by polling or sleeping. A get that waits for another
 * thread's load by sleeping and looking again passes every run (no test measures time or CPU), so the rule reads the
 * compiled classes where ReadWriteCache was loaded from. Scored on a cache that works: until a put and a get work on
 * one thread, the rule fails, so that the empty stub earns no structure points.
 */
@Tag("structure")
@DisplayName("ReadWriteCache's structure")
@KataTest
class ReadWriteCacheStructureTest {

    private static JavaClasses learnerClasses;

    /** Names of the JDK's waits that can take a time-out: with one, a wait becomes a poll (wait a little, look again). */
    private static final Set<String> TIMED_WAITS = Set.of("get", "tryLock", "await", "awaitNanos", "awaitUntil",
            "tryAcquire", "tryAcquireNanos", "join", "poll", "take");

    /** A call of a wait with a time-out: Future.get(long, TimeUnit), tryLock(long, TimeUnit), await(long, ...), awaitNanos. */
    private static final DescribedPredicate<JavaCall<?>> TIMED_WAIT = new DescribedPredicate<>(
            "a wait with a time-out (a timed Future.get, tryLock, await or awaitNanos)") {
        @Override
        public boolean test(JavaCall<?> call) {
            String name = call.getTarget().getName();
            List<String> parameters = call.getTarget().getRawParameterTypes().stream().map(JavaClass::getName).toList();
            return name.equals("awaitNanos") || name.equals("awaitUntil") || TIMED_WAITS.contains(name)
                    && parameters.contains(long.class.getName()) && name.equals("join")
                    || TIMED_WAITS.contains(name)
                    && parameters.contains(java.util.concurrent.TimeUnit.class.getName())
                    || TIMED_WAITS.contains(name) && parameters.contains(java.time.Duration.class.getName());
        }
    };

    /**
     * A sleep or a timed wait under any owner's name: TimeUnit.sleep, timedWait, timedJoin, Thread.join(long),
     * parkNanos or parkUntil (of LockSupport or anything that passes them on): each waits a while and looks again.
     */
    private static final DescribedPredicate<JavaCall<?>> SLEEP_OR_TIMED = new DescribedPredicate<>(
            "a sleep or a timed wait (any sleep, timedWait, timedJoin, parkNanos, parkUntil or join with a time-out)") {
        @Override
        public boolean test(JavaCall<?> call) {
            String name = call.getTarget().getName();
            return name.equals("sleep") || name.startsWith("timed") || name.equals("parkNanos")
                    || name.equals("parkUntil");
        }
    };

    @BeforeAll
    static void importTheLearnersClasses() throws URISyntaxException {
        Path root = Path.of(ReadWriteCache.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ArchConfiguration configuration = ArchConfiguration.get();
        boolean resolving = configuration.resolveMissingDependenciesFromClassPath();
        configuration.setResolveMissingDependenciesFromClassPath(false);
        try {
            learnerClasses = new ClassFileImporter().importLocations(List.of(Location.of(root)));
        } finally {
            configuration.setResolveMissingDependenciesFromClassPath(resolving);
        }
    }

    /** Empty when a put and two gets work on one thread; otherwise why not. */
    private static String whyNotWorking() {
        try {
            ReadWriteCache<String, String> cache = new ReadWriteCache<>(key -> key + "!");
            cache.put("a", "kept");
            String kept = cache.get("a");
            String loaded = cache.get("b");
            return "kept".equals(kept) && "b!".equals(loaded) ? ""
                    : "get(\"a\") after put(\"a\", \"kept\") returned " + kept + ", get(\"b\") returned " + loaded;
        } catch (Exception | Error broken) {
            return "put and get on one thread threw " + broken;
        }
    }

    @Test
    @Tag("rule-9")
    @DisplayName("waits by blocking: no sleep, yield, spin, park, timed wait, wait/notify or synchronized method")
    void waitsByBlocking() {
        List<String> names = learnerClasses.stream().map(JavaClass::getName).toList();
        if (!names.contains(ReadWriteCache.class.getName()) || names.stream().anyMatch(n -> n.endsWith("Test"))) {
            throw new IllegalStateException("the structure rule should read the compiled ReadWriteCache and no test "
                    + "class, but read " + names + " (a problem of the grading set-up, not of your code)");
        }
        String notWorking = whyNotWorking();
        if (!notWorking.isEmpty()) {
            throw new AssertionError("structure rules are scored on a cache that works, and this one does not yet: "
                    + notWorking);
        }
        noClasses().that().resideInAPackage("katas.readwritecache")
                .should().callMethod(Thread.class, "sleep", long.class)
                .orShould().callMethod(Thread.class, "sleep", long.class, int.class)
                .orShould().callMethod(Thread.class, "sleep", java.time.Duration.class)
                .orShould().callMethod(Thread.class, "yield")
                .orShould().callMethod(Thread.class, "onSpinWait")
                .orShould().callMethod(Object.class, "wait")
                .orShould().callMethod(Object.class, "wait", long.class)
                .orShould().callMethod(Object.class, "notify")
                .orShould().callMethod(Object.class, "notifyAll")
                .orShould().dependOnClassesThat().belongToAnyOf(LockSupport.class)
                .orShould().callMethodWhere(TIMED_WAIT)
                .orShould().callMethodWhere(SLEEP_OR_TIMED)
                .because("a get waits for another thread's load by blocking on it (Future.get, a latch, a condition), "
                        + "and for the entries on the read-write lock it was given: never by sleeping, spinning or "
                        + "parking and looking again (Thread.sleep, TimeUnit.sleep, parkNanos), nor by waiting with a "
                        + "time-out and trying again (a timed get, tryLock, await, join or timedWait), nor on a "
                        + "monitor of its own")
                .check(learnerClasses);
        noMethods().that().areDeclaredInClassesThat().resideInAPackage("katas.readwritecache")
                .should().haveModifier(JavaModifier.SYNCHRONIZED)
                .because("the read-write lock guards the entries; a synchronized method makes every reader take turns")
                .check(learnerClasses);
    }
}

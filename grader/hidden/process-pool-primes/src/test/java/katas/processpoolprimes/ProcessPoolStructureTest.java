package katas.processpoolprimes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaCodeUnitAccess;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import katas.testkit.KataTest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden structure rule: the speedup must come from the worker processes. A pool that counted in
 * threads of its own JVM could pass as fast, so no code the pool runs may test a number: not
 * {@code ProcessPool} itself, nor any method it calls, directly or through other classes (a helper
 * of {@code PrimeWorker} included). The rule is scored on a pool that works: a stub that counts
 * nothing also calls nothing, and must not earn these points for it.
 */
@Tag("structure")
@Tag("rule-6")
@DisplayName("ProcessPool structure")
@KataTest
class ProcessPoolStructureTest {

    private static final String PACKAGE = "katas.processpoolprimes";

    @Test
    @DisplayName("the pool never counts primes itself, not even through another class: every range goes to a worker")
    void thePoolNeverCountsItself() {
        String notWorking = whyNotWorking();
        if (notWorking != null) {
            fail("this rule is scored on a pool that works, and this one does not yet: " + notWorking);
        }
        // Only the learner's own classes matter; resolving the JDK's from the class path would cost seconds.
        ArchConfiguration configuration = ArchConfiguration.get();
        boolean resolving = configuration.resolveMissingDependenciesFromClassPath();
        configuration.setResolveMissingDependenciesFromClassPath(false);
        JavaClasses classes;
        try {
            classes = new ClassFileImporter().importPath(learnersClasses());
        } finally {
            configuration.setResolveMissingDependenciesFromClassPath(resolving);
        }
        List<String> path = pathToCounting(classes);
        assertThat(path)
                .as("rule 6: the pool's code reaches %s through the calls %s: the pool hands every range to a worker "
                        + "process through its pipes; counting in the pool's own JVM (in its threads, by calling the "
                        + "worker's main or one of its helpers) is not a pool of processes",
                        path.isEmpty() ? "" : path.get(path.size() - 1), String.join(" -> ", path))
                .isEmpty();
    }

    /**
     * The chain of calls from code of the pool's classes to {@code Primes.isPrime} or
     * {@code PrimeWorker.main}, or an empty list. Every class of the kata that the pool calls into
     * counts as the pool's, all of its code (its lambdas too), except {@code PrimeWorker}, of
     * which only the methods actually called count.
     */
    static List<String> pathToCounting(JavaClasses classes) {
        Map<String, String> cameFrom = new HashMap<>();
        Deque<JavaCodeUnit> todo = new ArrayDeque<>();
        Set<String> seen = new LinkedHashSet<>();
        for (JavaClass c : classes) {
            if (c.getName().equals(PACKAGE + ".ProcessPool") || c.getName().startsWith(PACKAGE + ".ProcessPool$")) {
                for (JavaCodeUnit unit : c.getCodeUnits()) {
                    if (seen.add(unit.getFullName())) {
                        todo.add(unit);
                    }
                }
            }
        }
        while (!todo.isEmpty()) {
            JavaCodeUnit unit = todo.poll();
            List<JavaCodeUnitAccess<?>> calls = new ArrayList<>();
            calls.addAll(unit.getMethodCallsFromSelf());
            calls.addAll(unit.getConstructorCallsFromSelf());
            calls.addAll(unit.getMethodReferencesFromSelf());
            calls.addAll(unit.getConstructorReferencesFromSelf());
            for (JavaCodeUnitAccess<?> call : calls) {
                JavaClass owner = call.getTargetOwner();
                String target = owner.getName() + "." + call.getTarget().getName();
                if (target.equals(PACKAGE + ".Primes.isPrime") || target.equals(PACKAGE + ".PrimeWorker.main")) {
                    List<String> path = new ArrayList<>(List.of(target));
                    for (String at = unit.getFullName(); at != null; at = cameFrom.get(at)) {
                        path.add(0, at);
                    }
                    return path;
                }
                if (!owner.getPackageName().equals(PACKAGE)) {
                    continue;
                }
                List<JavaCodeUnit> next = new ArrayList<>();
                if (owner.getName().equals(PACKAGE + ".PrimeWorker")) {
                    call.getTarget().resolveMember().ifPresent(m -> next.add((JavaCodeUnit) m));
                } else {
                    next.addAll(owner.getCodeUnits());
                    classes.stream().filter(c -> c.isAssignableTo(owner.getName())).forEach(c -> next.addAll(c.getCodeUnits()));
                }
                for (JavaCodeUnit n : next) {
                    if (seen.add(n.getFullName())) {
                        cameFrom.put(n.getFullName(), unit.getFullName());
                        todo.add(n);
                    }
                }
            }
        }
        return List.of();
    }

    /** The folder (or jar) the learner's classes were loaded from: importing only it keeps the rule fast. */
    private static Path learnersClasses() {
        try {
            return Path.of(ProcessPool.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Null when a pool of two workers counts the 25 primes below 100; otherwise why not. */
    private static String whyNotWorking() {
        try (ProcessPool pool = new ProcessPool(2)) {
            long count = pool.countPrimes(0, 100, 50);
            return count == 25 ? null : "a pool of 2 workers counted " + count + " primes below 100 instead of 25";
        } catch (RuntimeException | Error failure) {
            return "a pool of 2 workers could not count the primes below 100: " + failure;
        }
    }
}

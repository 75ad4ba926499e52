package katas.processpoolprimes;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.fail;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import katas.testkit.KataTest;

/**
 * Hidden structure rule: the speedup must come from the worker processes. A pool that counted in
 * threads of its own JVM could pass as fast, so the pool's classes may not test a number themselves.
 * The rule is scored on a pool that works: a stub that counts nothing also calls nothing, and
 * must not earn these points for it.
 */
@Tag("structure")
@DisplayName("ProcessPool structure")
@KataTest
class ProcessPoolStructureTest {

    @Test
    @DisplayName("the pool never counts primes itself: every range goes to a worker process")
    void thePoolNeverCountsItself() {
        String notWorking = whyNotWorking();
        if (notWorking != null) {
            fail("this rule is scored on a pool that works, and this one does not yet: " + notWorking);
        }
        JavaClasses classes = new ClassFileImporter().importPath(learnersClasses());
        noClasses().that().haveNameMatching("katas\\.processpoolprimes\\.ProcessPool(\\$.*)?")
                .should().callMethod(Primes.class, "isPrime", long.class)
                .orShould().callMethod(PrimeWorker.class, "main", String[].class)
                .because("the pool hands every range to a worker process through its pipes; counting in the pool's "
                        + "own JVM (in threads, or by calling the worker's main) is not a pool of processes")
                .check(classes);
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

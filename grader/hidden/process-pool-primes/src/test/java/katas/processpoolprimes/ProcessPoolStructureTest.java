package katas.processpoolprimes;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden structure rule: the speedup must come from the worker processes. A pool that counted in
 * threads of its own JVM could pass as fast, so the pool's classes may not test a number themselves.
 */
@Tag("structure")
@DisplayName("ProcessPool structure")
class ProcessPoolStructureTest {

    @Test
    @DisplayName("the pool never counts primes itself: every range goes to a worker process")
    void thePoolNeverCountsItself() {
        JavaClasses classes = new ClassFileImporter().importPackages("katas.processpoolprimes");
        noClasses().that().haveNameMatching("katas\\.processpoolprimes\\.ProcessPool(\\$.*)?")
                .should().callMethod(Primes.class, "isPrime", long.class)
                .orShould().callMethod(PrimeWorker.class, "main", String[].class)
                .because("the pool hands every range to a worker process through its pipes; counting in the pool's "
                        + "own JVM (in threads, or by calling the worker's main) is not a pool of processes")
                .check(classes);
    }
}

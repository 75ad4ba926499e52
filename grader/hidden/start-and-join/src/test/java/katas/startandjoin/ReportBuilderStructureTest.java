package katas.startandjoin;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import katas.startandjoin.Stage.Outcome;
import katas.testkit.KataTest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden, structure part: plain threads are the point of the kata, so the builder's code may not hand its
 * sources to an executor, a pool, CompletableFuture or a parallel stream, whatever the tests observe. The
 * rules read the compiled classes of package {@code katas.startandjoin} that come from where ReportBuilder was
 * loaded (the learner's code, not the tests). They are scored on a builder that works: while fetchAll still
 * throws "TODO", every rule fails, so that an empty stub earns no structure points.
 */
@Tag("structure")
@DisplayName("ReportBuilder's structure")
@KataTest
class ReportBuilderStructureTest {

    private static final String PACKAGE = "katas.startandjoin";
    private static JavaClasses learnerClasses;
    private static String notWorking;

    @BeforeAll
    static void importTheLearnersClasses() throws URISyntaxException, InterruptedException {
        // Only the classes where ReportBuilder was loaded from (a folder or a jar), not the tests; and without
        // following their dependencies into the JDK, which took most of a minute on a busy machine. The rules
        // below therefore name the classes they forbid instead of asking for their subtypes.
        Path root = Path.of(ReportBuilder.class.getProtectionDomain().getCodeSource().getLocation().toURI());
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

    /** Empty when fetchAll builds a small report of sources that meet; otherwise why not. */
    private static String whyNotWorking() throws InterruptedException {
        try (Stage stage = new Stage("a small report")) {
            List<String> sections = List.of("weather at OSL: 4C", "crew roster: complete", "");
            sections.forEach(stage::meeting);
            stage.start(new ReportBuilder());
            Outcome outcome = stage.outcome("Three sources that wait for each other.");
            if (outcome.thrown() instanceof UnsupportedOperationException todo) {
                return "fetchAll() still throws UnsupportedOperationException(\"" + todo.getMessage() + "\")";
            }
            stage.assertReport(outcome, sections);
            return "";
        } catch (AssertionError broken) {
            return "a report of three sources was not built: " + broken.getMessage().lines().findFirst().orElse("");
        }
    }

    private static void requireAWorkingBuilder() {
        List<String> names = learnerClasses.stream().map(JavaClass::getName).toList();
        if (!names.contains(ReportBuilder.class.getName()) || names.stream().anyMatch(n -> n.endsWith("Test")
                || n.contains(".Stage") || n.contains(".ScriptedSource"))) {
            throw new IllegalStateException("the structure rules should read the compiled ReportBuilder and no "
                    + "test class, but read " + names + " (a problem of the grading set-up, not of your code)");
        }
        if (!notWorking.isEmpty()) {
            throw new AssertionError("structure rules are scored on a builder that works, and this one does not yet: "
                    + notWorking);
        }
    }

    /** A call to one of {@code names} (to anything, when none is given) of one of the classes named {@code owners}. */
    private static DescribedPredicate<JavaCall<?>> call(Set<String> owners, String description, String... names) {
        Set<String> wanted = Set.of(names);
        return DescribedPredicate.describe(description, access -> owners.contains(access.getTargetOwner().getName())
                && (wanted.isEmpty() || wanted.contains(access.getName())));
    }

    private static Set<String> concurrent(String... simpleNames) {
        return java.util.Arrays.stream(simpleNames).map(n -> "java.util.concurrent." + n)
                .collect(java.util.stream.Collectors.toSet());
    }

    /** A call to anything of a class whose name starts with {@code prefix} (for preview APIs). */
    private static DescribedPredicate<JavaCall<?>> callToClassNamed(String prefix) {
        return DescribedPredicate.describe(prefix.substring(prefix.lastIndexOf('.') + 1),
                access -> access.getTargetOwner().getName().startsWith(prefix));
    }

    /** A call that makes a stream parallel. */
    private static final DescribedPredicate<JavaCall<?>> PARALLEL_STREAM = DescribedPredicate.describe(
            "parallelStream()/parallel()", access -> access.getName().equals("parallelStream")
                    || access.getName().equals("parallel") && access.getTargetOwner().getName()
                    .startsWith("java.util.stream."));

    @SafeVarargs
    private static DescribedPredicate<JavaCall<?>> anyOf(DescribedPredicate<JavaCall<?>>... predicates) {
        DescribedPredicate<JavaCall<?>> any = predicates[0];
        for (int i = 1; i < predicates.length; i++) {
            any = any.or(predicates[i]);
        }
        List<String> names = java.util.Arrays.stream(predicates).map(DescribedPredicate::getDescription).toList();
        return any.as(String.join(", ", names));
    }

    @Test
    @Tag("rule-8")
    @DisplayName("starts plain threads of its own: no executor, thread pool or fork/join pool")
    void startsPlainThreads() {
        requireAWorkingBuilder();
        noClasses().that().resideInAPackage(PACKAGE + "..")
                .should().callCodeUnitWhere(anyOf(
                        call(concurrent("Executors"), "Executors.new*", "newSingleThreadScheduledExecutor",
                                "newScheduledThreadPool", "newSingleThreadExecutor", "newFixedThreadPool",
                                "newCachedThreadPool", "newVirtualThreadPerTaskExecutor", "newThreadPerTaskExecutor",
                                "newWorkStealingPool", "unconfigurableExecutorService",
                                "unconfigurableScheduledExecutorService"),
                        call(concurrent("Executor", "ExecutorService", "ScheduledExecutorService",
                                "AbstractExecutorService", "ThreadPoolExecutor", "ScheduledThreadPoolExecutor"),
                                "an executor"),
                        call(concurrent("ForkJoinPool", "ForkJoinTask", "RecursiveTask", "RecursiveAction",
                                "CountedCompleter"), "a fork/join pool or task"),
                        callToClassNamed("java.util.concurrent.StructuredTaskScope")))
                .because("this kata is about Thread, start() and join(): an executor or a pool creates, starts and "
                        + "waits for the threads for you, which is the lesson of later katas (parallel-primes)")
                .check(learnerClasses);
    }

    @Test
    @Tag("rule-8")
    @DisplayName("gets results and failures back itself: no CompletableFuture, CompletionService or parallel stream")
    void bringsResultsBackItself() {
        requireAWorkingBuilder();
        noClasses().that().resideInAPackage(PACKAGE + "..")
                .should().callCodeUnitWhere(anyOf(
                        call(concurrent("CompletableFuture", "CompletionStage"), "CompletableFuture"),
                        call(concurrent("CompletionService", "ExecutorCompletionService"), "a CompletionService"),
                        PARALLEL_STREAM))
                .because("carrying a section or a failure from a thread back to the caller is the lesson here: "
                        + "CompletableFuture and parallel streams run the work on the JDK's common pool and do "
                        + "that for you")
                .check(learnerClasses);
    }
}

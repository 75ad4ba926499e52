package katas.asyncratelimiter;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Exchanger;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.Future;
import java.util.concurrent.Phaser;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import katas.testkit.NonBlockingCaller;
import katas.testkit.time.ManualScheduler;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import katas.testkit.KataTest;

/**
 * Hidden, structure part: what the limiter's code may not call, whatever the tests observe. The
 * rules read the compiled classes of package {@code katas.asyncratelimiter} (the learner's code,
 * not the tests). They are scored on a limiter that works: while submit() still throws "TODO",
 * every rule fails, so that an empty stub earns no structure points.
 */
@Tag("structure")
@DisplayName("AsyncRateLimiter's structure")
@KataTest
class AsyncRateLimiterStructureTest {

    private static final String PACKAGE = "katas.asyncratelimiter";
    private static JavaClasses learnerClasses;
    private static String notWorking;

    @BeforeAll
    static void importTheLearnersClasses() throws URISyntaxException {
        // Only the classes that come from where AsyncRateLimiter was loaded (a folder or a jar), not the tests.
        String root = Path.of(AsyncRateLimiter.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toUri().getPath();
        learnerClasses = new ClassFileImporter()
                .withImportOption(location -> location.asURI().toString().contains(root))
                .importPackages(PACKAGE);
        notWorking = whyNotWorking();
    }


    /** Empty when a fresh limiter returns a future for one task and starts it; otherwise why not. */
    private static String whyNotWorking() {
        ManualScheduler scheduler = new ManualScheduler();
        try (NonBlockingCaller caller = NonBlockingCaller.named("caller")) {
            AsyncRateLimiter limiter = new AsyncRateLimiter(1, Duration.ofSeconds(1), 1,
                    ShopScheduler.clock(scheduler::nanoTime), new ShopScheduler(scheduler));
            AtomicBoolean started = new AtomicBoolean();
            CompletableFuture<String> result = caller.call("submit(task)", () -> limiter.submit(() -> {
                started.set(true);
                return CompletableFuture.completedFuture("done");
            }));
            caller.run("running the tasks due now", scheduler::runDue);
            return result == null ? "submit() returned null instead of a future"
                    : !started.get() ? "a task submitted to a fresh limiter was not started" : "";
        } catch (UnsupportedOperationException todo) {
            return "submit() still throws UnsupportedOperationException(\"" + todo.getMessage() + "\")";
        } catch (RuntimeException | AssertionError broken) {
            return "submitting one task failed: " + broken;
        }
    }

    private static void requireAWorkingLimiter() {
        List<String> names = learnerClasses.stream().map(JavaClass::getName).toList();
        if (!names.contains(AsyncRateLimiter.class.getName()) || names.stream().anyMatch(n -> n.endsWith("Test"))) {
            throw new IllegalStateException("the structure rules should read the compiled AsyncRateLimiter and no "
                    + "test class, but read " + names + " (a problem of the grading set-up, not of your code)");
        }
        if (!notWorking.isEmpty()) {
            throw new AssertionError("structure rules are scored on a limiter that works, and this one does not yet: "
                    + notWorking);
        }
    }

    // ------------------------------------------------------------------------------ predicates

    /** A call to one of {@code names} on {@code owner} or any of its subtypes. */
    private static DescribedPredicate<JavaCall<?>> call(Class<?> owner, String... names) {
        Set<String> wanted = Set.of(names);
        return DescribedPredicate.describe(owner.getSimpleName() + "." + String.join("/", names),
                access -> wanted.contains(access.getName()) && isA(access.getTargetOwner(), owner));
    }

    /** A call to one of {@code names} on {@code owner} with a timeout (a TimeUnit among its parameters). */
    private static DescribedPredicate<JavaCall<?>> timedCall(Class<?> owner, String... names) {
        Set<String> wanted = Set.of(names);
        return DescribedPredicate.describe(owner.getSimpleName() + "." + String.join("/", names) + " with a timeout",
                access -> wanted.contains(access.getName()) && isA(access.getTargetOwner(), owner)
                        && access.getTarget().getRawParameterTypes().stream()
                        .anyMatch(type -> type.isEquivalentTo(TimeUnit.class)));
    }

    /** Object.wait, on whatever it is called. */
    private static final DescribedPredicate<JavaCall<?>> OBJECT_WAIT = DescribedPredicate.describe("Object.wait",
            access -> access.getName().equals("wait") && access.getTarget().getRawParameterTypes().size() <= 2
                    && access.getTarget().getRawParameterTypes().stream()
                    .allMatch(type -> type.isEquivalentTo(long.class) || type.isEquivalentTo(int.class)));

    /** A CompletableFuture or CompletionStage method ending in "Async" that runs on the JDK's common pool. */
    private static final DescribedPredicate<JavaCall<?>> ASYNC_ON_THE_COMMON_POOL = DescribedPredicate.describe(
            "CompletableFuture.*Async without an executor",
            access -> access.getName().endsWith("Async") && isA(access.getTargetOwner(), CompletionStage.class)
                    && access.getTarget().getRawParameterTypes().stream()
                    .noneMatch(type -> type.isAssignableTo(Executor.class)));

    private static boolean isA(JavaClass type, Class<?> owner) {
        return type.isEquivalentTo(owner) || type.isAssignableTo(owner);
    }

    @SafeVarargs
    private static DescribedPredicate<JavaCall<?>> anyOf(DescribedPredicate<JavaCall<?>>... predicates) {
        DescribedPredicate<JavaCall<?>> any = predicates[0];
        for (int i = 1; i < predicates.length; i++) {
            any = any.or(predicates[i]);
        }
        List<String> names = java.util.Arrays.stream(predicates).map(DescribedPredicate::getDescription).toList();
        return any.as(String.join(", ", names));
    }

    // ------------------------------------------------------------------------------ rules

    @Test
    @Tag("rule-1")
    @DisplayName("never sleeps, parks or spins a thread (no Thread.yield or onSpinWait)")
    void neverSleeps() {
        requireAWorkingLimiter();
        noClasses().that().resideInAPackage(PACKAGE + "..")
                .should().callCodeUnitWhere(anyOf(
                        // yield too: a loop of yields waiting for another thread is a spin (red team S)
                        call(Thread.class, "sleep", "onSpinWait", "yield"),
                        call(TimeUnit.class, "sleep"),
                        call(LockSupport.class, "park", "parkNanos", "parkUntil")))
                .because("a rate limiter waits by scheduling a wake-up on the scheduler it was given; a sleeping "
                        + "thread is a thread nobody else can use, and in virtual time it never wakes up; a thread "
                        + "that yields in a loop until another one is done burns its CPU waiting for it (a thread "
                        + "that finds another one draining leaves its event to it and returns)")
                .check(learnerClasses);
    }

    @Test
    @Tag("rule-1")
    @DisplayName("never waits for a permit, a result or another thread")
    void neverBlocks() {
        requireAWorkingLimiter();
        noClasses().that().resideInAPackage(PACKAGE + "..")
                .should().callCodeUnitWhere(anyOf(
                        call(Semaphore.class, "acquire", "acquireUninterruptibly"),
                        timedCall(Semaphore.class, "tryAcquire"),
                        call(Future.class, "get"),
                        call(CompletableFuture.class, "join"),
                        call(ForkJoinTask.class, "join", "invoke"),
                        call(BlockingQueue.class, "put", "take"),
                        timedCall(BlockingQueue.class, "offer", "poll"),
                        call(BlockingDeque.class, "putFirst", "putLast", "takeFirst", "takeLast"),
                        timedCall(BlockingDeque.class, "offerFirst", "offerLast", "pollFirst", "pollLast"),
                        call(CountDownLatch.class, "await"),
                        call(CyclicBarrier.class, "await"),
                        call(Phaser.class, "awaitAdvance", "awaitAdvanceInterruptibly", "arriveAndAwaitAdvance"),
                        call(Exchanger.class, "exchange"),
                        call(Condition.class, "await", "awaitNanos", "awaitUninterruptibly", "awaitUntil"),
                        call(Thread.class, "join"),
                        call(ExecutorService.class, "awaitTermination", "invokeAll", "invokeAny", "close"),
                        OBJECT_WAIT))
                .because("submit() returns at once and the limiter's callbacks run on threads it does not own "
                        + "(the scheduler's, the task's): react when a future completes (whenComplete) or when a "
                        + "timer fires (schedule), and keep a lock only for the few steps that change the state")
                .check(learnerClasses);
    }

    @Test
    @Tag("rule-12")
    @DisplayName("reads the time only from the clock it was given")
    void readsTimeOnlyFromItsClock() {
        requireAWorkingLimiter();
        noClasses().that().resideInAPackage(PACKAGE + "..")
                .should().callCodeUnitWhere(anyOf(
                        call(System.class, "nanoTime", "currentTimeMillis"),
                        call(Instant.class, "now"),
                        call(Clock.class, "systemUTC", "systemDefaultZone", "system"),
                        call(InstantSource.class, "system"),
                        call(LocalDateTime.class, "now"),
                        call(ZonedDateTime.class, "now")))
                .because("the constructor's nanoTime clock is the only time the limiter may read: it is what makes "
                        + "the limiter testable in virtual time, and what its scheduler's delays are measured against")
                .check(learnerClasses);
    }

    @Test
    @Tag("rule-12")
    @DisplayName("owns no threads: it waits only through the scheduler it was given")
    void ownsNoThreads() {
        requireAWorkingLimiter();
        noClasses().that().resideInAPackage(PACKAGE + "..")
                .should().callCodeUnitWhere(anyOf(
                        call(Thread.class, "<init>", "start", "ofPlatform", "ofVirtual", "startVirtualThread"),
                        call(Executors.class, "newSingleThreadScheduledExecutor", "newScheduledThreadPool",
                                "newSingleThreadExecutor", "newFixedThreadPool", "newCachedThreadPool",
                                "newVirtualThreadPerTaskExecutor", "newThreadPerTaskExecutor", "newWorkStealingPool"),
                        call(ThreadPoolExecutor.class, "<init>"),
                        call(ForkJoinPool.class, "<init>", "commonPool"),
                        call(java.util.Timer.class, "<init>"),
                        call(CompletableFuture.class, "delayedExecutor", "orTimeout", "completeOnTimeout"),
                        ASYNC_ON_THE_COMMON_POOL))
                .because("time and threads come from the injected scheduler: a thread or timer of its own runs on "
                        + "the real clock (CompletableFuture's delayedExecutor, orTimeout and *Async without an "
                        + "executor use hidden threads of the JDK) and escapes both the tests' virtual time and the "
                        + "application's control")
                .check(learnerClasses);
    }
}

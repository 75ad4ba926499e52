package katas.testkit;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import katas.testkit.time.RunningBudget;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.opentest4j.AssertionFailedError;

/**
 * Bounds every test and, when one hangs, fails it with an explanation of the hang.
 *
 * <p>Registered for every test by JUnit's extension auto-detection. JUnit's own {@code @Timeout}
 * in its default mode waits forever for a thread stuck entering a monitor; this guard runs the
 * test body in a thread of its own so the bound always holds, and, before giving up, asks
 * {@link ThreadDiagnosis} which of the threads started by this test wait on which locks.
 */
public final class HangGuard implements InvocationInterceptor {

    /** Configuration parameter: default bound in seconds for a test without {@link TimeBound}. */
    public static final String SECONDS_PARAMETER = "katas.test.seconds";
    private static final int DEFAULT_SECONDS = 20;

    @Override
    public void interceptTestMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
        guard(invocation, context);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation,
            ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
        guard(invocation, context);
    }

    private static void guard(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
        Duration bound = bound(context);
        Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        CompletableFuture<Void> outcome = new CompletableFuture<>();
        Thread body = Thread.ofPlatform().daemon(true).name("test " + context.getDisplayName())
                .unstarted(() -> {
                    try {
                        invocation.proceed();
                        outcome.complete(null);
                    } catch (Throwable failure) {
                        outcome.completeExceptionally(failure);
                    }
                });
        body.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        body.start();
        // Joined, not awaited through the future: a wait that throws a TimeoutException every slice allocates,
        // and a test that fills the heap must fail with its own OutOfMemoryError, not the guard's.
        RunningBudget budget = new RunningBudget(bound);
        if (!budget.joinAll(List.of(body))) {
            Set<Thread> started = new HashSet<>(Thread.getAllStackTraces().keySet());
            started.removeAll(before);
            started.add(body);
            String why = ThreadDiagnosis.explain(started);
            body.interrupt();
            throw new AssertionFailedError("did not finish within " + budget.describe()
                    + (why.isEmpty() ? "" : ". " + why));
        }
        if (!outcome.isDone()) {
            throw new AssertionFailedError("the test's thread ended without a result");
        }
        try {
            outcome.get();
        } catch (ExecutionException failed) {
            throw failed.getCause();
        }
    }

    private static Duration bound(ExtensionContext context) {
        Optional<TimeBound> onMethod = context.getTestMethod()
                .flatMap(m -> AnnotationSupport.findAnnotation(m, TimeBound.class));
        Optional<TimeBound> onClass = context.getTestClass().flatMap(HangGuard::onClassOrEnclosing);
        int seconds = onMethod.or(() -> onClass).map(TimeBound::seconds)
                .orElseGet(() -> context.getConfigurationParameter(SECONDS_PARAMETER)
                        .map(Integer::parseInt).orElse(DEFAULT_SECONDS));
        return Duration.ofSeconds(seconds);
    }

    /** {@code @Nested} test classes inherit the bound of the class around them. */
    private static Optional<TimeBound> onClassOrEnclosing(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
            Optional<TimeBound> found = AnnotationSupport.findAnnotation(c, TimeBound.class);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }
}

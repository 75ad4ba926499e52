package katas.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.AssertionFailedError;

/**
 * Fails a test that left threads running, for the katas whose code starts threads and must end them all once it is
 * closed: put {@code @ExtendWith(ThreadsLeftBehind.class)} on the test class. Every test then checks it, on every path
 * it takes (a second caller, a failure, a worker's death, an interrupt, a slow count, the default constructor), not
 * only the few tests written about closing. Threads the test made for itself are {@link TestThreads}; the JDK's are
 * left out ({@link LiveThreads#isTheJdks}). A test that failed already is not judged again.
 */
public final class ThreadsLeftBehind implements BeforeEachCallback, AfterEachCallback {

    /** How long threads on their way out are given once the test is over. */
    static final Duration PATIENCE = Duration.ofSeconds(5);

    private static final ExtensionContext.Namespace SPACE = ExtensionContext.Namespace.create(ThreadsLeftBehind.class);

    // The objects a test made, on the test's thread, while this extension watches it: kept until the check is done
    private static final ThreadLocal<List<Object>> KEPT = new ThreadLocal<>();

    /**
     * Keeps {@code made} reachable until the test's threads were checked, when the test runs under this extension
     * (else nothing): a thread that ends only once its owner is collected (an executor of
     * {@code Executors.newSingleThreadExecutor()}, which the JDK shuts down when it becomes unreachable) then counts
     * as left behind every time, not only when no garbage collection came first.
     */
    public static <T> T keptUntilChecked(T made) {
        List<Object> kept = KEPT.get();
        if (kept != null) {
            kept.add(made);
        }
        return made;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(SPACE).put("since", LiveThreads.snapshot());
        KEPT.set(new ArrayList<>());
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        LiveThreads.Snapshot since = context.getStore(SPACE).remove("since", LiveThreads.Snapshot.class);
        try {
            if (since != null && context.getExecutionException().isEmpty()) {
                judge(since, PATIENCE);
            }
        } finally {
            KEPT.remove();
        }
    }

    /** Fails when threads started since {@code since} are still running after {@code patience}. */
    static void judge(LiveThreads.Snapshot since, Duration patience) throws InterruptedException {
        List<String> left = since.stillRunningAfter(patience);
        if (!left.isEmpty()) {
            throw new AssertionFailedError(left.size() + " thread(s) started during this test were still running "
                    + patience.toMillis() + " ms after it ended, every object it made closed: " + left + ". Every "
                    + "thread your code starts must end once it is closed, whichever path started it (a pool made "
                    + "for a second caller or the default constructor, a timer for a slow call, a thread that replaces "
                    + "a dead worker or stops a failed call), also one kept in a static field");
        }
    }
}

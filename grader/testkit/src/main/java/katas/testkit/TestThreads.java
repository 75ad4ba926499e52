package katas.testkit;

import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The threads the tests start for themselves (a watch's sampler, a call made with a bound, a probe's
 * connection), known by identity: a leak check that told them from the learner's by name would miss a
 * learner's thread named like one of them. {@link LiveThreads.Snapshot#startedSince} leaves them out.
 */
public final class TestThreads {

    // Weak: a test thread that ended is forgotten with it.
    private static final Set<Thread> OWN = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

    private TestThreads() {
    }

    /** Marks {@code thread} as the tests' own, before it starts, and hands it back to be started. */
    public static Thread own(Thread thread) {
        OWN.add(thread);
        return thread;
    }

    /** Whether {@code thread} is one the tests started for themselves. */
    public static boolean isOwn(Thread thread) {
        return OWN.contains(thread);
    }
}

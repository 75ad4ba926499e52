package katas.testkit;

import java.util.List;
import java.util.Set;

/**
 * What a structure rule "every call runs on its caller's thread" looks for in the learner's compiled classes, for a
 * kata built from a lock and its conditions: code that starts a thread or hands work to another (a thread built or
 * started, an executor, a timer, a fork-join pool, a cleaner, a parallel stream), and reflection, which could do
 * either out of sight. Each kata's structure test asks these questions of every dependency and call ArchUnit finds.
 *
 * <p>Why a rule and not a test: a call that waits its turn for a busy lock with {@code lockInterruptibly()} can still
 * give up on it, if a watchdog thread of its own interrupts it once a grace is over (red team S: 200 ms). No timed
 * try is made and the caller's state is the right one (WAITING in the lock's queue), so only a test holding the lock
 * past the grace would see it, and no grace is too long to use. A class that needs no thread of its own shows it.
 */
public final class OwnThreads {

    /** Types that run work on another thread, or schedule it, or reach members by reflection; subtypes count too. */
    public static final List<String> RUNS_ELSEWHERE = List.of("java.util.concurrent.Executor",
            "java.util.concurrent.Executors", "java.util.concurrent.ThreadFactory",
            "java.util.concurrent.ForkJoinTask", "java.util.concurrent.CompletionStage", "java.util.Timer",
            "java.util.TimerTask", "javax.swing.Timer", "java.lang.ref.Cleaner", "java.lang.Thread$Builder",
            "java.lang.reflect.AccessibleObject", "java.lang.invoke.MethodHandles", "java.lang.invoke.VarHandle");

    private static final Set<String> THREAD_CALLS = Set.of("start", "startVirtualThread", "ofPlatform", "ofVirtual");
    private static final Set<String> LOOKUPS = Set.of("forName", "getMethod", "getMethods", "getDeclaredMethod",
            "getDeclaredMethods", "getField", "getFields", "getDeclaredField", "getDeclaredFields", "getConstructor",
            "getDeclaredConstructor", "getConstructors", "getDeclaredConstructors");

    private final ClassLoader loader;

    /** Questions about the classes {@code anchor}'s loader sees: the learner's ({@code Watchdog extends Thread}). */
    public OwnThreads(Class<?> anchor) {
        this.loader = anchor.getClassLoader();
    }

    /** Whether depending on {@code type} (a class name) runs work elsewhere or reflects ({@link #RUNS_ELSEWHERE}). */
    public boolean runsElsewhere(String type) {
        return RUNS_ELSEWHERE.stream().anyMatch(name -> is(type, name));
    }

    /** Whether a constructor of {@code owner} builds a thread: {@code Thread} or a class that extends it. */
    public boolean buildsAThread(String owner) {
        return is(owner, "java.lang.Thread");
    }

    /** Whether calling {@code method} on {@code owner} starts a thread, runs a parallel stream, or looks up by name. */
    public boolean startsOrLooksUp(String owner, String method) {
        return (THREAD_CALLS.contains(method) && is(owner, "java.lang.Thread"))
                || method.equals("parallel") || method.equals("parallelStream")
                || (LOOKUPS.contains(method) && owner.equals("java.lang.Class"));
    }

    private boolean is(String type, String name) {
        if (type.equals(name)) {
            return true;
        }
        Class<?> loaded = load(type);
        Class<?> wanted = load(name);
        return loaded != null && wanted != null && wanted.isAssignableFrom(loaded);
    }

    private Class<?> load(String name) {
        try {
            return Class.forName(name, false, loader);
        } catch (ClassNotFoundException | LinkageError notThere) {
            return null;
        }
    }
}

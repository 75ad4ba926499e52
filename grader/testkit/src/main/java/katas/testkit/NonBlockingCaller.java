package katas.testkit;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Makes calls that must never block (a non-blocking {@code submit}, a callback, advancing virtual
 * time) on a thread of its own, and fails at once, saying where, when one of them blocks.
 *
 * <pre>{@code
 * try (NonBlockingCaller caller = NonBlockingCaller.named("caller")) {
 *     CompletableFuture<String> f = caller.call("submit(task)", () -> limiter.submit(task));
 * }
 * }</pre>
 *
 * <p>In a test that runs in virtual time nothing can free a blocked call: the thread that would
 * advance the clock is the one that is waiting. So a call that is seen parked or blocked
 * ({@code WAITING}, {@code TIMED_WAITING} or {@code BLOCKED}) for {@link #DEFAULT_PATIENCE} without
 * a break is reported as blocking, with the blocking method and the line that called it, instead of
 * hanging until the test's time bound. Use it only where nothing else contends for the code's locks
 * (one caller thread at a time), or a short wait for a lock could be taken for blocking. A call that
 * keeps running (spinning) fails once its thread has used {@link #DEFAULT_CPU_BOUND} of CPU time
 * (CPU time, not wall time, so a loaded machine does not make a quick call look like a spinning
 * one), and any call fails after {@link #DEFAULT_BOUND} of wall time.
 *
 * <p>Calls run one after the other on the same thread, each completely before the next, so what one
 * call wrote is visible to the next and to the test. After a call blocked, the caller is broken:
 * further calls fail at once, and {@link #close()} interrupts and abandons the stuck thread (a
 * daemon). A spinning call that does not stop when interrupted cannot be stopped at all, and its
 * thread burns a CPU until the JVM exits; so from then on every call of every caller in this JVM
 * fails at once, naming that call, instead of starting more threads that starve the rest.
 */
public final class NonBlockingCaller implements AutoCloseable {

    /** How long a call may be seen parked or blocked, without a break, before it counts as blocking. */
    public static final Duration DEFAULT_PATIENCE = Duration.ofMillis(300);
    /** How much CPU time a call may use before it counts as spinning. */
    public static final Duration DEFAULT_CPU_BOUND = Duration.ofSeconds(2);
    /** How long a call may take in all (wall time) before it fails, whatever its thread is doing. */
    public static final Duration DEFAULT_BOUND = Duration.ofSeconds(10);
    private static final Duration STOP_GRACE = Duration.ofMillis(200);
    /** The call that was found spinning and could not be stopped; null while there is none. */
    private static volatile String unstoppable;

    private static final List<String> INFRASTRUCTURE_PREFIXES = List.of(
            "java.", "javax.", "jdk.", "sun.", "com.sun.", "org.junit.", "org.opentest4j.",
            "org.assertj.", "org.awaitility.", "org.mockito.", "katas.testkit.", "katas.grader.");

    /** A call that returns nothing. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    private final String name;
    private final ExecutorService executor;
    private Duration patience = DEFAULT_PATIENCE;
    private Duration cpuBound = DEFAULT_CPU_BOUND;
    private Duration bound = DEFAULT_BOUND;
    private volatile Thread worker;
    private volatile boolean inCall;
    private volatile long callCpuStart;
    private String brokenBy;

    private NonBlockingCaller(String name) {
        this.name = name;
        this.executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = Thread.ofPlatform().daemon(true).name(name).unstarted(runnable);
            worker = thread;
            return thread;
        });
    }

    /** A caller whose thread has this name (shown in reports), with the default patience and bounds. */
    public static NonBlockingCaller named(String name) {
        return new NonBlockingCaller(name);
    }

    /** How long a call may be seen parked or blocked, without a break, before it counts as blocking. */
    public NonBlockingCaller patience(Duration patience) {
        this.patience = patience;
        return this;
    }

    /** How much CPU time a call may use before it counts as spinning. */
    public NonBlockingCaller cpuBound(Duration cpuBound) {
        this.cpuBound = cpuBound;
        return this;
    }

    /** How long a call may take in all, in wall time. */
    public NonBlockingCaller bound(Duration bound) {
        this.bound = bound;
        return this;
    }

    /**
     * Runs {@code action} on the caller's thread and returns its result; {@code what} names the
     * call in a failure ("submit(task)"). An exception the action throws is rethrown as it is
     * (checked ones wrapped in an {@link IllegalStateException}).
     *
     * @throws AssertionError when the call blocks or does not return within the bound
     */
    public <T> T call(String what, Callable<T> action) {
        String spinner = unstoppable;
        if (spinner != null) {
            throw new AssertionError("did not make the call " + what + ": an earlier call, " + spinner + ", spins and "
                    + "did not stop when interrupted; its thread still burns a CPU, so no further calls are made in "
                    + "this run");
        }
        if (brokenBy != null) {
            throw new AssertionError("cannot make the call " + what + ": an earlier call, " + brokenBy
                    + ", blocked the thread '" + name + "' for good");
        }
        Future<T> outcome = executor.submit(() -> {
            callCpuStart = ThreadCpu.ofCurrent();
            inCall = true;
            try {
                return action.call();
            } finally {
                inCall = false;
            }
        });
        long start = System.nanoTime();
        long parkedSince = 0L;
        boolean parked = false;
        while (true) {
            try {
                return outcome.get(2, TimeUnit.MILLISECONDS);
            } catch (ExecutionException failed) {
                throw rethrow(failed.getCause());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for " + what, interrupted);
            } catch (TimeoutException notYet) {
                long now = System.nanoTime();
                Thread thread = worker;
                Thread.State state = thread.getState();
                boolean waiting = inCall && (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                        || state == Thread.State.BLOCKED);
                if (!waiting) {
                    parked = false;
                } else if (!parked) {
                    parked = true;
                    parkedSince = now;
                } else if (now - parkedSince >= patience.toNanos() && !outcome.isDone()) {
                    throw broken(what, what + " blocked its caller: " + describe(thread, state)
                            + ". It must return at once and let the waiting happen elsewhere (a scheduled task, "
                            + "a callback when a future completes); here nothing could ever free it, because "
                            + "the thread that moves time on is the one waiting for this call.");
                }
                if (inCall && state == Thread.State.RUNNABLE && !outcome.isDone()) {
                    long cpu = ThreadCpu.of(thread);
                    if (cpu >= 0 && callCpuStart >= 0 && cpu - callCpuStart >= cpuBound.toNanos()) {
                        throw stopSpinner(what, broken(what, what + " did not return after using " + cpuBound.toMillis()
                                + " ms of CPU time: " + describe(thread, thread.getState()) + ". A call that must "
                                + "not block must not spin either (a loop that waits for something to change)."));
                    }
                }
                if (now - start >= bound.toNanos() && !outcome.isDone()) {
                    boolean running = thread.getState() == Thread.State.RUNNABLE;
                    AssertionError late = broken(what, what + " did not return within " + bound.toMillis() + " ms: "
                            + describe(thread, thread.getState()) + ".");
                    throw running ? stopSpinner(what, late) : late;
                }
            }
        }
    }

    /** As {@link #call(String, Callable)}, for a call that returns nothing. */
    public void run(String what, Action action) {
        call(what, () -> {
            action.run();
            return null;
        });
    }

    /** Stops the caller's thread (interrupting it, if a call is stuck). */
    @Override
    public void close() {
        executor.shutdownNow();
    }


    /** After the interrupt that {@link #broken} sent: if the call keeps running, no later call is made. */
    private AssertionError stopSpinner(String what, AssertionError failure) {
        long giveUp = System.nanoTime() + STOP_GRACE.toNanos();
        while (inCall && System.nanoTime() < giveUp) {
            Thread.onSpinWait();
            Thread.yield();
        }
        if (inCall) {
            unstoppable = what;
            return new AssertionError(failure.getMessage() + " It did not stop when interrupted, so no further calls "
                    + "are made in this run.");
        }
        return failure;
    }

    /** Forgets an unstoppable call, for the testkit's own tests. */
    static void forgetUnstoppable() {
        unstoppable = null;
    }

    private AssertionError broken(String what, String message) {
        brokenBy = what;
        executor.shutdownNow();
        return new AssertionError(message);
    }

    private static String describe(Thread thread, Thread.State state) {
        StackTraceElement[] stack = thread.getStackTrace();
        String doing = switch (state) {
            case WAITING -> "its thread is WAITING (parked until something signals it)";
            case TIMED_WAITING -> "its thread is TIMED_WAITING (sleeping or parked with a timeout)";
            case BLOCKED -> "its thread is BLOCKED entering a monitor that another thread holds";
            case RUNNABLE -> "its thread is still RUNNABLE (computing, or spinning in a loop)";
            default -> "its thread is " + state;
        };
        // The blocking method is the JDK method the code called last: the bottom of the top run of JDK frames.
        int outOfJdk = 0;
        while (outOfJdk < stack.length && isJdk(stack[outOfJdk].getClassName())) {
            outOfJdk++;
        }
        if (outOfJdk == stack.length) {
            return doing + (stack.length == 0 ? "" : " in " + frame(stack[0]));
        }
        // Where it was called from: the first frame of the code under test, else the first one outside the JDK.
        int caller = outOfJdk;
        for (int i = outOfJdk; i < stack.length; i++) {
            if (!isInfrastructure(stack[i].getClassName())) {
                caller = i;
                break;
            }
        }
        StringBuilder where = new StringBuilder(doing);
        if (outOfJdk > 0) {
            where.append(" in ").append(method(stack[outOfJdk - 1])).append(", called from ");
        } else {
            where.append(" in ");
        }
        where.append(frame(stack[caller]));
        for (int i = caller + 1, shown = 0; i < stack.length && shown < 2; i++) {
            if (!isInfrastructure(stack[i].getClassName())) {
                where.append(" <- ").append(frame(stack[i]));
                shown++;
            }
        }
        return where.toString();
    }

    private static boolean isJdk(String className) {
        return className.startsWith("java.") || className.startsWith("javax.") || className.startsWith("jdk.")
                || className.startsWith("sun.") || className.startsWith("com.sun.");
    }

    private static boolean isInfrastructure(String className) {
        return INFRASTRUCTURE_PREFIXES.stream().anyMatch(className::startsWith);
    }

    private static String method(StackTraceElement element) {
        String cls = element.getClassName();
        return cls.substring(cls.lastIndexOf('.') + 1) + "." + element.getMethodName();
    }

    private static String frame(StackTraceElement element) {
        String file = element.getFileName() == null ? "" : "(" + element.getFileName()
                + (element.getLineNumber() > 0 ? ":" + element.getLineNumber() : "") + ")";
        return method(element) + file;
    }

    private static RuntimeException rethrow(Throwable failure) {
        if (failure instanceof RuntimeException runtime) {
            return runtime;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(failure);
    }
}

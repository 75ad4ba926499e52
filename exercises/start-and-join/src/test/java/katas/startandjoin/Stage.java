package katas.startandjoin;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import katas.startandjoin.ScriptedSource.Script;
import katas.startandjoin.ScriptedSource.Stop;
import katas.testkit.ThreadEnd;

/**
 * One call of {@code fetchAll}, staged by a test: the sources it is given (each scripted), the thread that
 * calls it, and everything they did. The test scripts the sources, starts the call on a thread of the stage's
 * own, acts on it (lets a source finish, interrupts the caller), then takes its {@link Outcome}.
 *
 * <p>While the test waits, the stage watches the call: it fails at once when a source runs on the caller's
 * thread or on another source's thread, and, when the call makes no progress for {@link #PATIENCE} (no source
 * starts, ends or sees an interrupt), it fails with what the test expected and what each source and the caller
 * were doing. A source that takes a while to wind down after an interrupt ends once its time is up and the
 * caller has been seen waiting meanwhile (for it, presumably), or a second later whatever the caller does.
 * Closing the stage frees whatever is still blocked.
 */
final class Stage implements AutoCloseable {

    /** How long a call may make no progress at all before a test says what it is stuck on. */
    static final Duration PATIENCE = Duration.ofSeconds(2);
    /** How long a whole call may take, progress or not. */
    static final Duration BOUND = Duration.ofSeconds(8);
    /** How long, at least, a stopped source winds down before the caller's waiting lets it end. */
    private static final long WIND_DOWN_MILLIS = 20;
    /** How often the caller must have been seen waiting, while a stopped source winds down, before that source ends. */
    private static final int CALLER_SEEN_WAITING = 10;
    /** How much longer than it must, at most, a source winds down when the caller is never seen waiting. */
    private static final long WIND_DOWN_GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What the call of fetchAll came to, recorded by the caller's thread the moment it returned or threw. */
    record Outcome(List<String> report, Throwable thrown, boolean interruptedAtExit, List<ScriptedSource> stillFetching,
            List<ScriptedSource> threadsAlive, long nanos) {
    }

    private final String name;
    private final List<ScriptedSource> sources = new ArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);
    private final AtomicLong lastProgress = new AtomicLong(System.nanoTime());
    private final Queue<String> violations = new ConcurrentLinkedQueue<>();
    private final Map<Thread, ScriptedSource> byThread = new ConcurrentHashMap<>();
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile CyclicBarrier meeting;
    private volatile CountDownLatch allFetching;
    private volatile Thread caller;
    private volatile Thread nagger;
    private volatile Outcome outcome;
    private volatile long startNanos;

    Stage() {
        this("the report");
    }

    /** A stage named for failure messages, when a test runs several at once. */
    Stage(String name) {
        this.name = name;
    }

    // ------------------------------------------------------------------------------------------ scripting

    ScriptedSource returning(String section) {
        return add(section, Script.RETURNS, null, Stop.THROWS_INTERRUPTED_EXCEPTION, null, 0, 0);
    }

    ScriptedSource meeting(String section) {
        return add(section, Script.MEETS, null, Stop.THROWS_INTERRUPTED_EXCEPTION, null, 0, 0);
    }

    ScriptedSource waitingForItsTurn(String section) {
        return add(section, Script.WAITS_FOR_ITS_TURN, null, Stop.THROWS_INTERRUPTED_EXCEPTION, null, 0, 0);
    }

    /** A source that waits until stopped; one that winds down takes a moment of the caller's waiting. */
    ScriptedSource blocking(String section, Stop stop, Throwable stopFailure) {
        return add(section, Script.BLOCKS, null, stop, stopFailure, 0, WIND_DOWN_MILLIS);
    }

    /** A source that waits until stopped, then winds down for {@code millis} of the caller's waiting. */
    ScriptedSource slowToStop(String section, Stop stop, long millis) {
        if (!stop.windsDown()) {
            throw new IllegalArgumentException(stop + " does not wind down");
        }
        return add(section, Script.BLOCKS, null, stop, null, 0, millis);
    }

    ScriptedSource failing(Throwable failure, boolean onceAllAreFetching) {
        return add("(fails)", onceAllAreFetching ? Script.FAILS_WHEN_ALL_ARE_FETCHING : Script.FAILS, failure,
                Stop.THROWS_INTERRUPTED_EXCEPTION, null, 0, 0);
    }

    ScriptedSource sleeping(String section, long millis) {
        return add(section, Script.SLEEPS, null, Stop.THROWS_INTERRUPTED_EXCEPTION, null, millis, 0);
    }

    private ScriptedSource add(String section, Script script, Throwable failure, Stop stop, Throwable stopFailure,
            long millis, long windDownMillis) {
        if (caller != null) {
            throw new IllegalStateException("script the sources before the call starts");
        }
        ScriptedSource source = new ScriptedSource(this, sources.size(), section, script, failure, stop, stopFailure,
                millis, windDownMillis);
        sources.add(source);
        return source;
    }

    List<ScriptedSource> scripted() {
        return List.copyOf(sources);
    }

    List<Source> sources() {
        return List.copyOf(sources);
    }

    List<String> sections() {
        return sources.stream().map(s -> s.section).toList();
    }

    // ------------------------------------------------------------------------------------------ running

    /** Starts the call of {@code builder.fetchAll(sources)} on a thread of the stage's own. */
    Stage start(ReportBuilder builder) {
        return start(builder, false, null);
    }

    /** Starts the call on a thread whose interrupt status is set before it calls fetchAll. */
    Stage startInterrupted(ReportBuilder builder) {
        return start(builder, true, null);
    }

    /** Starts the call once {@code gate} opens (to start several stages at the same moment). */
    Stage start(ReportBuilder builder, boolean interruptedFirst, CountDownLatch gate) {
        long meetingCount = sources.stream().filter(s -> s.script == Script.MEETS).count();
        meeting = new CyclicBarrier((int) Math.max(1, meetingCount));
        allFetching = new CountDownLatch(sources.size());
        List<Source> given = new ArrayList<>(sources);
        Thread thread = new Thread(() -> call(builder, given, interruptedFirst, gate), "caller of fetchAll ("
                + name + ")");
        thread.setDaemon(true);
        caller = thread;
        startNanos = System.nanoTime();
        progress();
        thread.start();
        return this;
    }

    private void call(ReportBuilder builder, List<Source> given, boolean interruptedFirst, CountDownLatch gate) {
        List<String> report = null;
        Throwable thrown = null;
        long start = 0;
        try {
            if (gate != null) {
                gate.await();
            }
            if (interruptedFirst) {
                Thread.currentThread().interrupt();
            }
            start = System.nanoTime();
            report = builder.fetchAll(given);
        } catch (Throwable failure) {
            thrown = failure;
        } finally {
            long nanos = System.nanoTime() - start;
            boolean interrupted = Thread.currentThread().isInterrupted();
            Thread self = Thread.currentThread();
            List<ScriptedSource> stillFetching = sources.stream().filter(ScriptedSource::isFetching).toList();
            List<ScriptedSource> alive = sources.stream()
                    .filter(s -> s.thread != null && s.thread != self && ThreadEnd.stillRuns(s.thread)).toList();
            outcome = new Outcome(report == null ? null : new ArrayList<>(report), thrown, interrupted, stillFetching,
                    alive, nanos);
            progress();
            done.countDown();
        }
    }

    /** Interrupts the caller's thread, once. */
    void interruptCaller() {
        progress();
        caller.interrupt();
    }

    /** Interrupts the caller's thread again and again, about every millisecond, until the call ends. */
    void keepInterruptingCaller() {
        progress();
        Thread target = caller;
        Thread thread = new Thread(() -> {
            while (done.getCount() > 0) {
                target.interrupt();
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(700));
            }
        }, "interrupter of " + target.getName());
        thread.setDaemon(true);
        nagger = thread;
        thread.start();
    }

    /** Lets a source that waits for its turn finish. */
    void finish(ScriptedSource source) {
        progress();
        source.turn.countDown();
    }

    /** Waits, watching the call, until {@code count} sources have been fetched (or the call has ended). */
    void awaitFetching(int count, String expectation) {
        watch(() -> fetchedCount() >= count || done.getCount() == 0,
                () -> "waited for " + count + " of the " + sources.size() + " sources to be fetched at the same time, "
                        + "but only " + fetchedCount() + " were, and nothing happened for " + PATIENCE.toSeconds()
                        + " s. " + expectation);
    }

    /** Waits, watching the call, until {@code source} has returned or thrown (or the call has ended). */
    void awaitLeft(ScriptedSource source, String expectation) {
        watch(() -> source.leftNanos != 0 || done.getCount() == 0,
                () -> "waited for " + source + " to finish, but it did not, and nothing happened for "
                        + PATIENCE.toSeconds() + " s. " + expectation);
    }

    /** Waits, watching the call, until it has returned or thrown; {@code stuck} says what should have happened. */
    Outcome outcome(Supplier<String> stuck) {
        watch(() -> done.getCount() == 0, stuck);
        failOnViolations();
        return outcome;
    }

    /** As {@link #outcome(Supplier)}, with a fixed expectation. */
    Outcome outcome(String expectation) {
        return outcome(() -> "fetchAll did not return or throw, and nothing happened for " + PATIENCE.toSeconds()
                + " s. " + expectation);
    }

    private void watch(BooleanSupplier reached, Supplier<String> stuck) {
        long begin = System.nanoTime();
        // Patience counts from when the test began to wait, even if it was busy with another stage before.
        lastProgress.accumulateAndGet(begin, Math::max);
        while (!reached.getAsBoolean()) {
            failOnViolations();
            windDownPolicy();
            long now = System.nanoTime();
            if (now - lastProgress.get() > PATIENCE.toNanos()) {
                throw new AssertionError(stuck.get() + "\n" + describe());
            }
            if (now - begin > BOUND.toNanos()) {
                throw new AssertionError("fetchAll was still busy after " + BOUND.toSeconds() + " s. " + stuck.get()
                        + "\n" + describe());
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500));
        }
        failOnViolations();
    }

    /**
     * A source that winds down after an interrupt ends once its time is up and the caller has been seen
     * waiting, again and again, meanwhile (a caller that does not wait for it has returned long before); or
     * once the call is over; or a second after its time, whatever the caller does.
     */
    private void windDownPolicy() {
        long now = System.nanoTime();
        Thread.State state = caller.getState();
        boolean waiting = state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
                || state == Thread.State.BLOCKED;
        for (ScriptedSource source : sources) {
            long since = source.windingSince;
            if (since == 0 || source.letGo.getCount() == 0) {
                continue;
            }
            if (waiting) {
                source.callerSeenWaiting++;
            }
            long due = TimeUnit.MILLISECONDS.toNanos(source.windDownMillis);
            if (done.getCount() == 0 || (source.callerSeenWaiting >= CALLER_SEEN_WAITING && now - since >= due)
                    || now - since >= due + WIND_DOWN_GRACE_NANOS) {
                source.letGo.countDown();
            }
        }
    }

    private void failOnViolations() {
        if (!violations.isEmpty()) {
            throw new AssertionError(String.join("\n", violations) + "\n" + describe());
        }
    }

    /** What every source and the caller are doing now, one line each. */
    String describe() {
        long now = System.nanoTime();
        StringBuilder s = new StringBuilder("What " + name + " looked like " + millis(now - startNanos)
                + " ms after fetchAll was called:");
        Thread c = caller;
        if (c != null) {
            s.append("\n  - the caller: ").append(done.getCount() == 0 ? "fetchAll has " + (outcome.thrown() == null
                    ? "returned" : "thrown " + outcome.thrown().getClass().getSimpleName()) : describeWaiting(c));
        }
        for (ScriptedSource source : sources) {
            s.append("\n  - ").append(source.describe(now));
        }
        return s.toString();
    }

    /** "WAITING in Thread.join, called from ReportBuilder.fetchAll(ReportBuilder.java:41)". */
    static String describeWaiting(Thread thread) {
        StackTraceElement[] stack = thread.getStackTrace();
        String state = thread.getState().name();
        int jdk = 0;
        while (jdk < stack.length && isJdk(stack[jdk].getClassName())) {
            jdk++;
        }
        String in = jdk > 0 ? " in " + method(stack[jdk - 1]) : "";
        String from = "";
        for (StackTraceElement frame : stack) {
            if (frame.getClassName().startsWith("katas.startandjoin.") && !isTestClass(frame.getClassName())) {
                from = ", called from " + method(frame) + "(" + frame.getFileName() + ":" + frame.getLineNumber() + ")";
                break;
            }
        }
        return "still inside fetchAll, " + state + in + from;
    }

    private static boolean isJdk(String className) {
        return className.startsWith("java.") || className.startsWith("jdk.") || className.startsWith("sun.");
    }

    private static boolean isTestClass(String className) {
        String simple = className.substring(className.lastIndexOf('.') + 1);
        return simple.startsWith("Stage") || simple.startsWith("ScriptedSource") || simple.contains("Test");
    }

    private static String method(StackTraceElement frame) {
        String cls = frame.getClassName();
        return cls.substring(cls.lastIndexOf('.') + 1) + "." + frame.getMethodName();
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%,d", TimeUnit.NANOSECONDS.toMillis(nanos));
    }

    // ------------------------------------------------------------------------------------------ what sources report

    /** A source is being fetched; false when on the caller's thread, where it must not block. */
    boolean arrived(ScriptedSource source) {
        progress();
        Thread thread = Thread.currentThread();
        if (thread == caller) {
            violation(source + " was fetched on the thread that called fetchAll, not on a thread of its own: "
                    + "start() a thread to run it (calling run() runs it right here, one source after the other), "
                    + "and never fetch a source yourself (rule 1)");
            return false;
        }
        ScriptedSource other = byThread.putIfAbsent(thread, source);
        if (other != null) {
            violation(source + " and " + other + " were both fetched on " + source.threadName() + ": each source needs "
                    + "a thread of its own, started for it (rule 1)");
        }
        allFetching.countDown();
        return true;
    }

    void violation(String what) {
        violations.add(what);
        progress();
    }

    void progress() {
        lastProgress.set(System.nanoTime());
    }

    CyclicBarrier meeting() {
        return meeting;
    }

    CountDownLatch allFetching() {
        return allFetching;
    }

    CountDownLatch released() {
        return released;
    }

    Thread caller() {
        return caller;
    }

    int fetchedCount() {
        return (int) sources.stream().filter(ScriptedSource::wasFetched).count();
    }

    // ------------------------------------------------------------------------------------------ checks

    /** Rules 1 and 2: the report lists every source's section, in the sources' order. */
    void assertReport(Outcome outcome, List<String> expected) {
        if (outcome.thrown() != null) {
            throw new AssertionError("fetchAll threw " + outcome.thrown() + " where every source returned its "
                    + "section: it should have returned the report (rule 2)\n" + describe(), outcome.thrown());
        }
        assertThat(outcome.report()).as("the report of %d sources: each source's section, in the order of the list "
                + "given to fetchAll, whatever order they finished in (rule 2)\n%s", expected.size(), describe())
                .isEqualTo(expected);
        for (ScriptedSource source : sources) {
            assertThat(source.wasFetched()).as("whether %s was fetched (rule 2)", source).isTrue();
        }
    }

    /** Rule 5: when fetchAll returned or threw, every thread it started had ended. */
    void assertEveryThreadEnded(Outcome outcome) {
        String how = outcome.thrown() == null ? "returned" : "threw " + outcome.thrown().getClass().getSimpleName();
        if (!outcome.stillFetching().isEmpty()) {
            throw new AssertionError("fetchAll " + how + " while " + listWere(outcome.stillFetching()) + " still being "
                    + "fetched" + (outcome.stillFetching().stream().anyMatch(s -> s.wasInterrupted())
                    ? " (told to stop, but still winding down)" : "") + ": a thread you start must have ended before "
                    + "fetchAll returns or throws, so join() every one of them, also after a failure or an interrupt "
                    + "(rule 5)\n" + describe());
        }
        if (!outcome.threadsAlive().isEmpty()) {
            throw new AssertionError("fetchAll " + how + " while the threads of " + list(outcome.threadsAlive())
                    + " were still alive: join() every thread you start before fetchAll returns or throws (rule 5)\n"
                    + describe());
        }
    }

    /** Rule 3: fetchAll threw SourceFailedException for {@code failed}, with its failure as the cause. */
    void assertFailedWith(Outcome outcome, ScriptedSource failed) {
        assertFailedWithOneOf(outcome, List.of(failed));
    }

    /** Rule 3: fetchAll threw SourceFailedException for one of the sources that failed on their own. */
    void assertFailedWithOneOf(Outcome outcome, List<ScriptedSource> failed) {
        String which = failed.size() == 1 ? failed.get(0) + " threw " + failed.get(0).failure
                : list(failed) + " threw " + failed.stream().map(s -> s.failure.getClass().getSimpleName())
                        .collect(Collectors.joining(", "));
        if (outcome.thrown() == null) {
            throw new AssertionError(which + ", but fetchAll returned a report " + outcome.report() + " as if "
                    + "nothing had happened: the failure was lost in its thread. Catch whatever the source throws "
                    + "(an Error and a checked exception too), carry it to the caller's thread and throw "
                    + "SourceFailedException (rule 3)\n" + describe());
        }
        if (!(outcome.thrown() instanceof SourceFailedException thrown)) {
            throw new AssertionError(which + ", and fetchAll threw " + outcome.thrown() + " instead of "
                    + "SourceFailedException with that failure as its cause (rule 3)\n" + describe(), outcome.thrown());
        }
        ScriptedSource reported = thrown.source() >= 0 && thrown.source() < sources.size()
                ? sources.get(thrown.source()) : null;
        if (reported == null && failed.stream().anyMatch(s -> s.failure == thrown)) {
            throw new AssertionError(which + ", and fetchAll threw that very SourceFailedException on, which names "
                    + "source " + thrown.source() + " of the report that source built itself: wrap what the source "
                    + "threw, whatever it is, in a new SourceFailedException with this source's index (rule 3)\n"
                    + describe(), thrown);
        }
        if (reported == null || !failed.contains(reported)) {
            String why = reported == null ? "which is not a source of this report"
                    : reported.wasInterrupted() ? "which threw " + (reported.threw == null ? "nothing"
                    : reported.threw.getClass().getSimpleName()) + " only because it was stopped after the failure:"
                    + " the first failure is the report's failure, what the stopped sources throw is not"
                    : "which did not fail";
            throw new AssertionError(which + ", but fetchAll threw SourceFailedException for source " + thrown.source()
                    + ", " + why + " (rule 3)\n" + describe(), thrown);
        }
        if (thrown.getCause() != reported.failure) {
            String got = thrown.getCause() == null ? "no cause" : "the cause " + thrown.getCause();
            String hint = thrown.getCause() != null && thrown.getCause().getCause() == reported.failure
                    ? ", which wraps it: pass the very throwable the source threw"
                    : thrown.getCause() != null && reported.failure.getCause() == thrown.getCause()
                    ? ", which is the failure's own cause: do not unwrap what the source threw"
                    : thrown.getCause() instanceof InterruptedException
                    ? ", the InterruptedException of a stopped source: only the first failure counts" : "";
            throw new AssertionError(reported + " threw " + reported.failure + ", and fetchAll threw "
                    + "SourceFailedException for it with " + got + hint + ". The cause must be exactly what the "
                    + "source threw (rule 3)\n" + describe(), thrown);
        }
    }

    /** Rule 4: every source still being fetched when another failed was interrupted. */
    void assertOthersStopped(Outcome outcome, ScriptedSource failed) {
        List<ScriptedSource> notStopped = sources.stream()
                .filter(s -> s.script == Script.BLOCKS && s.wasFetched() && !s.wasInterrupted()).toList();
        if (!notStopped.isEmpty()) {
            throw new AssertionError(failed + " failed, and fetchAll did not stop " + list(notStopped) + ": once the "
                    + "report has failed, interrupt the threads still fetching (rule 4)\n" + describe());
        }
    }

    /** Rule 6: an interrupted caller gets InterruptedException, or another exception with its status set again. */
    void assertInterruptReported(Outcome outcome) {
        if (outcome.thrown() == null) {
            throw new AssertionError("the caller of fetchAll was interrupted while the sources were still being "
                    + "fetched, and fetchAll returned a report " + outcome.report() + ": an interrupted caller wants "
                    + "fetchAll to stop; it must throw InterruptedException (rule 6)\n" + describe());
        }
        if (!(outcome.thrown() instanceof InterruptedException) && !outcome.interruptedAtExit()) {
            throw new AssertionError("the caller of fetchAll was interrupted, and fetchAll threw " + outcome.thrown()
                    + " with the thread's interrupt status cleared, so whoever interrupted it cannot tell: throw "
                    + "InterruptedException, or set the interrupt status again before throwing something else "
                    + "(rule 6)\n" + describe(), outcome.thrown());
        }
    }

    /** Rule 6: every source that was being fetched when the caller was interrupted was interrupted too. */
    void assertFetchesStoppedOnInterrupt(Outcome outcome) {
        List<ScriptedSource> notStopped = sources.stream()
                .filter(s -> s.script == Script.BLOCKS && s.wasFetched() && !s.wasInterrupted()).toList();
        if (!notStopped.isEmpty()) {
            throw new AssertionError("the caller of fetchAll was interrupted, and fetchAll did not stop "
                    + list(notStopped) + ": interrupt every thread still fetching, then wait for them (rule 6)\n"
                    + describe());
        }
    }

    /** "source 3", or "sources 1, 4". */
    static String list(List<ScriptedSource> sources) {
        if (sources.size() == 1) {
            return sources.get(0).toString();
        }
        return "sources " + sources.stream().map(s -> String.valueOf(s.index)).collect(Collectors.joining(", "));
    }

    /** "source 3 was", or "sources 1, 4 were". */
    static String listWere(List<ScriptedSource> sources) {
        return list(sources) + (sources.size() == 1 ? " was" : " were");
    }

    // ------------------------------------------------------------------------------------------ cleaning up

    /** Frees every source still blocked, lets the caller go, and waits a little for the threads to end. */
    @Override
    public void close() throws InterruptedException {
        released.countDown();
        sources.forEach(s -> {
            s.turn.countDown();
            s.letGo.countDown();
        });
        CyclicBarrier barrier = meeting;
        if (barrier != null) {
            barrier.reset();
        }
        Thread c = caller;
        if (c == null) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        if (!done.await(200, TimeUnit.MILLISECONDS)) {
            c.interrupt();
            done.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        for (ScriptedSource source : sources) {
            Thread t = source.thread;
            long left = deadline - System.nanoTime();
            if (t != null && t != c && left > 0) {
                t.join(Duration.ofNanos(left));
            }
        }
        Thread n = nagger;
        if (n != null) {
            n.join(Duration.ofMillis(200));
        }
    }
}

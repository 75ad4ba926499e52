package katas.asyncratelimiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.AdditionalAnswers.delegatesTo;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import katas.asyncratelimiter.RulesModel.Ending;
import katas.asyncratelimiter.RulesModel.Limits;
import katas.asyncratelimiter.RulesModel.Times;
import katas.asyncratelimiter.VirtualRun.Job;
import katas.testkit.EveryFailure;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Sneaky;
import katas.testkit.ThreadEnd;
import katas.testkit.time.ManualScheduler;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Hidden: edge cases, in virtual time, each call on a caller thread that fails at once if it blocks. */
@DisplayName("AsyncRateLimiter at the edges")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AsyncRateLimiterEdgeCaseTest {

    static {
        StaleCounts.warmUp(); // compiles the reading loops of the polling test long before it runs
    }

    private static long period(Shapes round) {
        return round.between("period (ns)", 1_000_001L, 999_999_999L) | 1L;
    }

    /** A task whose own future the test completes; it notes when the limiter started it. */
    private static final class Held implements Supplier<CompletableFuture<Object>> {
        final String name;
        final VirtualRun run;
        final CompletableFuture<Object> own = new CompletableFuture<>();
        volatile long startedAt = -1;
        volatile int calls;
        volatile boolean ended;

        Held(String name, VirtualRun run) {
            this.name = name;
            this.run = run;
        }

        @Override
        public CompletableFuture<Object> get() {
            calls++;
            startedAt = run.now();
            return own;
        }

        /** The test ends the task: its own future completes with {@code value}. */
        void end(Object value) {
            ended = true;
            own.complete(value);
        }
    }

    /**
     * The failures code likes to treat apart, thrown here by a supplier like any other: one error the JVM throws
     * when it cannot go on (a {@code VirtualMachineError}) and one it throws when code does not link (a
     * {@code LinkageError}), each drawn from its whole family (libraries that "throw if fatal" let these through),
     * a {@code ThreadDeath} (whose Javadoc asks whoever catches it to rethrow it) and an
     * {@code InterruptedException} (not a cancellation: the caller's future fails with it). Rule 7 treats them all
     * as a task that ended (red team I).
     */
    static List<Throwable> failuresTreatedApart(Shapes round) {
        String message = "a supplier failed fatally";
        Throwable machine = switch (round.between("the VirtualMachineError a supplier throws (kind)", 0, 3)) {
            case 0 -> new StackOverflowError(message);
            case 1 -> new OutOfMemoryError(message);
            case 2 -> new InternalError(message);
            default -> new KataMachineError(message);
        };
        Throwable linkage = switch (round.between("the LinkageError a supplier throws (kind)", 0, 3)) {
            case 0 -> new NoClassDefFoundError(message);
            case 1 -> new IncompatibleClassChangeError(message);
            case 2 -> new UnsatisfiedLinkError(message);
            default -> new LinkageError(message);
        };
        List<Throwable> apart = new ArrayList<>(List.of(machine, linkage));
        EveryFailure.threadDeath().ifPresent(apart::add);
        apart.add(new InterruptedException("a supplier was interrupted"));
        return apart;
    }

    /** A VirtualMachineError of the test's own, so that no check on a JDK class name lets it through. */
    static final class KataMachineError extends VirtualMachineError {
        KataMachineError(String message) {
            super(message);
        }
    }

    @Test
    @Order(1)
    @Tag("rule-6")
    @Tag("rule-7")
    @DisplayName("passes every kind of failure on as it is (unchecked, Error, checked), and submit() never throws it")
    void passesOnEveryKindOfFailureAsItIs(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            long period = period(round);
            try (VirtualRun run = new VirtualRun(round, new Limits(Integer.MAX_VALUE, period, 1), 4 * period)) {
                List<Throwable> failures = new ArrayList<>(AsyncRateLimiterTest.everyKindOfFailure(round));
                // And what some code treats apart (errors called "fatal", ThreadDeath rethrown, an interrupt taken
                // for a cancellation): to the limiter they are what a supplier threw, like any other (rule 7).
                failures.addAll(failuresTreatedApart(round));
                // With a cause of its own (the caller must get this exception, not its cause), and a
                // CompletionException without a cause (which has nothing to unwrap).
                failures.forEach(f -> f.initCause(new java.io.IOException("the cause of " + f.getMessage())));
                failures.add(new CompletionException("a failure with no cause", null));
                for (Throwable failure : failures) {
                    boolean thrown = round.chance("the supplier throws " + failure.getClass().getSimpleName()
                            + " (else its future fails with it)", 0.5);
                    for (boolean throwsIt : new boolean[] {thrown, !thrown}) {
                        CompletableFuture<Object> own = new CompletableFuture<>();
                        CompletableFuture<Object> result = run.caller().call("submit(a task that "
                                + (throwsIt ? "throws " : "fails with ") + failure + ")", () -> {
                                    try {
                                        return run.limiter.submit(() -> {
                                            if (throwsIt) {
                                                throw Sneaky.raise(failure);
                                            }
                                            return own;
                                        });
                                    } catch (Throwable escaped) {
                                        throw new AssertionError("submit() threw " + escaped + ", which the task's "
                                                + "supplier threw: submit() never throws it, the caller's future "
                                                + "fails with it, and the slot is free again (rule 7)", escaped);
                                    }
                                });
                        run.settle();
                        run.caller().run("failing the task's own future", () -> own.completeExceptionally(failure));
                        run.settle();
                        String what = "the future of a task " + (throwsIt ? "whose supplier threw " : "whose future "
                                + "failed with ") + failure;
                        assertThat(result.isCompletedExceptionally()).as("%s has failed", what).isTrue();
                        AtomicReference<Throwable> seen = new AtomicReference<>();
                        result.whenComplete((value, t) -> seen.set(t));
                        assertThat(seen.get()).as("what whenComplete on %s sees: the very same exception, not a "
                                + "wrapper around it (rule 6)", what).isSameAs(failure);
                        assertThat(result.exceptionally(t -> t).join()).as("what exceptionally() on %s sees", what)
                                .isSameAs(failure);
                        try {
                            result.get();
                            throw new AssertionError(what + ": get() returned");
                        } catch (ExecutionException expected) {
                            assertThat(expected.getCause()).as("the cause of the ExecutionException that get() on %s "
                                    + "throws", what).isSameAs(failure);
                        }
                        try {
                            result.join();
                            throw new AssertionError(what + ": join() returned");
                        } catch (CompletionException expected) {
                            assertThat(failure instanceof CompletionException ? expected : expected.getCause())
                                    .as("what join() on %s throws (or its cause)", what).isSameAs(failure);
                        }
                        assertThat(run.inFlight()).as("inFlight() once %s (its slot is free)", what).isZero();
                    }
                }
                Held next = new Held("next", run);
                run.caller().call("submit(next)", () -> run.limiter.submit(next));
                run.settle();
                assertThat(next.calls).as("starts of a task submitted after %s that failed, with one slot",
                        2 * failures.size()).isOne();
            }
        });
    }

    @Test
    @Order(2)
    @Tag("rule-11")
    @DisplayName("runs a long line of tasks that each end the moment they start in a loop, not a recursion")
    void runsALongChainOfInstantTasks(Shapes shapes) throws Exception {
        int count = shapes.between("tasks", 15_000, 25_000);
        try (VirtualRun run = new VirtualRun(shapes, new Limits(Integer.MAX_VALUE, 1_000_000_001L, 1), 1_000_000_001L)) {
            Held blocker = new Held("blocker", run);
            run.caller().call("submit(blocker)", () -> run.limiter.submit(blocker));
            List<CompletableFuture<Object>> results = run.caller().call("submit() x " + count, () -> {
                List<CompletableFuture<Object>> submitted = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    Integer value = i;
                    submitted.add(run.limiter.submit(() -> CompletableFuture.completedFuture(value)));
                }
                return submitted;
            });
            run.caller().run("ending the blocker", () -> blocker.own.complete("blocker"));
            run.settle();
            long done = results.stream().filter(r -> r.isDone() && !r.isCompletedExceptionally()).count();
            Throwable failed = results.stream().filter(CompletableFuture::isCompletedExceptionally).findFirst()
                    .map(VirtualRun::causeOf).orElse(null);
            assertThat(done).as("when the first task ended, the %,d tasks waiting behind it (each ending the moment "
                    + "it starts) should all have run, one after the other, at once; %,d did%s. Starting the next "
                    + "task from inside the callback of the one that just ended nests one call in the other, and "
                    + "thousands of nested calls overflow the stack: let one loop start them instead (rule 11)",
                    count, done, failed == null ? "" : " and one failed with " + failed).isEqualTo(count);
            for (int i = 0; i < count; i += 997) {
                assertThat(results.get(i).join()).as("the result of task %d", i).isEqualTo(i);
            }
            assertThat(run.inFlight()).as("inFlight() at the end").isZero();
        }
    }

    @Test
    @Order(3)
    @Tag("rule-11")
    @DisplayName("calls suppliers and completes callers' futures without holding its lock: other threads may call in")
    void callsOtherPeoplesCodeOutsideItsLock(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            // The slot that lets the waiting task start is freed by a blocker that ends, and (red team S) by a
            // caller that cancels a blocker in flight: both, in a drawn order, each on a limiter of its own.
            for (String frees : round.shuffled("how the slot is freed", List.of("a blocker ends",
                    "its caller cancels a blocker in flight"))) {
                callsOtherPeoplesCodeOutsideItsLock(round, frees.startsWith("its caller"));
            }
        });
    }

    private static void callsOtherPeoplesCodeOutsideItsLock(Shapes round, boolean byCancel) {
        {
            long period = period(round);
            int maxConcurrent = round.between("maxConcurrent", 1, 3);
            try (VirtualRun run = new VirtualRun(round, new Limits(Integer.MAX_VALUE, period, maxConcurrent),
                    4 * period)) {
                List<String> problems = new ArrayList<>();
                Held[] blockers = new Held[maxConcurrent];
                List<CompletableFuture<Object>> blockerResults = new ArrayList<>();
                for (int i = 0; i < maxConcurrent; i++) {
                    blockers[i] = new Held("blocker " + i, run);
                    Held blocker = blockers[i];
                    blockerResults.add(run.caller().call("submit(blocker)", () -> run.limiter.submit(blocker)));
                }
                AtomicInteger helperTasks = new AtomicInteger();
                CompletableFuture<Object> result = run.caller().call("submit(a task whose supplier waits for another "
                        + "thread that calls the limiter)", () -> run.limiter.submit(() -> {
                            problems.add(OtherThread.calls(run.limiter, "the task's supplier", helperTasks));
                            return CompletableFuture.completedFuture("done");
                        }));
                result.whenComplete((value, failure) -> problems.add(OtherThread.calls(run.limiter,
                        "a callback on the caller's future", helperTasks)));
                // On the test's own thread, not a watched caller: the supplier and the callback wait for another
                // thread here, which a watched caller would take for blocking. Cancelling a blocker's future while
                // it runs cancels its own future (rule 8), whose end frees the slot like any other end.
                if (byCancel) {
                    blockerResults.getFirst().cancel(round.chance("cancel(mayInterruptIfRunning)", 0.5));
                } else {
                    blockers[0].own.complete("blocker");
                }
                run.settle();
                problems.removeIf(p -> p == null);
                if (!problems.isEmpty()) {
                    throw new AssertionError("the slot was freed by " + (byCancel ? "cancelling the future of a task "
                            + "in flight (its caller cancelled it)" : "a task that ended") + ": " + problems.getFirst());
                }
                assertThat(blockers[0].own.isCancelled() || !byCancel).as("the own future of a task in flight whose "
                        + "caller cancelled it was cancelled (rule 8)").isTrue();
                assertThat(result.getNow(null)).as("the result of the task whose supplier called in").isEqualTo("done");
                assertThat(helperTasks).as("tasks that the other thread submitted and that started").hasValue(2);
            }
        }
    }

    /** Another thread that calls the limiter while the calling code waits for it. */
    private static final class OtherThread {
        private OtherThread() {
        }

        /** Null when another thread could call waiting(), inFlight() and submit(); otherwise what went wrong. */
        static String calls(AsyncRateLimiter limiter, String from, AtomicInteger started) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread other = Thread.ofPlatform().daemon(true).name("another thread").start(() -> {
                try {
                    limiter.waiting();
                    limiter.inFlight();
                    limiter.submit(() -> {
                        started.incrementAndGet();
                        return CompletableFuture.completedFuture("from another thread");
                    });
                    done.complete(null);
                } catch (Throwable failure) {
                    done.completeExceptionally(failure);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            long stuckSince = 0;
            while (!done.isDone() && System.nanoTime() < deadline) {
                Thread.State state = other.getState();
                boolean stuck = (state == Thread.State.BLOCKED || state == Thread.State.WAITING)
                        && inLimiter(other.getStackTrace());
                if (!stuck) {
                    stuckSince = 0;
                } else if (stuckSince == 0) {
                    stuckSince = System.nanoTime();
                } else if (System.nanoTime() - stuckSince > TimeUnit.MILLISECONDS.toNanos(300)) {
                    break;
                }
                try {
                    done.get(5, TimeUnit.MILLISECONDS);
                } catch (Exception notYet) {
                    // look again
                }
            }
            return outcome(done, other, from, "the limiter (waiting(), inFlight(), submit())",
                    "ran code that is not its own", "Decide under the lock, then leave it before you call a supplier "
                            + "or complete a caller's future");
        }

        /**
         * Null when the other thread's calls returned; else what they did while {@code from} ran: threw, or were
         * stuck waiting for {@code from}'s thread, which held the lock while it {@code heldWhile}.
         */
        private static String outcome(CompletableFuture<Void> done, Thread other, String from, String called,
                String heldWhile, String advice) {
            if (done.isDone() && !done.isCompletedExceptionally()) {
                return null;
            }
            if (done.isCompletedExceptionally()) {
                return "while " + from + " ran, another thread's call into the limiter threw " + VirtualRun.causeOf(done);
            }
            StackTraceElement[] stack = other.getStackTrace();
            String where = stack.length == 0 ? "" : " in " + firstLimiterFrame(stack);
            return "while " + from + " ran, another thread that called " + called + " was stuck (" + other.getState()
                    + where + "), and " + from + " waits for that thread: the limiter held its lock while it "
                    + heldWhile + ", so the two wait for each other for ever. " + advice + " (rule 11).";
        }

        /**
         * Closes the limiter on another thread and waits until it is closed, or until it is stuck on the
         * limiter's lock (then it closes once the lock is free); returns that thread.
         */
        static Thread closes(AsyncRateLimiter limiter) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread other = Thread.ofPlatform().daemon(true).name("closing thread").start(() -> {
                limiter.close();
                done.complete(null);
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            long stuckSince = 0;
            while (!done.isDone() && System.nanoTime() < deadline) {
                Thread.State state = other.getState();
                boolean stuck = (state == Thread.State.BLOCKED || state == Thread.State.WAITING)
                        && inLimiter(other.getStackTrace());
                if (!stuck) {
                    stuckSince = 0;
                } else if (stuckSince == 0) {
                    stuckSince = System.nanoTime();
                } else if (System.nanoTime() - stuckSince > TimeUnit.MILLISECONDS.toNanos(100)) {
                    return other; // the limiter holds its lock while it schedules: close() will come after
                }
                Thread.onSpinWait();
            }
            return other;
        }

        /**
         * Null when another thread could call waiting() and inFlight() while the calling thread (a watched caller,
         * inside a callback) waits for it; otherwise what went wrong. It waits without parking (a watched caller
         * must not look blocked) until the other thread has returned, or is seen blocked or parked inside the
         * limiter: nobody else calls the limiter meanwhile, so that thread can only be waiting for the lock that
         * this thread holds. No timing decides it; the 10 s bound only keeps a broken limiter from hanging the test.
         */
        static String readsTheCounts(AsyncRateLimiter limiter, String from) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread other = Thread.ofPlatform().daemon(true).name("another thread").start(() -> {
                try {
                    limiter.waiting();
                    limiter.inFlight();
                    done.complete(null);
                } catch (Throwable failure) {
                    done.completeExceptionally(failure);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!done.isDone() && System.nanoTime() < deadline) {
                Thread.State state = other.getState();
                if ((state == Thread.State.BLOCKED || state == Thread.State.WAITING
                        || state == Thread.State.TIMED_WAITING) && !done.isDone() && inLimiter(other.getStackTrace())) {
                    break;
                }
                Thread.yield();
            }
            return outcome(done, other, from, "waiting() and inFlight()", "completed a caller's future",
                    "Collect the futures to fail under the lock, then leave it before you complete them");
        }

        private static boolean inLimiter(StackTraceElement[] stack) {
            for (StackTraceElement e : stack) {
                if (e.getClassName().startsWith(AsyncRateLimiter.class.getName())) {
                    return true;
                }
            }
            return false;
        }

        private static String firstLimiterFrame(StackTraceElement[] stack) {
            for (StackTraceElement e : stack) {
                if (e.getClassName().startsWith(AsyncRateLimiter.class.getName())) {
                    return e.getMethodName() + "(" + e.getFileName() + ":" + e.getLineNumber() + ")";
                }
            }
            return stack[0].toString();
        }
    }

    @Test
    @Order(4)
    @Tag("rule-5")
    @DisplayName("reads the clock when it decides: time passes while a supplier runs")
    void readsTheClockWhenItDecides(Shapes shapes) throws Exception {
        shapes.check(6, round -> {
            int permits = round.between("permits", 2, 4);
            long period = period(round);
            int count = round.between("tasks after the first", 2 * permits + 1, 4 * permits + 2);
            long endsAt = round.between("the first task ends at (ns)", 1, period - 1);
            Random random = round.random();
            long[] takes = new long[count];
            for (int i = 0; i < count; i++) {
                takes[i] = i == 0 || random.nextInt(3) == 0 ? 1 + random.nextLong(period) : 0;
            }
            try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, 1), (count + 2) * 2 * period)) {
                Held first = new Held("first", run);
                run.caller().call("submit(first)", () -> run.limiter.submit(first));
                long[] startedAt = new long[count];
                long[] took = new long[count];
                List<CompletableFuture<Object>> results = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    int k = i;
                    startedAt[k] = -1;
                    results.add(run.caller().call("submit(task " + (k + 1) + ")", () -> run.limiter.submit(() -> {
                        startedAt[k] = run.now();
                        if (takes[k] > 0) {
                            try {
                                run.scheduler.advanceBy(Duration.ofNanos(takes[k])); // the supplier takes this long
                            } catch (IllegalStateException calledFromATimer) {
                                // started by a timer: time cannot move while the timer runs, so it takes no time
                            }
                        }
                        took[k] = run.now() - startedAt[k];
                        return CompletableFuture.completedFuture(k);
                    })));
                }
                run.settle();
                run.advanceTo(endsAt);
                run.caller().run("ending the first task", () -> first.own.complete("first"));
                run.settle();
                run.advanceTo(run.now() + (count + 2) * 2 * period);
                List<Long> starts = new ArrayList<>();
                starts.add(0L);
                List<Long> expected = new ArrayList<>();
                expected.add(0L);
                long ready = endsAt;
                for (int k = 0; k < count; k++) {
                    long window = k + 1 < permits ? 0 : expected.get(k + 1 - permits) + period;
                    long start = Math.max(ready, window);
                    expected.add(start);
                    starts.add(startedAt[k]);
                    ready = (startedAt[k] < 0 ? start : startedAt[k]) + took[k];
                }
                if (!starts.equals(expected)) {
                    StringBuilder story = new StringBuilder();
                    for (int k = 0; k < count; k++) {
                        story.append("\n    task ").append(k + 1).append(" (ends the moment its supplier returns; "
                                + "its supplier takes ").append(Times.span(took[k])).append("): started at ")
                                .append(startedAt[k] < 0 ? "never" : Times.at(startedAt[k])).append(", the rules say ")
                                .append(Times.at(expected.get(k + 1)));
                    }
                    throw new AssertionError("with " + run.limits + ", a first task that ran until "
                            + Times.at(endsAt) + ", then tasks that end the moment their supplier returns, but whose "
                            + "suppliers take time (the clock moves on while they run), the tasks started at "
                            + Times.list(starts) + " but the rules say " + Times.list(expected) + ". A limiter that "
                            + "reads the clock once and decides several starts with that reading counts a start at "
                            + "a moment that has passed (rule 5):" + story);
                }
                for (int k = 0; k < count; k++) {
                    assertThat(results.get(k).getNow(null)).as("the result of task %d", k + 1).isEqualTo(k);
                }
            }
        });
    }

    @Test
    @Order(5)
    @Tag("rule-8")
    @DisplayName("cancels the task's own future when its caller cancels while the supplier runs, and frees the slot")
    void cancelsATaskCancelledWhileItStarts(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            long period = period(round);
            try (VirtualRun run = new VirtualRun(round, new Limits(Integer.MAX_VALUE, period, 1), 4 * period)) {
                Held blocker = new Held("blocker", run);
                run.caller().call("submit(blocker)", () -> run.limiter.submit(blocker));
                CompletableFuture<Object> own = new CompletableFuture<>();
                AtomicReference<CompletableFuture<Object>> mine = new AtomicReference<>();
                boolean fromOtherThread = round.chance("the caller cancels from another thread", 0.5);
                mine.set(run.caller().call("submit(a task whose caller cancels it while its supplier runs)",
                        () -> run.limiter.submit(() -> {
                            if (fromOtherThread) {
                                Thread other = Thread.ofPlatform().daemon(true).start(() -> mine.get().cancel(true));
                                try {
                                    other.join(5_000);
                                } catch (InterruptedException interrupted) {
                                    Thread.currentThread().interrupt();
                                }
                            } else {
                                mine.get().cancel(true);
                            }
                            return own;
                        })));
                Held next = new Held("next", run);
                run.caller().call("submit(next)", () -> run.limiter.submit(next));
                blocker.own.complete("blocker"); // on the test's thread: the supplier may wait for another thread
                run.settle();
                assertThat(mine.get().isCancelled()).as("the caller's future, which its caller cancelled").isTrue();
                assertThat(own.isCancelled()).as("the task's own future: its caller cancelled it while the supplier "
                        + "ran (the task was already in flight), so the cancellation must reach the task's own "
                        + "future, or the task runs for nobody and keeps its slot (rule 8)").isTrue();
                assertThat(next.calls).as("starts of the next task: the cancelled task's slot is free").isOne();
                assertThat(run.inFlight()).as("inFlight(): only the next task").isOne();
            }
        });
    }

    @Test
    @Order(6)
    @Tag("rule-8")
    @DisplayName("forgets a cancelled waiting task at once: it leaves the line and nothing of it stays reachable")
    void forgetsCancelledTasks(Shapes shapes) throws Exception {
        int count = shapes.between("cancelled tasks", 2_000, 6_000);
        long period = period(shapes);
        try (VirtualRun run = new VirtualRun(shapes, new Limits(Integer.MAX_VALUE, period, 1), 4 * period)) {
            Held blocker = new Held("blocker", run);
            run.caller().call("submit(blocker)", () -> run.limiter.submit(blocker));
            AtomicInteger started = new AtomicInteger();
            List<WeakReference<Object>> payloads = new ArrayList<>();
            List<CompletableFuture<Object>> waiting = run.caller().call("submit() x " + count, () -> {
                List<CompletableFuture<Object>> submitted = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    Object payload = new byte[64];
                    payloads.add(new WeakReference<>(payload));
                    submitted.add(run.limiter.submit(() -> {
                        started.incrementAndGet();
                        return CompletableFuture.completedFuture(payload);
                    }));
                }
                return submitted;
            });
            // The callers' futures too: once cancelled and dropped by their callers, nothing of them may stay.
            List<WeakReference<Object>> futures = new ArrayList<>();
            waiting.forEach(f -> futures.add(new WeakReference<>(f)));
            assertThat(run.waiting()).as("waiting()").isEqualTo(count);
            // In a random order: a limiter that lets only the head of its line leave at once, and keeps the others
            // until their turn (red team E), is then caught; first to last would remove the head every time.
            List<Integer> cancelOrder = shapes.shuffled("order of the cancels",
                    java.util.stream.IntStream.range(0, count).boxed().toList());
            // First fewer than half of them: a limiter that only marks cancelled tasks and drops the marked ones in
            // bulk once they are half of the line (red team G) keeps these; then all the others.
            int firstBatch = count * shapes.between("% of the waiting tasks cancelled first", 30, 49) / 100;
            List<Integer> cancelledFirst = cancelOrder.subList(0, firstBatch);
            run.caller().run("cancelling " + firstBatch + " of the " + count + " waiting futures, in a random order",
                    () -> cancelledFirst.forEach(i -> waiting.get(i).cancel(false)));
            assertThat(cancelledFirst).as("futures cancelled first").allMatch(i -> waiting.get(i).isCancelled());
            cancelledFirst.forEach(i -> waiting.set(i, null));
            assertThat(run.waiting()).as("waiting() right after %d of the %d waiting tasks were cancelled: cancelled "
                    + "tasks leave the line at once", firstBatch, count).isEqualTo(count - firstBatch);
            int[] keptFirst = keptAfterCollections(cancelledFirst.stream().map(payloads::get).toList(),
                    cancelledFirst.stream().map(futures::get).toList());
            assertThat(keptFirst).as("[suppliers, futures] of the %d cancelled waiting tasks (fewer than half of the "
                    + "%d in line) that the limiter still holds, after garbage collections, though their callers let "
                    + "go of them: a cancelled task leaves the line at once and the limiter keeps nothing of it, not "
                    + "a mark to drop it later when enough others are cancelled (rule 8)", firstBatch, count)
                    .containsExactly(0, 0);
            List<Integer> cancelledThen = cancelOrder.subList(firstBatch, count);
            run.caller().run("cancelling the other " + (count - firstBatch) + " futures in a random order",
                    () -> cancelledThen.forEach(i -> waiting.get(i).cancel(false)));
            assertThat(cancelledThen).as("futures of the cancelled tasks").allMatch(i -> waiting.get(i).isCancelled());
            waiting.clear();
            assertThat(run.waiting()).as("waiting() right after every waiting task was cancelled: cancelled tasks "
                    + "leave the line at once").isZero();
            int[] kept = keptAfterCollections(payloads, futures);
            int shells = kept[1];
            assertThat(shells).as("futures of cancelled waiting tasks that the limiter still holds, after garbage "
                    + "collections, though their callers let go of them, while the task ahead of them is still running: "
                    + "a cancelled task leaves the line at once and the limiter keeps nothing of it, not even a "
                    + "shell marked cancelled that waits for its turn to be skipped (rule 8)").isZero();
            assertThat(kept[0]).as("cancelled waiting tasks whose supplier the limiter still holds, after garbage "
                    + "collections, while the task ahead of them is still running: a cancelled task must leave the "
                    + "line at once, or a limiter whose first task hangs keeps every cancelled request in memory for "
                    + "ever (rule 8)").isZero();
            // Nor an empty place for each: count what the limiter's own objects hold (its objects, and the entries of
            // the collections and arrays they reach), with one task in flight and every waiting one cancelled.
            Retained retained = Retained.by(run.limiter);
            long held = retained.objects + retained.present;
            assertThat(held).as("objects and entries the limiter holds (its own objects, and the elements of the "
                    + "collections and arrays they reach) once all %d waiting tasks were cancelled, while the task "
                    + "ahead of them is still running: a place kept in the line for each cancelled task, even an empty "
                    + "one, is memory that grows with every cancelled request for as long as the first task hangs; "
                    + "a cancelled task leaves the line at once (rules 8, 13)", count).isLessThan(count / 4);
            // Nor a place that stays until the drainer steps over it (red team I: a ring indexed by sequence number,
            // whose emptied places stay while the first task hangs): many more tasks, each cancelled right after it
            // was submitted, must not grow what the limiter holds beyond the most that ever waited at once (an
            // ArrayDeque, or an array of one's own, keeps the room of its busiest moment, and no more).
            int more = 16 * count;
            run.caller().run("submitting " + more + " more tasks, each cancelled at once", () -> {
                for (int i = 0; i < more; i++) {
                    run.limiter.submit(() -> {
                        started.incrementAndGet();
                        return CompletableFuture.completedFuture("cancelled at once");
                    }).cancel(false);
                }
            });
            Retained after = Retained.by(run.limiter);
            assertThat(after.entries).as("places in the arrays and collections the limiter holds (the largest: %s, "
                    + "%,d places) once %,d more tasks were submitted and each cancelled at once, while the task "
                    + "ahead of them is still running and at most %,d ever waited at once: a cancelled task leaves "
                    + "the line at once, also its place, or the line grows with every cancelled request for as long as "
                    + "the first task hangs (rules 8, 13)", after.largest, after.largestEntries, more, count)
                    .isLessThanOrEqualTo(4L * count + 64);
            run.caller().run("ending the blocker", () -> blocker.own.complete("blocker"));
            run.advanceTo(2 * period);
            assertThat(started).as("cancelled tasks that were started anyway").hasValue(0);
            assertThat(run.inFlight()).as("inFlight() at the end").isZero();
        }
    }

    @Test
    @Order(31)
    @Tag("rule-13")
    @DisplayName("holds no more after hundreds of wake-ups than before them: nothing of a wake-up that has run is kept")
    void keepsNothingOfTheWakeUpsThatRan(Shapes shapes) throws Exception {
        // Red team J: every wake-up's ScheduledFuture kept in a list that only close() empties. One task waits at a
        // time, so one wake-up a period: what a limiter holds may follow the most that waited at once (an
        // ArrayDeque's room, timers kept until the next one is scheduled), not the number of periods.
        int periods = shapes.between("periods, with one task held back in each", 100, 300);
        long period = period(shapes);
        try (VirtualRun run = new VirtualRun(shapes, new Limits(1, period, 1), (periods + 2) * period)) {
            AtomicInteger started = new AtomicInteger();
            Supplier<CompletableFuture<Object>> task = () -> {
                started.incrementAndGet();
                return CompletableFuture.completedFuture("done");
            };
            run.caller().run("submit() x 2", () -> {
                run.limiter.submit(task);
                run.limiter.submit(task);
            });
            // What it holds after the first few wake-ups, in the same state as at the end (the wake-up that started
            // the task held back has run, nothing waits, nothing is in flight, one start in the window), is the
            // measure: a structure of a fixed size (a ring of starts with room for 32, say) is no leak, only growth
            // is (red team S: an absolute bound failed a right limiter whose ring starts at 32 places).
            int before = 8;
            long held = -1;
            for (int i = 1; i < periods; i++) {
                run.advanceTo(i * period);
                if (i == before) {
                    Retained early = Retained.by(run.limiter);
                    held = early.entries + early.objects;
                }
                run.caller().run("submit() at the start of period " + i, () -> run.limiter.submit(task));
            }
            run.advanceTo(periods * period);
            assertThat(started).as("tasks started, one a period, after %d periods", periods).hasValue(periods + 1);
            Retained retained = Retained.by(run.limiter);
            int slack = 16; // a collection that grows by a step now and then; a leak here grows by one a period
            assertThat(retained.entries + retained.objects).as("objects and places in the arrays and collections "
                    + "the limiter holds (the largest: %s, %,d places) after %d wake-ups ran, one a period with one "
                    + "task waiting at a time, and nothing waiting or in flight now, against %,d after the first %d "
                    + "wake-ups, in the same state: what a wake-up that ran leaves behind grows with every period for "
                    + "as long as the limiter lives (rule 13)", retained.largest, retained.largestEntries, periods,
                    held, before).isLessThanOrEqualTo(held + slack);
        }
    }

    /** How many of {@code payloads} and of {@code futures} are still reachable after some garbage collections. */
    private static int[] keptAfterCollections(List<WeakReference<Object>> payloads,
            List<WeakReference<Object>> futures) throws InterruptedException {
        int kept = 0;
        int shells = 0;
        for (int attempt = 0; attempt < 12; attempt++) {
            System.gc();
            kept = (int) payloads.stream().filter(p -> p.get() != null).count();
            shells = (int) futures.stream().filter(p -> p.get() != null).count();
            if (kept == 0 && shells == 0) {
                break;
            }
            Thread.sleep(5);
        }
        return new int[] {kept, shells};
    }

    @Test
    @Order(7)
    @Tag("rule-8")
    @DisplayName("leaves a finished task alone when its caller cancels it afterwards")
    void ignoresACancelAfterTheEnd(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            long period = period(round);
            long lasts = round.between("lasts (ns)", 1, period - 1);
            Plan plan = new Plan().add(0, lasts, Ending.SUCCEEDS, lasts + round.between("cancelled after its end (ns)",
                    0, period), null);
            plan.succeeds(0, lasts).succeeds(0, 0);
            try (VirtualRun run = new VirtualRun(round, new Limits(1, period, 1), 5 * period)) {
                run.play(plan);
            }
        });
    }

    @Test
    @Order(8)
    @Tag("rule-13")
    @DisplayName("keeps periods of any length exactly: a few nanoseconds, days, centuries, Long.MAX_VALUE ns")
    void keepsPeriodsOfAnyLength(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int permits = round.between("permits", 1, 3);
            long tiny = round.between("tiny period (ns)", 1, 1_499);
            Plan fast = new Plan();
            for (int i = 0; i < 5 * permits + 1; i++) {
                fast.succeeds(0, 0);
            }
            try (VirtualRun run = new VirtualRun(round, new Limits(permits, tiny, Integer.MAX_VALUE), 8 * tiny)) {
                run.play(fast);
            }
            long days = round.between("long period (ns)", 86_400_000_000_000L, Long.MAX_VALUE / 4);
            try (VirtualRun run = new VirtualRun(round, new Limits(permits, days, Integer.MAX_VALUE), 3 * days)) {
                List<Held> tasks = new ArrayList<>();
                for (int i = 0; i <= permits; i++) {
                    Held task = new Held("task " + i, run);
                    tasks.add(task);
                    run.caller().call("submit(task " + i + ")", () -> run.limiter.submit(task));
                }
                run.settle();
                run.advanceTo(days - 1);
                assertThat(tasks.getLast().calls).as("starts of task %d before a period of %s had passed", permits,
                        Times.span(days)).isZero();
                run.advanceTo(days);
                assertThat(tasks.getLast().startedAt).as("when task %d started: exactly one period (%s) after the "
                        + "first start", permits, Times.span(days)).isEqualTo(days);
            }
            try (VirtualRun run = new VirtualRun(round, new Limits(1, Long.MAX_VALUE, 1), Long.MAX_VALUE / 4)) {
                Held first = new Held("first", run);
                Held second = new Held("second", run);
                run.caller().call("submit(first)", () -> run.limiter.submit(first));
                run.caller().run("ending the first", () -> first.own.complete("first"));
                run.caller().call("submit(second)", () -> run.limiter.submit(second));
                run.settle();
                long later = round.between("virtual time moved on (ns)", 1, Long.MAX_VALUE / 4);
                run.advanceTo(later);
                assertThat(second.calls).as("starts of a second task %s after the first, with one start per "
                        + "Long.MAX_VALUE ns (292 years)", Times.span(later)).isZero();
                assertThat(run.waiting()).as("waiting()").isOne();
            }
        });
    }

    @Test
    @Order(9)
    @Tag("rule-13")
    @DisplayName("takes permits and maxConcurrent up to Integer.MAX_VALUE without memory for each permit")
    void takesHugeLimits(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            int permits = round.oneOf("permits", Integer.MAX_VALUE, round.between("huge permits", 200_000_000,
                    Integer.MAX_VALUE));
            int maxConcurrent = round.oneOf("maxConcurrent", Integer.MAX_VALUE, permits);
            long period = period(round);
            Plan plan = new Plan();
            Random random = round.random();
            int count = round.between("tasks", 300, 1_200);
            for (int i = 0; i < count; i++) {
                plan.add(0, random.nextBoolean() ? 0 : 1 + random.nextLong(period), random.nextInt(4) == 0
                        ? Ending.HELD : Ending.SUCCEEDS, -1, null);
            }
            try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, maxConcurrent), 3 * period)) {
                run.play(plan);
            }
        });
    }

    @Test
    @Order(10)
    @Tag("rule-2")
    @Tag("rule-13")
    @DisplayName("keeps a rate of thousands of starts per period exactly")
    void keepsThousandsOfPermits(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            int permits = round.between("permits", 65, 5_000);
            long period = period(round);
            int extra = round.between("tasks beyond the permits", 1, permits);
            int count = permits + extra;
            try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, Integer.MAX_VALUE), 4 * period)) {
                long[] startedAt = new long[count];
                java.util.Arrays.fill(startedAt, -1);
                run.caller().run("submit() x " + count, () -> {
                    for (int i = 0; i < count; i++) {
                        int k = i;
                        run.limiter.submit(() -> {
                            startedAt[k] = run.now();
                            return CompletableFuture.completedFuture(k);
                        });
                    }
                });
                run.settle();
                run.advanceTo(period - 1);
                long atOnce = java.util.Arrays.stream(startedAt).filter(t -> t == 0).count();
                long early = java.util.Arrays.stream(startedAt).filter(t -> t > 0).count();
                assertThat(atOnce + early).as("tasks started within the first period, of %,d submitted at once with "
                        + "%s: exactly %,d may (rule 2)", count, run.limits, permits).isEqualTo(permits);
                run.advanceTo(period);
                for (int i = permits; i < count; i++) {
                    assertThat(startedAt[i]).as("when task %,d started: the %,d starts at +0 ms leave the window at %s "
                            + "(rule 5)", i + 1, permits, Times.at(period)).isEqualTo(period);
                }
            }
        });
    }

    @Test
    @Order(11)
    @Tag("rule-12")
    @DisplayName("fails the waiting tasks when the scheduler refuses a wake-up, and never shuts it down itself")
    void failsWaitingTasksWhenTheSchedulerRefuses(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            int permits = round.between("permits", 1, 4);
            long period = period(round);
            int waiting = round.between("tasks that wait for the rate", 1, 6);
            try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, Integer.MAX_VALUE), 4 * period)) {
                List<Held> flying = new ArrayList<>();
                List<CompletableFuture<Object>> flyingResults = new ArrayList<>();
                for (int i = 0; i < permits; i++) {
                    Held task = new Held("task " + i, run);
                    flying.add(task);
                    flyingResults.add(run.caller().call("submit(task " + i + ")", () -> run.limiter.submit(task)));
                }
                run.settle();
                assertThat(run.scheduler.isShutdown()).as("the scheduler was shut down by the limiter").isFalse();
                run.scheduler.shutdownNow();
                List<CompletableFuture<Object>> results = new ArrayList<>();
                for (int i = 0; i < waiting; i++) {
                    Held task = new Held("late " + i, run);
                    results.add(run.caller().call("submit(a task that must wait for the rate, after the scheduler was "
                            + "shut down)", () -> run.limiter.submit(task)));
                }
                for (CompletableFuture<Object> result : results) {
                    assertThat(result.isDone()).as("a task that waits for a wake-up that the scheduler refused to "
                            + "schedule (it was shut down) can never start: its future must fail, not wait for ever "
                            + "(rule 12)").isTrue();
                    assertThat(VirtualRun.causeOf(result)).as("how it failed").isInstanceOf(
                            RejectedExecutionException.class);
                }
                assertThat(run.waiting()).as("waiting() once the waiting tasks have failed").isZero();
                assertInFlightUntouchedByTheRefusal(run, flying, flyingResults);
            }
        });
    }

    /**
     * The tasks in flight when the scheduler refused a wake-up are not the limiter's to fail: rule 12 fails the
     * tasks waiting then, and even close() lets tasks in flight finish (rule 9). Each task of {@code flying} that
     * started and that the test has not ended is still in flight, its own future and its caller's untouched; the
     * test then ends each with a value of its own, and its caller must hear that very value at once (rule 6).
     */
    private static void assertInFlightUntouchedByTheRefusal(VirtualRun run, List<Held> flying,
            List<CompletableFuture<Object>> results) {
        List<Integer> inFlight = new ArrayList<>();
        for (int i = 0; i < flying.size(); i++) {
            Held task = flying.get(i);
            CompletableFuture<Object> result = results.get(i);
            if (task.calls == 0 || task.ended) {
                continue;
            }
            inFlight.add(i);
            assertThat(!result.isDone() && !task.own.isDone()).as("with %s, %s was in flight when the scheduler "
                    + "refused the limiter's wake-up, and nobody ended it: yet its caller's future %s and its own "
                    + "future %s. A refused wake-up fails the tasks WAITING then (rule 12); a task in flight finishes "
                    + "normally and its caller hears its result, as even close() lets it (rules 6, 9)", run.limits,
                    task.name, VirtualRun.outcome(result), VirtualRun.outcome(task.own)).isTrue();
        }
        assertThat(run.inFlight()).as("with %s, inFlight() after the scheduler refused a wake-up, with %d tasks "
                + "still running (a refusal ends none of them, rule 12)", run.limits, inFlight.size())
                .isEqualTo(inFlight.size());
        for (int i : inFlight) {
            Held task = flying.get(i);
            CompletableFuture<Object> result = results.get(i);
            String value = "the result of " + task.name;
            run.caller().run("ending " + task.name, () -> task.end(value));
            run.settle();
            assertThat(result.isDone() && !result.isCompletedExceptionally() && result.join() == value)
                    .as("with %s, %s was in flight when the scheduler refused a wake-up, then it ended with its "
                    + "result: its caller's future %s, but it must hold that very result, the moment the task ends "
                    + "(rules 6, 12)", run.limits, task.name, VirtualRun.outcome(result)).isTrue();
        }
        assertThat(run.inFlight()).as("inFlight() once the tasks in flight at the refusal have ended").isZero();
    }

    @Test
    @Order(13)
    @Tag("rule-9")
    @Tag("rule-11")
    @DisplayName("starts no waiting task when the callbacks that close() runs end a running task or submit again")
    void closeStartsNothingWhileItsCallbacksCallBackIn(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            int maxConcurrent = round.between("maxConcurrent", 1, 3);
            int waiting = round.between("waiting tasks", 2, 5);
            long period = period(round);
            try (VirtualRun run = new VirtualRun(round, new Limits(Integer.MAX_VALUE, period, maxConcurrent),
                    4 * period)) {
                List<Held> running = new ArrayList<>();
                List<CompletableFuture<Object>> runningResults = new ArrayList<>();
                for (int i = 0; i < maxConcurrent; i++) {
                    Held task = new Held("running " + i, run);
                    running.add(task);
                    runningResults.add(run.caller().call("submit(running " + i + ")", () -> run.limiter.submit(task)));
                }
                List<Held> waiters = new ArrayList<>();
                List<CompletableFuture<Object>> waiterResults = new ArrayList<>();
                for (int i = 0; i < waiting; i++) {
                    Held task = new Held("waiting " + i, run);
                    waiters.add(task);
                    waiterResults.add(run.caller().call("submit(waiting " + i + ")", () -> run.limiter.submit(task)));
                }
                run.settle();
                AtomicReference<CompletableFuture<Object>> late = new AtomicReference<>();
                waiterResults.getFirst().whenComplete((value, failure) -> {
                    running.forEach(task -> task.own.complete(task.name)); // frees every slot, from inside close()
                    late.set(run.limiter.submit(() -> CompletableFuture.completedFuture("late")));
                });
                run.closeLimiter();
                run.advanceTo(2 * period);
                for (int i = 0; i < waiting; i++) {
                    assertThat(waiters.get(i).calls).as("starts of waiting task %d: it waited when close() was called, "
                            + "so it never starts, even when a callback that close() runs frees a slot (rule 9)", i)
                            .isZero();
                    assertThat(waiterResults.get(i).isCancelled()).as("waiting task %d's future after close()", i)
                            .isTrue();
                }
                assertThat(late.get()).as("the future of a task submitted by a callback inside close()").isNotNull();
                assertThat(VirtualRun.causeOf(late.get())).as("how the task submitted by a callback inside close() "
                        + "ended").isInstanceOf(RejectedExecutionException.class);
                for (int i = 0; i < maxConcurrent; i++) {
                    assertThat(runningResults.get(i).getNow(null)).as("the result of running task %d", i)
                            .isEqualTo("running " + i);
                }
                assertThat(run.waiting()).as("waiting() after close()").isZero();
                assertThat(run.inFlight()).as("inFlight() once the running tasks have ended").isZero();
            }
        });
    }

    @Test
    @Order(14)
    @Tag("rule-9")
    @Tag("rule-12")
    @DisplayName("leaves nothing on the scheduler once closed, even when close() comes while it schedules a wake-up")
    void closeLeavesNothingOnTheScheduler(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            int permits = round.between("permits", 1, 3);
            int waiting = round.between("tasks that wait for the rate", 1, 4);
            long period = period(round);
            // Both ways in every round (red team P: a limiter that kept the timer it had just scheduled, without
            // looking whether close() came while schedule() ran, passed every grade whose rounds drew "before").
            for (boolean whileScheduling : new boolean[] {true, false}) {
                ManualScheduler manual = new ManualScheduler(VirtualRun.clockOrigin(round, 4 * period));
                AtomicReference<Runnable> onSchedule = new AtomicReference<>();
                // A plain proxy, cheaper than a mock (a busy machine took seconds to make mocks): every schedule()
                // runs the hook first, then goes to the manual scheduler.
                ScheduledExecutorService scheduler = (ScheduledExecutorService) java.lang.reflect.Proxy
                        .newProxyInstance(ScheduledExecutorService.class.getClassLoader(),
                        new Class<?>[] {ScheduledExecutorService.class}, (proxy, method, args) -> {
                            if (method.getName().equals("schedule")) {
                                Runnable hook = onSchedule.getAndSet(null);
                                if (hook != null) {
                                    hook.run();
                                }
                            }
                            try {
                                return method.invoke(manual, args);
                            } catch (java.lang.reflect.InvocationTargetException thrown) {
                                throw thrown.getCause();
                            }
                        });
                try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, Integer.MAX_VALUE), manual,
                        scheduler)) {
                    for (int i = 0; i < permits; i++) {
                        Held task = new Held("task " + i, run);
                        run.caller().call("submit(task " + i + ")", () -> run.limiter.submit(task));
                    }
                    run.settle();
                    AtomicReference<Thread> closer = new AtomicReference<>();
                    if (whileScheduling) {
                        // close() from another thread, just as the limiter asks for its wake-up (as if it raced)
                        onSchedule.set(() -> closer.set(OtherThread.closes(run.limiter)));
                    }
                    List<Held> late = new ArrayList<>();
                    for (int i = 0; i < waiting; i++) {
                        Held task = new Held("waiting " + i, run);
                        late.add(task);
                        if (whileScheduling) {
                            // on the test's thread: the scheduler waits for the closing thread
                            run.limiter.submit(task);
                        } else {
                            run.caller().call("submit(waiting " + i + ")", () -> run.limiter.submit(task));
                        }
                    }
                    if (closer.get() != null) {
                        closer.get().join(60_000); // generous: a busy machine may start the closing thread late
                    }
                    run.settle();
                    if (!whileScheduling) {
                        assertThat(manual.pending()).as("timers on the scheduler while tasks wait for the rate: the "
                                + "limiter must have scheduled its wake-up (rule 5)").isPositive();
                        run.closeLimiter();
                    }
                    assertThat(onSchedule.get()).as("close() was to come while the limiter scheduled its wake-up, but "
                            + "the limiter scheduled none (rule 5)").isNull();
                    assertThat(manual.pending()).as("timers left on the scheduler by a closed limiter: close() cancels "
                            + "its pending wake-up, also one it was scheduling as close() came, so that nothing of a "
                            + "closed limiter stays behind on the application's scheduler (rule 9)").isZero();
                    run.advanceTo(3 * period);
                    for (Held task : late) {
                        assertThat(task.calls).as("starts of %s, which waited when close() came", task.name).isZero();
                    }
                }
            }
        });
    }

    @Test
    @Order(35)
    @Tag("rule-9")
    @DisplayName("leaves nothing on the scheduler once closed, also when the line emptied (cancelled or started) while a wake-up was pending")
    void closeCancelsTheWakeUpOfAnEmptiedLine(Shapes shapes) throws Exception {
        // Red team O: close() returned early when nothing waited ("no wake-up is wanted then"), leaving the wake-up
        // that was scheduled for tasks which have since left the line: cancelled by their callers, or started by a
        // drain that came before the wake-up (a busy scheduler runs it late). The closed limiter's timer stayed on
        // the application's scheduler for up to a period.
        shapes.check(2, round -> {
            int permits = round.between("permits", 1, 3);
            long period = period(round);
            long late = round.between("how late the scheduler runs a wake-up (ns)", 1L, period);
            String emptied = round.oneOf("how the line empties before close()", "every waiting task is cancelled",
                    "the waiting tasks start before the wake-up runs", "some are cancelled, the others start");
            boolean start = !emptied.startsWith("every");
            String trigger = round.oneOf("what lets them start", "a running task ends", "one more task is submitted");
            boolean bySubmit = start && permits > 1 && trigger.startsWith("one more");
            int room = permits - (bySubmit ? 1 : 0); // starts the window has for the waiting tasks once it moved
            // Cancelled: all, none, or the first ones (the others start).
            int cancelled = switch (emptied.charAt(0)) {
                case 'e' -> round.between("tasks that wait for the rate", 1, 4);
                case 't' -> 0;
                default -> round.between("tasks cancelled", 1, 3);
            };
            int waiting = cancelled + (start ? round.between("tasks that start", 1, room) : 0);
            boolean interrupt = round.chance("cancel(mayInterruptIfRunning)", 0.5);
            ManualScheduler manual = new ManualScheduler(VirtualRun.clockOrigin(round, 4 * period + late));
            // A busy scheduler: each timer runs `late` ns after the moment it was asked for (a plain proxy: cheaper
            // than a mock, and the limiter sees it only through the ShopScheduler that VirtualRun wraps around it).
            ScheduledExecutorService scheduler = (ScheduledExecutorService) java.lang.reflect.Proxy.newProxyInstance(
                    ScheduledExecutorService.class.getClassLoader(), new Class<?>[] {ScheduledExecutorService.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("schedule") && args != null && args.length == 3) {
                            long delay = ((TimeUnit) args[2]).toNanos((Long) args[1]);
                            args = new Object[] {args[0], Math.max(0L, delay) + late, TimeUnit.NANOSECONDS};
                        }
                        try {
                            return method.invoke(manual, args);
                        } catch (java.lang.reflect.InvocationTargetException thrown) {
                            throw thrown.getCause();
                        }
                    });
            try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, Integer.MAX_VALUE), manual,
                    scheduler)) {
                List<Held> first = new ArrayList<>();
                for (int i = 0; i < permits; i++) {
                    Held task = new Held("task " + i, run);
                    first.add(task);
                    run.caller().call("submit(task " + i + ")", () -> run.limiter.submit(task));
                }
                run.settle();
                List<Held> waiters = new ArrayList<>();
                List<CompletableFuture<Object>> waiterResults = new ArrayList<>();
                for (int i = 0; i < waiting; i++) {
                    Held task = new Held("waiting " + i, run);
                    waiters.add(task);
                    waiterResults.add(run.caller().call("submit(waiting " + i + ")", () -> run.limiter.submit(task)));
                }
                run.settle();
                for (int i = 0; i < cancelled; i++) {
                    CompletableFuture<Object> result = waiterResults.get(i);
                    run.caller().run("cancelling waiting " + i, () -> result.cancel(interrupt));
                }
                run.settle();
                Held extra = new Held("one more", run);
                if (start) {
                    // The window has moved, but the wake-up (asked for then) has not run yet.
                    run.advanceTo(period + round.between("when, after the window moved (ns)", 0L, late - 1));
                    if (bySubmit) {
                        run.caller().call("submit(one more)", () -> run.limiter.submit(extra));
                    } else {
                        run.caller().run("ending task 0", () -> first.getFirst().own.complete("done"));
                    }
                    run.settle();
                    for (int i = cancelled; i < waiting; i++) {
                        assertThat(waiters.get(i).calls).as("starts of waiting %d once the window moved and %s, with %s "
                                + "(it starts then: rule 5)", i, bySubmit ? "one more task was submitted"
                                : "a running task ended", run.limits).isOne();
                    }
                }
                assertThat(run.waiting()).as("waiting() once the line emptied (%s)", emptied).isZero();
                run.closeLimiter();
                assertThat(manual.pending()).as("timers left on the scheduler by a limiter closed with nothing in "
                        + "line, with %s: %d task(s) waited for the rate, a wake-up was scheduled for them, and then "
                        + "%s (%d cancelled by their callers, %d started before the wake-up ran) before close(). "
                        + "close() cancels its pending wake-up whether anything waits or not, so that nothing of a "
                        + "closed limiter stays behind on the application's scheduler (rule 9)", run.limits, waiting,
                        emptied, cancelled, start ? waiting - cancelled : 0).isZero();
                run.advanceTo(3 * period + late);
                for (int i = 0; i < cancelled; i++) {
                    assertThat(waiters.get(i).calls).as("starts of waiting %d, cancelled while it waited", i).isZero();
                }
                assertThat(manual.failures()).as("exceptions thrown by the limiter's wake-ups").isEmpty();
            }
        });
    }

    @Test
    @Order(36)
    @Tag("rule-5")
    @Tag("rule-8")
    @DisplayName("wakes up on time for the tasks that come after every waiting task was cancelled")
    void wakesUpForTheTasksAfterALineEmptiedByCancellation(Shapes shapes) throws Exception {
        // Red team P: the last waiting task that left the line by cancellation took the pending wake-up with it
        // ("nothing waits for it any more"), but the limiter still believed a wake-up was pending: the tasks that
        // came next and waited for the rate got no wake-up of their own, and started only when something else
        // happened. Each round: a burst uses the window, one to three tasks wait and are all cancelled (in any
        // order, at any moments) before the window moves, then more tasks come, before or after it moved, more
        // than the window has room for; the rules fix every start to the nanosecond. Task ends never fall on a
        // moment the window moves, so only the limiter's own wake-up can start the tasks then.
        shapes.check(3, round -> {
            int permits = round.between("permits", 1, 4);
            long period = period(round);
            Limits limits = new Limits(permits, period, round.oneOf("maxConcurrent", permits + 3, Integer.MAX_VALUE));
            Random random = round.random();
            boolean instant = round.chance("tasks end the moment they start", 0.5);
            Plan plan = new Plan();
            for (int i = 0; i < permits; i++) {
                plan.succeeds(0, instant ? 0 : 1 + random.nextLong(period - 1));
            }
            int cancelled = round.between("tasks that wait and are all cancelled before the window moves", 1, 3);
            long[] submitted = new long[cancelled];
            long at = 0;
            for (int i = 0; i < cancelled; i++) {
                at += random.nextLong(period / (2L * cancelled));
                submitted[i] = at;
            }
            // every one cancelled after it was submitted and after the last submit, before the window moves
            long lastCancel = 0;
            for (int i = 0; i < cancelled; i++) {
                long cancelAt = submitted[cancelled - 1] + 1 + random.nextLong(period / 2 - 1);
                plan.add(submitted[i], 1 + random.nextLong(period - 1), Ending.SUCCEEDS, cancelAt, null);
                lastCancel = Math.max(lastCancel, cancelAt);
            }
            boolean afterTheMove = round.chance("the next tasks come after the window moved", 0.4);
            long next = afterTheMove ? round.between("the next tasks come at (ns)", period + 1, period + period / 2)
                    : round.between("the next tasks come at (ns)", lastCancel + 1, period - 1);
            int more = round.between("tasks that come next", permits + 1, 2 * permits + 1);
            for (int i = 0; i < more; i++) {
                plan.succeeds(next, instant ? 0 : 1 + random.nextLong(period - 1));
            }
            try (VirtualRun run = new VirtualRun(round, limits, 4 * period)) {
                run.play(plan);
            }
        });
    }

    @Test
    @Order(12)
    @Tag("rule-9")
    @DisplayName("closes twice without harm, refuses every task after the first close, and starts none")
    void closesIdempotently(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            long period = period(round);
            try (VirtualRun run = new VirtualRun(round, new Limits(1, period, 1), 4 * period)) {
                // One task in flight and some waiting; the first close() comes on a thread whose interrupt status
                // is set (a request thread whose request was cancelled): it closes all the same (red team S).
                Held flying = new Held("the task in flight", run);
                CompletableFuture<Object> flyingResult = run.caller().call("submit(" + flying.name + ")",
                        () -> run.limiter.submit(flying));
                List<CompletableFuture<Object>> waiting = new ArrayList<>();
                int waits = round.between("tasks waiting when close() comes", 1, 3);
                for (int i = 0; i < waits; i++) {
                    Held task = new Held("waiting " + i, run);
                    waiting.add(run.caller().call("submit(" + task.name + ")", () -> run.limiter.submit(task)));
                }
                run.settle();
                run.caller().run("close() on a thread whose interrupt status is set", () -> VirtualRun.maybeInterrupted(
                        true, "close()", () -> {
                            run.limiter.close();
                            return null;
                        }));
                run.settle();
                assertThat(waiting).as("the futures of the tasks waiting when close() was called on a thread whose "
                        + "interrupt status was set: an interrupted close() closes the limiter all the same (rule 9)")
                        .allMatch(CompletableFuture::isCancelled);
                assertThat(run.waiting()).as("waiting() after close()").isZero();
                run.caller().run("ending " + flying.name + " on a thread whose interrupt status is set",
                        () -> VirtualRun.maybeInterrupted(true, "the end of " + flying.name, () -> {
                            flying.end("done");
                            return null;
                        }));
                assertThat(flyingResult.getNow(null)).as("the result of the task in flight at close(), once it ended "
                        + "on a thread whose interrupt status was set (rules 6, 9)").isEqualTo("done");
                assertThat(run.inFlight()).as("inFlight() once the task in flight at close() ended").isZero();
                int closes = round.between("close() calls", 1, 3);
                for (int i = 0; i < closes; i++) {
                    run.closeLimiter();
                }
                Job late = run.submit(new RulesModel.Task(1, 0, 0, Ending.SUCCEEDS, -1), null);
                assertThat(late.result.isCompletedExceptionally()).as("submit() after close() should return a future "
                        + "that has already failed").isTrue();
                assertThat(VirtualRun.causeOf(late.result)).isInstanceOf(RejectedExecutionException.class);
                run.advanceTo(2 * period);
                assertThat(late.started()).as("a task submitted after close() was started").isFalse();
                assertThat(run.waiting()).isZero();
                assertThat(run.scheduler.isShutdown()).as("the scheduler was shut down by close(), but it is not "
                        + "the limiter's").isFalse();
            }
        });
    }

    @Test
    @Order(15)
    @Tag("rule-13")
    @DisplayName("forgets the starts that left the window: memory stays bounded over thousands of starts with no rate limit")
    void forgetsStartsThatLeftTheWindow(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            int permits = round.oneOf("permits", Integer.MAX_VALUE, round.between("huge permits", 1_000_000,
                    Integer.MAX_VALUE));
            long period = period(round);
            int perPeriodAtMost = round.between("tasks per period (at most)", 40, 160);
            int total = round.between("tasks in all", 20_000, 30_000);
            Random random = round.random();
            try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, Integer.MAX_VALUE),
                    (total / 20 + 4) * 2 * period)) {
                List<CompletableFuture<Object>> held = new ArrayList<>();
                int submitted = 0;
                int periods = 0;
                int widest = 0;
                while (submitted < total) {
                    int batch = Math.min(total - submitted, 1 + random.nextInt(perPeriodAtMost));
                    List<CompletableFuture<Object>> ending = held;
                    List<CompletableFuture<Object>> nowHeld = new ArrayList<>();
                    for (int i = 0; i < batch; i++) {
                        nowHeld.add(random.nextInt(4) == 0 ? new CompletableFuture<>() : null);
                    }
                    run.caller().run("ending the tasks held since the last period, and submit() x " + batch, () -> {
                        ending.forEach(own -> own.complete("done"));
                        for (CompletableFuture<Object> own : nowHeld) {
                            CompletableFuture<Object> mine = own == null ? CompletableFuture.completedFuture("done") : own;
                            run.limiter.submit(() -> mine);
                        }
                    });
                    held = new ArrayList<>(nowHeld.stream().filter(f -> f != null).toList());
                    submitted += batch;
                    widest = Math.max(widest, batch);
                    periods++;
                    run.settle();
                    int waiting = run.waiting();
                    int inFlight = run.inFlight();
                    assertThat(waiting).as("waiting() with no rate limit and no concurrency limit").isZero();
                    assertThat(inFlight).as("inFlight(): the tasks held since the last submit").isEqualTo(held.size());
                    Retained retained = Retained.by(run.limiter);
                    long allowed = 4L * (widest + waiting + inFlight) + 1_024;
                    if (retained.entries > allowed) {
                        throw new AssertionError(String.format("with %s, after %,d tasks submitted over %,d periods "
                                + "(at most %,d in one period, each batch a period or more after the last), the "
                                + "limiter's collections and arrays hold %,d entries in all (the largest: %s, with "
                                + "%,d), though only %,d start(s) are in the window, %,d tasks wait and %,d are in "
                                + "flight: it keeps starts that have left the window, so its memory grows with every "
                                + "start for as long as it lives. Drop a start from the log once it is a period old "
                                + "(rule 13: memory for the starts and tasks the limiter has, not for each permit or "
                                + "every start it ever made)", run.limits, submitted, periods, widest,
                                retained.entries, retained.largest, retained.largestEntries, batch, waiting, inFlight));
                    }
                    run.advanceTo(run.now() + period + random.nextLong(period));
                }
            }
        });
    }

    /**
     * What the limiter holds: the entries of every collection, map and array reached through the learner's own
     * objects (and the references they keep in an {@code AtomicReference}). {@code entries} counts an array by its
     * length, its room; {@code present} counts what is in it (its elements that are not null), and {@code objects}
     * the learner's own objects reached, each once.
     */
    static final class Retained {
        long entries;
        long present;
        long objects;
        String largest = "none";
        long largestEntries;

        static Retained by(AsyncRateLimiter limiter) throws IllegalAccessException {
            Retained retained = new Retained();
            java.util.IdentityHashMap<Object, Boolean> seen = new java.util.IdentityHashMap<>();
            java.util.ArrayDeque<Object[]> todo = new java.util.ArrayDeque<>();
            todo.add(new Object[] {limiter, "the limiter"});
            while (!todo.isEmpty() && seen.size() < 200_000) {
                Object[] next = todo.poll();
                Object o = next[0];
                String path = (String) next[1];
                if (o == null || seen.put(o, Boolean.TRUE) != null) {
                    continue;
                }
                Class<?> type = o.getClass();
                long size = -1;
                List<Object> inside = new ArrayList<>();
                if (type.isArray()) {
                    size = java.lang.reflect.Array.getLength(o);
                    if (o instanceof Object[] items) {
                        inside.addAll(java.util.Arrays.asList(items));
                        retained.present += java.util.Arrays.stream(items).filter(java.util.Objects::nonNull).count();
                    }
                } else if (o instanceof java.util.Collection<?> items) {
                    size = items.size();
                    inside.addAll(items);
                    retained.present += size;
                } else if (o instanceof java.util.Map<?, ?> map) {
                    size = map.size();
                    inside.addAll(map.keySet());
                    inside.addAll(map.values());
                    retained.present += size;
                } else if (o instanceof java.util.concurrent.atomic.AtomicReferenceArray<?> items) {
                    size = items.length();
                    for (int i = 0; i < items.length(); i++) {
                        inside.add(items.get(i));
                        retained.present += items.get(i) == null ? 0 : 1;
                    }
                } else if (o instanceof AtomicReference<?> reference) {
                    todo.add(new Object[] {reference.get(), path + ".get()"});
                } else if (o instanceof java.util.concurrent.atomic.AtomicLongArray items) {
                    size = items.length();
                } else if (o instanceof java.util.concurrent.atomic.AtomicIntegerArray items) {
                    size = items.length();
                } else if (isLearners(type)) {
                    retained.objects++;
                    for (Class<?> k = type; k != null && isLearners(k); k = k.getSuperclass()) {
                        for (java.lang.reflect.Field field : k.getDeclaredFields()) {
                            if (java.lang.reflect.Modifier.isStatic(field.getModifiers())
                                    || field.getType().isPrimitive() || !field.trySetAccessible()) {
                                continue;
                            }
                            todo.add(new Object[] {field.get(o), path + "." + field.getName()});
                        }
                    }
                }
                if (size >= 0) {
                    retained.entries += size;
                    if (size > retained.largestEntries) {
                        retained.largestEntries = size;
                        retained.largest = path + " (" + type.getSimpleName() + ")";
                    }
                    for (Object item : inside) {
                        if (item != null && (isLearners(item.getClass()) || item.getClass().isArray()
                                || item instanceof java.util.Collection || item instanceof java.util.Map
                                || item instanceof AtomicReference)) {
                            todo.add(new Object[] {item, path + "[...]"});
                        }
                    }
                }
            }
            return retained;
        }

        /** A class of the learner's code (not the JDK's, not the tests'). */
        private static boolean isLearners(Class<?> type) {
            if (!type.getPackageName().equals(AsyncRateLimiter.class.getPackageName())) {
                return false;
            }
            java.net.URL learner = location(AsyncRateLimiter.class);
            java.net.URL tests = location(AsyncRateLimiterEdgeCaseTest.class);
            if (learner != null && !learner.equals(tests)) {
                return learner.equals(location(type));
            }
            String name = type.getName();
            int nested = name.indexOf('$');
            return (nested < 0 ? name : name.substring(0, nested)).equals(AsyncRateLimiter.class.getName());
        }

        private static java.net.URL location(Class<?> type) {
            java.security.CodeSource source = type.getProtectionDomain().getCodeSource();
            return source == null ? null : source.getLocation();
        }
    }

    @Test
    @Order(16)
    @Tag("rule-12")
    @DisplayName("fails every task waiting when the scheduler refuses a wake-up, not only the first in line")
    void failsEveryWaitingTaskWhenAWakeUpIsRefused(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int permits = round.between("permits", 1, 3);
            boolean slotsFull = round.chance("the tasks wait for a slot, then for the rate (else for the rate)", 0.5);
            int maxConcurrent = slotsFull ? permits : Integer.MAX_VALUE;
            int waiting = round.between("tasks that wait", slotsFull ? 2 : permits + 2, permits + 6);
            long period = period(round);
            ManualScheduler manual = new ManualScheduler(VirtualRun.clockOrigin(round, 4 * period));
            AtomicInteger refused = new AtomicInteger();
            ScheduledExecutorService scheduler = mock(ScheduledExecutorService.class, delegatesTo(manual));
            doAnswer(call -> {
                try {
                    return call.getArgument(0) instanceof Runnable runnable
                            ? manual.schedule(runnable, call.<Long>getArgument(1), call.getArgument(2))
                            : manual.schedule((java.util.concurrent.Callable<?>) call.getArgument(0),
                                    call.<Long>getArgument(1), call.getArgument(2));
                } catch (RejectedExecutionException shutDown) {
                    refused.incrementAndGet();
                    throw shutDown;
                }
            }).when(scheduler).schedule(any(Runnable.class), anyLong(), any(TimeUnit.class));
            doAnswer(call -> {
                try {
                    return manual.schedule((java.util.concurrent.Callable<?>) call.getArgument(0),
                            call.<Long>getArgument(1), call.getArgument(2));
                } catch (RejectedExecutionException shutDown) {
                    refused.incrementAndGet();
                    throw shutDown;
                }
            }).when(scheduler).schedule(any(java.util.concurrent.Callable.class), anyLong(), any(TimeUnit.class));
            try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, maxConcurrent), manual,
                    scheduler)) {
                List<Held> running = new ArrayList<>();
                List<Held> every = new ArrayList<>();
                List<CompletableFuture<Object>> everyResult = new ArrayList<>();
                for (int i = 0; i < permits; i++) {
                    Held task = new Held("task " + i, run);
                    running.add(task);
                    every.add(task);
                    everyResult.add(run.caller().call("submit(task " + i + ")", () -> run.limiter.submit(task)));
                }
                List<Held> late = new ArrayList<>();
                List<CompletableFuture<Object>> results = new ArrayList<>();
                for (int i = 0; i < waiting; i++) {
                    Held task = new Held("waiting " + i, run);
                    late.add(task);
                    results.add(run.caller().call("submit(waiting " + i + ")", () -> run.limiter.submit(task)));
                }
                every.addAll(late);
                everyResult.addAll(results);
                run.settle();
                assertThat(run.waiting()).as("waiting() before the scheduler is shut down").isEqualTo(waiting);
                assertThat(refused).as("wake-ups refused before the scheduler was shut down").hasValue(0);
                // The last caller in line has a callback that waits for another thread reading the counts: the
                // limiter that fails the waiting tasks must not hold its lock meanwhile (rule 11).
                AtomicReference<String> lastCallback = new AtomicReference<>();
                results.getLast().whenComplete((value, failure) -> {
                    if (failure instanceof RejectedExecutionException) {
                        lastCallback.set(String.valueOf(OtherThread.readsTheCounts(run.limiter, "a callback on the "
                                + "last waiting task's future, which the limiter failed when the scheduler refused "
                                + "its wake-up,")));
                    }
                });
                // shutdown(), not shutdownNow(): a wake-up already scheduled still runs, the next one is refused
                run.caller().run("shutting the scheduler down", manual::shutdown);
                // One event at a time (a task ends, or a period passes), until the limiter's next wake-up is refused.
                String event = "";
                for (int step = 0; step < 4 * (permits + waiting) && refused.get() == 0; step++) {
                    if (step % 2 == 0) {
                        Held ends = running.isEmpty() ? null : running.removeFirst();
                        if (ends == null) {
                            continue;
                        }
                        event = ends.name + " ended at " + Times.at(run.now());
                        run.caller().run("ending " + ends.name, () -> ends.end(ends.name));
                        run.settle();
                    } else {
                        long to = run.now() + period;
                        event = "the clock moved to " + Times.at(to);
                        run.advanceTo(to);
                    }
                    for (Held task : late) {
                        if (task.calls > 0 && !running.contains(task) && !task.own.isDone()) {
                            running.add(task);
                        }
                    }
                }
                List<String> left = new ArrayList<>();
                for (int i = 0; i < waiting; i++) {
                    Held task = late.get(i);
                    CompletableFuture<Object> result = results.get(i);
                    if (task.calls > 0) {
                        continue;
                    }
                    if (!result.isDone()) {
                        left.add(task.name);
                    } else {
                        assertThat(VirtualRun.causeOf(result)).as("how %s, which never started, failed once the "
                                + "scheduler refused the limiter's wake-up (rule 12)", task.name)
                                .isInstanceOf(RejectedExecutionException.class);
                    }
                }
                if (!left.isEmpty()) {
                    throw new AssertionError(String.format("with %s, %d tasks waited in line when the scheduler was "
                            + "shut down; %s, the limiter asked for its next wake-up and the scheduler refused it "
                            + "(%d time%s), yet %s still wait%s: a task that waits for a wake-up the scheduler "
                            + "refused can never start. Every task waiting at that moment must fail with a "
                            + "RejectedExecutionException, not only the first in line (rule 12)", run.limits, waiting,
                            event, refused.get(), refused.get() == 1 ? "" : "s", left, left.size() == 1 ? "s" : ""));
                }
                assertThat(run.waiting()).as("waiting() once the waiting tasks have failed (rule 12)").isZero();
                if (lastCallback.get() != null && !lastCallback.get().equals("null")) {
                    throw new AssertionError("with " + run.limits + ": " + lastCallback.get());
                }
                // The tasks in flight at the refusal run on, and their callers hear their results (red team S).
                assertInFlightUntouchedByTheRefusal(run, every, everyResult);
                // The refusal failed the tasks waiting then; it did not close the limiter (rule 9: only close()
                // does). Once every task has ended and a period has passed, a permit and a slot are free, and a
                // task submitted then needs no wake-up: it starts at once.
                run.settle();
                run.advanceTo(run.now() + period);
                Held after = new Held("submitted after the refusal", run);
                CompletableFuture<Object> afterResult = run.caller().call("submit(" + after.name + ")",
                        () -> run.limiter.submit(after));
                run.settle();
                assertThat(after.calls).as("with %s, after the scheduler refused a wake-up (%s), every task ended and "
                        + "a period passed; then a task was submitted (its future: %s): how often it started. A "
                        + "refused wake-up fails the tasks waiting at that moment (rule 12), it does not close the "
                        + "limiter (rule 9): with a permit and a slot free, a new task needs no wake-up and starts at "
                        + "once (rule 5)",
                        run.limits, event, afterResult).isOne();
            }
        });
    }

    @Test
    @Order(17)
    @Tag("rule-3")
    @DisplayName("counts tasks in flight, not futures: tasks whose suppliers return one shared future each take a slot")
    void countsTasksThatShareOneFuture(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int maxConcurrent = round.between("maxConcurrent", 2, 4);
            int groups = round.between("shared futures", 1, 3);
            int count = round.between("tasks", maxConcurrent + 2, 3 * maxConcurrent + 2);
            long period = period(round);
            Random random = round.random();
            int[] groupOf = new int[count];
            for (int i = 0; i < count; i++) {
                groupOf[i] = random.nextInt(groups);
            }
            try (VirtualRun run = new VirtualRun(round, new Limits(Integer.MAX_VALUE, period, maxConcurrent),
                    4 * period)) {
                List<CompletableFuture<Object>> shared = new ArrayList<>();
                for (int g = 0; g < groups; g++) {
                    shared.add(new CompletableFuture<>());
                }
                int[] calls = new int[count];
                List<CompletableFuture<Object>> results = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    int k = i;
                    CompletableFuture<Object> own = shared.get(groupOf[k]);
                    results.add(run.caller().call("submit(task " + k + ", whose supplier returns shared future "
                            + groupOf[k] + ")", () -> run.limiter.submit(() -> {
                                calls[k]++;
                                return own;
                            })));
                }
                run.settle();
                // The rules played forward: FIFO, at most maxConcurrent in flight, a task ends when its future is done.
                boolean[] done = new boolean[groups];
                boolean[] started = new boolean[count];
                int next = 0;
                StringBuilder story = new StringBuilder();
                List<Integer> order = round.shuffled("the order the shared futures complete in",
                        java.util.stream.IntStream.range(0, groups).boxed().toList());
                for (int turn = 0; turn <= groups; turn++) {
                    if (turn > 0) {
                        int g = order.get(turn - 1);
                        done[g] = true;
                        run.caller().run("completing shared future " + g, () -> shared.get(g).complete("shared " + g));
                        run.settle();
                        story.append(", then shared future ").append(g).append(" completed");
                    }
                    int inFlight;
                    while (true) {
                        inFlight = 0;
                        for (int i = 0; i < next; i++) {
                            inFlight += done[groupOf[i]] ? 0 : 1;
                        }
                        if (next == count || inFlight >= maxConcurrent) {
                            break;
                        }
                        started[next++] = true;
                    }
                    int startedSoFar = 0;
                    for (int c : calls) {
                        startedSoFar += c;
                    }
                    String when = "with " + run.limits + ", " + count + " tasks whose suppliers return one of " + groups
                            + " shared futures (tasks " + java.util.Arrays.toString(groupOf) + " by future)" + story;
                    assertThat(startedSoFar).as("%s: tasks started. Several tasks may return the same future (a "
                            + "cache of pending calls does that); each is a task in flight of its own, and takes a "
                            + "slot of its own until that future completes (rule 3)", when).isEqualTo(next);
                    for (int i = 0; i < count; i++) {
                        assertThat(calls[i]).as("%s: starts of task %d (first in, first out, rule 4)", when, i)
                                .isEqualTo(started[i] ? 1 : 0);
                    }
                    assertThat(run.inFlight()).as("%s: inFlight() counts tasks, not distinct futures (rule 3)", when)
                            .isEqualTo(inFlight);
                    assertThat(run.waiting()).as("%s: waiting()", when).isEqualTo(count - next);
                }
                for (int i = 0; i < count; i++) {
                    assertThat(results.get(i).getNow(null)).as("the result of task %d", i)
                            .isEqualTo("shared " + groupOf[i]);
                }
                List<Held> after = new ArrayList<>();
                for (int i = 0; i <= maxConcurrent; i++) {
                    Held task = new Held("after " + i, run);
                    after.add(task);
                    run.caller().call("submit(after " + i + ")", () -> run.limiter.submit(task));
                }
                run.settle();
                int startedAfter = (int) after.stream().filter(task -> task.calls > 0).count();
                assertThat(startedAfter).as("with %s, once every shared future completed and every slot is free, "
                        + "%d tasks with futures of their own were submitted: exactly maxConcurrent may start (each "
                        + "task that shared a future freed its slot once, rule 3)", run.limits, maxConcurrent + 1)
                        .isEqualTo(maxConcurrent);
                assertThat(run.inFlight()).as("inFlight() then").isEqualTo(maxConcurrent);
            }
        });
    }

    @Test
    @Order(18)
    @Tag("rule-4")
    @Tag("rule-9")
    @Tag("rule-10")
    @DisplayName("keeps every submit of one supplier object: the same supplier submitted again while it waits is another task")
    void keepsEverySubmitOfOneSupplier(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int maxConcurrent = round.between("maxConcurrent", 1, 3);
            int count = round.between("submits of one supplier", maxConcurrent + 2, maxConcurrent + 6);
            boolean closes = round.chance("close() while some of them wait (else they all run)", 0.4);
            long period = period(round);
            Random random = round.random();
            try (VirtualRun run = new VirtualRun(round, new Limits(Integer.MAX_VALUE, period, maxConcurrent),
                    4 * period)) {
                List<CompletableFuture<Object>> owns = new java.util.concurrent.CopyOnWriteArrayList<>();
                Supplier<CompletableFuture<Object>> same = () -> {
                    CompletableFuture<Object> own = new CompletableFuture<>();
                    owns.add(own);
                    return own;
                };
                List<CompletableFuture<Object>> results = new ArrayList<>();
                List<Held> others = new ArrayList<>();
                List<Integer> othersAt = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    if (i > 0 && random.nextInt(3) == 0) {
                        Held other = new Held("other " + others.size(), run);
                        others.add(other);
                        othersAt.add(results.size());
                        run.caller().call("submit(" + other.name + ")", () -> run.limiter.submit(other));
                    }
                    results.add(run.caller().call("submit(the same supplier object, " + (i + 1) + ". time)",
                            () -> run.limiter.submit(same)));
                }
                run.settle();
                int total = count + others.size();
                assertThat(run.waiting()).as("with %s, waiting() after %d submits of one supplier object and %d of "
                        + "others: each submit is a task of its own, also when the supplier is one object submitted "
                        + "again while it waits (rule 4)", run.limits, count, others.size())
                        .isEqualTo(total - maxConcurrent);
                if (closes) {
                    run.closeLimiter();
                    long pending = results.stream().filter(result -> !result.isDone()).count();
                    assertThat(pending).as("with %s, futures of the %d submits of one supplier object still pending "
                            + "after close(), %d of which are in flight: the futures of waiting tasks are cancelled, "
                            + "each of them, however many times one supplier object was submitted (rule 9)",
                            run.limits, count, owns.size()).isEqualTo(owns.size());
                    assertThat(run.waiting()).as("waiting() after close()").isZero();
                    return;
                }
                int ended = 0;
                for (int turn = 0; turn < total && ended < total; turn++) {
                    run.caller().run("ending the tasks in flight", () -> {
                        owns.forEach(own -> own.complete("same"));
                        others.forEach(other -> {
                            if (other.calls > 0) {
                                other.own.complete(other.name);
                            }
                        });
                    });
                    run.settle();
                    ended = owns.size() + (int) others.stream().filter(other -> other.calls > 0).count();
                }
                run.caller().run("ending the tasks in flight", () -> owns.forEach(own -> own.complete("same")));
                run.settle();
                assertThat(owns.size()).as("with %s, how many times the limiter called one supplier object that was "
                        + "submitted %d times: every submit is a task, and starts once (rules 4, 10)", run.limits,
                        count).isEqualTo(count);
                for (int i = 0; i < count; i++) {
                    assertThat(results.get(i).getNow(null)).as("the result of the %d. submit of one supplier object: "
                            + "its caller must hear of it (rule 4)", i + 1).isEqualTo("same");
                }
                assertThat(run.inFlight()).as("inFlight() at the end").isZero();
                assertThat(run.waiting()).as("waiting() at the end").isZero();
            }
        });
    }

    /** A throwable that is neither an Exception nor an Error, as a partner's client library may throw (sneakily). */
    static final class PartnerHiccup extends Throwable {
        PartnerHiccup(String message) {
            super(message);
        }
    }

    @Test
    @Order(19)
    @Tag("rule-7")
    @DisplayName("frees the slot of a supplier that throws a bare Throwable (neither Exception nor Error), and submit() never throws it")
    void survivesASupplierThatThrowsABareThrowable(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            long period = period(round);
            int maxConcurrent = round.between("maxConcurrent", 1, 3);
            try (VirtualRun run = new VirtualRun(round, new Limits(Integer.MAX_VALUE, period, maxConcurrent), 4 * period)) {
                Throwable hiccup = new PartnerHiccup("the partner's client threw a Throwable of its own, no. "
                        + round.between("hiccup", 1, 999));
                CompletableFuture<Object> result = run.caller().call("submit(a task whose supplier throws " + hiccup
                        + ", a direct subclass of Throwable)", () -> {
                            try {
                                return run.limiter.submit(() -> {
                                    throw Sneaky.raise(hiccup);
                                });
                            } catch (Throwable escaped) {
                                throw new AssertionError("submit() threw " + escaped + ", which the task's supplier "
                                        + "threw. A supplier may throw anything, also a Throwable that is neither an "
                                        + "Exception nor an Error: catch Throwable where you call it; submit() never "
                                        + "throws it, the caller's future fails with it, and the slot is free again "
                                        + "(rule 7)", escaped);
                            }
                        });
                run.settle();
                AtomicReference<Throwable> seen = new AtomicReference<>();
                result.whenComplete((value, t) -> seen.set(t));
                assertThat(seen.get()).as("what whenComplete sees on the future of a task whose supplier threw %s "
                        + "(a direct subclass of Throwable): that very throwable (rule 7)", hiccup).isSameAs(hiccup);
                assertThat(run.inFlight()).as("inFlight() once the supplier threw: its slot is free (rule 7)").isZero();
                List<Held> next = new ArrayList<>();
                for (int i = 0; i < maxConcurrent; i++) {
                    Held task = new Held("next " + i, run);
                    next.add(task);
                    run.caller().call("submit(" + task.name + ")", () -> run.limiter.submit(task));
                }
                run.settle();
                long started = next.stream().filter(task -> task.calls > 0).count();
                assertThat(started).as("with %s, tasks that started of %d submitted after a supplier threw a bare "
                        + "Throwable: every slot is free (rule 7)", run.limits, maxConcurrent).isEqualTo(maxConcurrent);
            }
        });
    }

    @Test
    @Order(20)
    @Tag("rule-7")
    @DisplayName("throws a NullPointerException for submit(null) also once closed")
    void refusesANullTaskAfterClose(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            long period = period(round);
            try (VirtualRun run = new VirtualRun(round, new Limits(1, period, 1), 4 * period)) {
                int waiting = round.between("tasks in the line when close() comes", 0, 3);
                for (int i = 0; i < waiting; i++) {
                    Held task = new Held("task " + i, run);
                    run.caller().call("submit(" + task.name + ")", () -> run.limiter.submit(task));
                }
                run.closeLimiter();
                Throwable thrown = run.caller().call("submit(null) after close()", () -> {
                    try {
                        run.limiter.submit(null);
                        return null;
                    } catch (Throwable t) {
                        return t;
                    }
                });
                assertThat(thrown).as("what submit(null) on a closed limiter threw: a missing task is a mistake of "
                        + "the caller, closed or not; submit(null) throws a NullPointerException (rule 7)")
                        .isInstanceOf(NullPointerException.class);
            }
        });
    }

    @Test
    @Order(21)
    @Tag("rule-4")
    @Tag("rule-11")
    @DisplayName("puts a task submitted from a caller's callback at the back of the line, behind the tasks already waiting")
    void putsAFollowUpBehindTheTasksWaiting(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            long period = period(round);
            int waiting = round.between("tasks waiting when the first one ends", 1, 3);
            try (VirtualRun run = new VirtualRun(round, new Limits(Integer.MAX_VALUE, period, 1), 4 * period)) {
                Held first = new Held("A", run);
                CompletableFuture<Object> firstResult = run.caller().call("submit(A)", () -> run.limiter.submit(first));
                List<Held> line = new ArrayList<>();
                for (int i = 0; i < waiting; i++) {
                    Held task = new Held("B" + (i + 1), run);
                    line.add(task);
                    run.caller().call("submit(" + task.name + ")", () -> run.limiter.submit(task));
                }
                run.settle();
                Held followUp = new Held("C", run);
                firstResult.whenComplete((value, failure) -> run.limiter.submit(followUp));
                run.caller().run("ending A, whose caller's callback submits C", () -> first.own.complete("A"));
                run.settle();
                Held head = line.getFirst();
                assertThat(head.calls + followUp.calls).as("with one slot, starts once A ended").isOne();
                assertThat(head.calls).as("with one slot, A running and %s waiting, A's caller's callback submitted C; "
                        + "then A ended: %s, which waited since before C was submitted, starts first, not C. A task "
                        + "submitted from a callback joins the back of the line like any other (rules 4, 11); C "
                        + "started %s", line.stream().map(t -> t.name).toList(), head.name,
                        followUp.calls > 0 ? "instead" : "not").isOne();
                for (Held task : line) {
                    run.caller().run("ending " + task.name, () -> task.own.complete(task.name));
                    run.settle();
                    assertThat(followUp.calls).as("starts of C, submitted by A's callback, once %s ended", task.name)
                            .isEqualTo(task == line.getLast() ? 1 : 0);
                }
            }
        });
    }

    @Test
    @Order(22)
    @Tag("rule-3")
    @Tag("rule-5")
    @Tag("rule-7")
    @Tag("rule-11")
    @DisplayName("has freed a task's slot when its caller hears, however it ended (its future completed, its supplier threw or returned null): a callback sees it gone and a task it submits starts at once")
    void freesTheSlotBeforeTheCallerHears(Shapes shapes) throws Exception {
        // Red team O: a supplier that threw (or returned null) had its caller told first and its slot freed after.
        // So a task whose supplier fails waits behind the full slots; it starts in the slot the ending task frees,
        // and its caller's callback must find its slot free too.
        shapes.check(2, round -> {
            long period = period(round);
            int maxConcurrent = round.between("maxConcurrent", 1, 3);
            String how = round.oneOf("how the task ends", "succeeds", "fails", "its own future is cancelled");
            Throwable thrown = round.chance("the waiting task's supplier returns null (else it throws)", 0.25) ? null
                    : round.oneOf("what the waiting task's supplier throws", EveryFailure.all("the partner's client"));
            String failingHow = thrown == null ? "returned null" : "threw " + EveryFailure.describe(thrown);
            try (VirtualRun run = new VirtualRun(round, new Limits(Integer.MAX_VALUE, period, maxConcurrent), 4 * period)) {
                List<Held> running = new ArrayList<>();
                List<CompletableFuture<Object>> results = new ArrayList<>();
                for (int i = 0; i < maxConcurrent; i++) {
                    Held task = new Held("task " + i, run);
                    running.add(task);
                    results.add(run.caller().call("submit(" + task.name + ")", () -> run.limiter.submit(task)));
                }
                run.settle();
                CompletableFuture<Object> failingResult = run.caller().call("submit(a task whose supplier "
                        + failingHow + ")", () -> run.limiter.submit(() -> {
                            if (thrown != null) {
                                throw Sneaky.raise(thrown);
                            }
                            return null;
                        }));
                run.settle();
                AtomicInteger failingInFlightSeen = new AtomicInteger(-1);
                failingResult.whenComplete((value, failure) -> failingInFlightSeen.set(run.limiter.inFlight()));
                int ends = round.between("the task that ends", 0, maxConcurrent - 1);
                Held followUp = new Held("follow-up", run);
                AtomicInteger inFlightSeen = new AtomicInteger(-1);
                AtomicInteger startsSeen = new AtomicInteger(-1);
                results.get(ends).whenComplete((value, failure) -> {
                    inFlightSeen.set(run.limiter.inFlight());
                    run.limiter.submit(followUp); // behind the task whose supplier fails: it starts once that one ended
                    startsSeen.set(followUp.calls);
                });
                run.caller().run("ending " + running.get(ends).name + " (it " + how + ")", () -> {
                    switch (how) {
                        case "succeeds" -> running.get(ends).own.complete("done");
                        case "fails" -> running.get(ends).own.completeExceptionally(
                                new IllegalStateException("the partner said no"));
                        default -> running.get(ends).own.cancel(round.chance("cancel(mayInterruptIfRunning)", 0.5));
                    }
                });
                run.settle();
                assertThat(inFlightSeen.get()).as("with %s and %d tasks in flight, one of them %s; inFlight() inside "
                        + "a whenComplete callback on its caller's future: the task is in flight until its own future "
                        + "completes, and it has, so it no longer counts (free the slot, then tell the caller: rule 3)",
                        run.limits, maxConcurrent, how).isEqualTo(maxConcurrent - 1);
                assertThat(failingResult.isCompletedExceptionally()).as("the caller's future of the task whose "
                        + "supplier %s, once it started in the slot that %s freed (rule 7)", failingHow,
                        running.get(ends).name).isTrue();
                assertThat(failingInFlightSeen.get()).as("with %s, %d tasks in flight, and a task waiting whose "
                        + "supplier %s: one running task %s, the waiting task started in its slot and ended there, "
                        + "its supplier having %s; inFlight() inside a whenComplete callback on that task's caller's "
                        + "future: a supplier that throws or returns null ends its task at once, so its slot is free "
                        + "before its caller hears (free the slot, then tell the caller: rules 3, 7)", run.limits,
                        maxConcurrent, failingHow, how, failingHow).isEqualTo(maxConcurrent - 1);
                assertThat(startsSeen.get()).as("with %s, every slot taken, one task %s, and its caller's callback "
                        + "submitted a task while that slot was free, behind a task whose supplier %s: starts of "
                        + "that task when submit() returned. It starts the moment it is submitted (rule 5), once the "
                        + "task ahead of it ended; callbacks may call back in (rule 11)", run.limits, how, failingHow)
                        .isOne();
            }
        });
    }

    @Test
    @Order(23)
    @Tag("rule-6")
    @DisplayName("passes an ExecutionException on as it is, and unwraps a CompletionException at most once")
    void passesOnWrappersAsTheyAre(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            long period = period(round);
            try (VirtualRun run = new VirtualRun(round, new Limits(Integer.MAX_VALUE, period, 1), 4 * period)) {
                Throwable root = round.failure("root cause", "the partner failed");
                List<Throwable> failures = new ArrayList<>(List.of(
                        new ExecutionException("a batch call of the partner's client failed", root),
                        new CompletionException("a failed stage around a failed stage",
                                new CompletionException("a failed stage", root)),
                        new CompletionException("a failed stage around a get()",
                                new ExecutionException("a get() that failed", root))));
                failures = round.shuffled("failures", failures);
                for (Throwable failure : failures) {
                    boolean throwsIt = round.chance("the supplier throws " + failure.getClass().getSimpleName()
                            + " (else its future fails with it)", 0.5);
                    CompletableFuture<Object> own = new CompletableFuture<>();
                    CompletableFuture<Object> result = run.caller().call("submit(a task that " + (throwsIt ? "throws "
                            : "fails with ") + failure + ")", () -> run.limiter.submit(() -> {
                                if (throwsIt) {
                                    throw Sneaky.raise(failure);
                                }
                                return own;
                            }));
                    run.settle();
                    run.caller().run("failing the task's own future", () -> own.completeExceptionally(failure));
                    run.settle();
                    AtomicReference<Throwable> seen = new AtomicReference<>();
                    result.whenComplete((value, t) -> seen.set(t));
                    String what = "what whenComplete saw on the future of a task " + (throwsIt ? "whose supplier threw "
                            : "whose future failed with ") + describe(failure);
                    if (failure instanceof CompletionException) {
                        assertThat(seen.get()).as("%s: that very exception, or its direct cause (rule 6 lets a "
                                + "CompletionException's cause be passed on, nothing deeper)", what)
                                .isIn(failure, failure.getCause());
                    } else {
                        assertThat(seen.get()).as("%s: that very exception (rule 6 lets only a CompletionException's "
                                + "cause be passed on instead; an ExecutionException is what the task said)", what)
                                .isSameAs(failure);
                    }
                    assertThat(run.inFlight()).as("inFlight() once the task failed").isZero();
                }
            }
        });
    }

    private static String describe(Throwable failure) {
        StringBuilder out = new StringBuilder(failure.getClass().getSimpleName());
        for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
            out.append(" around ").append(cause.getClass().getSimpleName());
        }
        return out.toString();
    }

    @Test
    @Order(24)
    @Tag("rule-9")
    @Tag("rule-11")
    @DisplayName("cancels the waiting tasks without holding its lock: close()'s callbacks may wait for other threads calling in")
    void closeCancelsOutsideItsLock(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            long period = period(round);
            int maxConcurrent = round.between("maxConcurrent", 1, 2);
            int waiting = round.between("waiting tasks", 1, 3);
            try (VirtualRun run = new VirtualRun(round, new Limits(Integer.MAX_VALUE, period, maxConcurrent), 4 * period)) {
                for (int i = 0; i < maxConcurrent; i++) {
                    Held task = new Held("running " + i, run);
                    run.caller().call("submit(" + task.name + ")", () -> run.limiter.submit(task));
                }
                List<CompletableFuture<Object>> results = new ArrayList<>();
                for (int i = 0; i < waiting; i++) {
                    Held task = new Held("waiting " + i, run);
                    results.add(run.caller().call("submit(" + task.name + ")", () -> run.limiter.submit(task)));
                }
                run.settle();
                CompletableFuture<Object> watched = results.get(round.between("the waiting task whose caller's "
                        + "callback waits for another thread", 0, waiting - 1));
                List<String> problems = new java.util.concurrent.CopyOnWriteArrayList<>();
                AtomicInteger helperTasks = new AtomicInteger();
                watched.whenComplete((value, failure) -> problems.add(String.valueOf(OtherThread.calls(run.limiter,
                        "a callback on a waiting task's future, which close() cancelled,", helperTasks))));
                // On the test's own thread, not a watched caller: the callback waits for another thread here.
                run.limiter.close();
                assertThat(problems).as("callbacks run by close()").hasSize(1);
                if (!problems.getFirst().equals("null")) {
                    throw new AssertionError(problems.getFirst());
                }
                assertThat(watched.isCancelled()).as("the waiting task's future after close()").isTrue();
                assertThat(helperTasks).as("tasks that the other thread submitted after close() and that started")
                        .hasValue(0);
            }
        });
    }

    @Test
    @Order(25)
    @Tag("rule-6")
    @DisplayName("tells a caller the moment the task ends, even while another thread is inside a slow supplier")
    void tellsTheCallerWhileAnotherThreadStartsATask(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            long period = period(round);
            int maxConcurrent = round.between("maxConcurrent", 2, 4);
            try (VirtualRun run = new VirtualRun(round, new Limits(Integer.MAX_VALUE, period, maxConcurrent), 4 * period)) {
                Held earlier = new Held("earlier", run);
                CompletableFuture<Object> earlierResult = run.caller().call("submit(earlier)",
                        () -> run.limiter.submit(earlier));
                run.settle();
                java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
                AtomicReference<Throwable> broke = new AtomicReference<>();
                Thread slow = Thread.ofPlatform().daemon(true).name("thread A").start(() -> {
                    try {
                        run.limiter.submit(() -> {
                            inside.countDown();
                            try {
                                release.await(10, TimeUnit.SECONDS); // the partner's client takes its time
                            } catch (InterruptedException interrupted) {
                                Thread.currentThread().interrupt();
                            }
                            return CompletableFuture.completedFuture("slow");
                        });
                    } catch (Throwable t) {
                        broke.set(t);
                    }
                });
                boolean heard;
                try {
                    assertThat(inside.await(10, TimeUnit.SECONDS)).as("thread A's task started (a slot was free)")
                            .isTrue();
                    // Thread B (this one) ends the earlier task while thread A is inside the slow supplier.
                    earlier.own.complete("earlier");
                    heard = earlierResult.isDone();
                } finally {
                    release.countDown();
                    slow.join(10_000);
                }
                assertThat(broke.get()).as("what submit() threw on thread A").isNull();
                assertThat(heard).as("with %s, thread A was inside a task's supplier that takes time when thread B "
                        + "completed an earlier task's own future: the earlier task's caller's future was not done "
                        + "when complete() returned on thread B. The caller hears the moment the task ends (rule 6), "
                        + "not when some other thread has time to tell it", run.limits).isTrue();
                assertThat(earlierResult.getNow(null)).as("the result of the earlier task").isEqualTo("earlier");
            }
        });
    }

    @Test
    @Order(26)
    @Tag("rule-10")
    @DisplayName("lets a thread that keeps reading inFlight() and waiting() see another thread's change")
    void countsAreCurrentForAThreadThatKeepsReading(Shapes shapes) throws Exception {
        long period = period(shapes);
        int maxConcurrent = shapes.between("maxConcurrent", 3, 5);
        try (VirtualRun run = new VirtualRun(shapes, new Limits(Integer.MAX_VALUE, period, maxConcurrent), 4 * period)) {
            AsyncRateLimiter limiter = run.limiter;
            List<Held> running = new ArrayList<>();
            for (int i = 0; i < maxConcurrent; i++) {
                Held task = new Held("running " + i, run);
                running.add(task);
                limiter.submit(task);
            }
            List<CompletableFuture<Object>> waiting = new ArrayList<>();
            Runnable fillTheLine = () -> {
                for (int i = 0; limiter.waiting() < 3 && i < 10; i++) {
                    waiting.add(limiter.submit(new Held("waiting " + i, run)));
                }
            };
            String stale = StaleCounts.probeInFlight(limiter, maxConcurrent,
                    round -> running.get(round - 1).own.complete("done"), "completing a running task's own future");
            if (stale == null) {
                fillTheLine.run();
                stale = StaleCounts.probeWaiting(limiter, 3,
                        round -> waiting.get(waiting.size() - round).cancel(false), "cancelling a waiting task's future");
            }
            if (stale != null) {
                throw new AssertionError("with " + run.limits + ", " + stale + ". A monitoring thread that polls the "
                        + "counts must see them change: read them under the lock that guards them (or from volatile "
                        + "or atomic state), rule 10");
            }
        }
    }

    @Test
    @Order(27)
    @Tag("rule-13")
    @DisplayName("holds no memory for the permits or slots it could use: a limiter of Integer.MAX_VALUE permits, or slots, is as small as one of 1")
    void holdsNoMemoryForPermits(Shapes shapes) throws Exception {
        if (!(java.lang.management.ManagementFactory.getThreadMXBean()
                instanceof com.sun.management.ThreadMXBean threads) || !threads.isThreadAllocatedMemorySupported()) {
            return; // this JVM cannot count a thread's allocations: nothing to measure
        }
        threads.setThreadAllocatedMemoryEnabled(true);
        int huge = shapes.oneOf("permits", Integer.MAX_VALUE, shapes.between("huge permits", 1_000_000,
                Integer.MAX_VALUE));
        int maxConcurrent = shapes.oneOf("maxConcurrent", Integer.MAX_VALUE, shapes.between("maxConcurrent", 1, 4));
        int hugeSlots = shapes.oneOf("huge maxConcurrent", Integer.MAX_VALUE, shapes.between("huge maxConcurrent",
                1_000_000, Integer.MAX_VALUE));
        int permitsWithSlots = shapes.oneOf("permits beside them", Integer.MAX_VALUE, shapes.between("permits", 1, 4));
        long period = period(shapes);
        ManualScheduler manual = new ManualScheduler(VirtualRun.clockOrigin(shapes, 4 * period));
        List<Object> kept = new ArrayList<>();
        java.util.function.LongSupplier clock = ShopScheduler.clock(manual::nanoTime);
        ScheduledExecutorService scheduler = new ShopScheduler(manual);
        // Allocated on this thread by a new limiter and its first task (which ends at once).
        java.util.function.BiFunction<Integer, Integer, Long> bytesFor = (permits, slots) -> {
            long before = threads.getCurrentThreadAllocatedBytes();
            AsyncRateLimiter limiter = new AsyncRateLimiter(permits, Duration.ofNanos(period), slots, clock, scheduler);
            kept.add(limiter.submit(() -> CompletableFuture.completedFuture("done")));
            long bytes = threads.getCurrentThreadAllocatedBytes() - before;
            kept.add(limiter);
            return bytes;
        };
        long smallest = Long.MAX_VALUE;
        long smallestForSlots = Long.MAX_VALUE;
        long one = 0;
        long many = 0;
        long oneSlot = 0;
        long manySlots = 0;
        for (int attempt = 0; attempt < 6; attempt++) { // the first ones load classes, which allocates too
            one = bytesFor.apply(1, maxConcurrent);
            many = bytesFor.apply(huge, maxConcurrent);
            smallest = Math.min(smallest, many - one);
            oneSlot = bytesFor.apply(permitsWithSlots, 1);
            manySlots = bytesFor.apply(permitsWithSlots, hugeSlots);
            smallestForSlots = Math.min(smallestForSlots, manySlots - oneSlot);
        }
        kept.clear();
        long allowed = 16 * 1024;
        assertThat(smallest).as("bytes that a new limiter of %,d permits and its first task allocated beyond those of "
                + "a limiter of 1 permit (%,d and %,d bytes in the last try, the least difference of 6 tries): "
                + "memory made ready for permits the limiter may never use. An application with a limiter for each "
                + "partner or account pays it for every idle one; keep the starts you have, in a collection that "
                + "grows with them (rule 13)", huge, many, one).isLessThanOrEqualTo(allowed);
        assertThat(smallestForSlots).as("bytes that a new limiter of maxConcurrent %,d and its first task allocated "
                + "beyond those of a limiter of maxConcurrent 1 (%,d and %,d bytes in the last try, the least "
                + "difference of 6 tries): memory made ready for slots the limiter may never use. Keep the tasks in "
                + "flight you have, in a collection that grows with them, or only count them (rule 13)", hugeSlots,
                manySlots, oneSlot).isLessThanOrEqualTo(allowed);
    }

    @Test
    @Order(28)
    @Tag("rule-5")
    @Tag("rule-10")
    @DisplayName("keeps starting tasks when its wake-up fires on the scheduler's thread before schedule() has returned")
    void keepsStartingWhenTheWakeUpFiresBeforeScheduleReturns(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int permits = round.between("permits", 1, 3);
            int maxConcurrent = round.between("maxConcurrent", 1, 4);
            long period = period(round);
            int tasks = round.between("tasks", permits + 2, 4 * permits + 4);
            double eager = round.between("percent of wake-ups that fire before schedule() returns", 40, 100) / 100.0;
            long origin = round.oneOf("clock origin", 0L, -period * 1_000L, Long.MAX_VALUE - period * 3L);
            Random random = round.random();
            ManualScheduler manual = new ManualScheduler(origin);
            EarlyWakeUps scheduler = new EarlyWakeUps(manual, random, eager);
            AsyncRateLimiter limiter = new AsyncRateLimiter(permits, Duration.ofNanos(period), maxConcurrent,
                    ShopScheduler.clock(manual::nanoTime), new ShopScheduler(manual, scheduler::scheduled));
            AtomicInteger started = new AtomicInteger();
            List<CompletableFuture<Object>> results = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                int number = i + 1;
                results.add(limiter.submit(() -> {
                    started.incrementAndGet();
                    return CompletableFuture.completedFuture("task " + number);
                }));
                scheduler.awaitFired();
                int waiting = limiter.waiting();
                if (waiting > 0 && manual.pending() == 0) {
                    throw new AssertionError("after submit #" + number + " (" + permits + " per " + period + " ns, "
                            + "tasks that end at once), " + waiting + " task(s) wait, " + started.get() + " started, "
                            + "and nothing is on the scheduler to wake the limiter: " + scheduler.fired() + " of its "
                            + "wake-ups ran on the scheduler's thread before schedule() returned (a real scheduler "
                            + "may do that: the calling thread can be paused for the whole delay), and the wake-up "
                            + "that did found nothing to do or was taken for one still pending. Each task must "
                            + "start when the window moves, with no further call (rules 5, 10)");
                }
                if (random.nextBoolean()) {
                    scheduler.advanceBy(1 + random.nextLong(period));
                }
            }
            scheduler.advanceBy(period * (tasks + 1L));
            assertThat(started.get()).as("tasks started of %s submitted (%s per %s ns, tasks that end at once), once "
                    + "%s periods passed, when %s wake-ups ran before schedule() returned (rules 5, 10)", tasks,
                    permits, period, tasks + 1, scheduler.fired()).isEqualTo(tasks);
            assertThat(limiter.waiting()).as("waiting() at the end").isZero();
            results.forEach(r -> assertThat(r).as("a caller's future").isDone());
            limiter.close();
            assertThat(manual.failures()).as("exceptions thrown by the limiter's wake-ups").isEmpty();
        });
    }

    @Test
    @Order(29)
    @Tag("rule-9")
    @DisplayName("leaves nothing on the scheduler once closed, also a wake-up scheduled by one that fired before schedule() returned")
    void closeCancelsTheWakeUpThatAnEarlyOneScheduled(Shapes shapes) throws Exception {
        // Red team I: the wake-up that fires before schedule() returns drains, and a task submitted meanwhile makes
        // that drain schedule the next wake-up; the first schedule() then returned and kept its own, spent timer as
        // "the pending wake-up", and close() cancelled that one, leaving the new one on the application's scheduler.
        shapes.check(2, round -> {
            int permits = round.between("permits", 1, 3);
            long period = period(round);
            long origin = round.oneOf("clock origin", 0L, -period * 1_000L, Long.MAX_VALUE - period * 3L);
            ManualScheduler manual = new ManualScheduler(origin);
            AtomicReference<AsyncRateLimiter> limiter = new AtomicReference<>();
            AtomicBoolean fired = new AtomicBoolean();
            limiter.set(new AsyncRateLimiter(permits, Duration.ofNanos(period), Integer.MAX_VALUE,
                    ShopScheduler.clock(manual::nanoTime), new ShopScheduler(manual, delay -> {
                        if (!fired.compareAndSet(false, true)) {
                            return; // the first wake-up only
                        }
                        Thread early = Thread.ofPlatform().name("scheduler").start(() -> {
                            limiter.get().submit(() -> CompletableFuture.completedFuture("submitted meanwhile"));
                            manual.advanceBy(Duration.ofNanos(delay));
                        });
                        try {
                            early.join(Duration.ofSeconds(60));
                        } catch (InterruptedException interrupted) {
                            Thread.currentThread().interrupt();
                        }
                    })));
            int tasks = permits + round.between("tasks more than the permits", 1, 3);
            for (int i = 0; i < tasks; i++) {
                limiter.get().submit(() -> CompletableFuture.completedFuture("task"));
            }
            assertThat(fired.get()).as("a wake-up was scheduled: %s tasks, %s permits", tasks, permits).isTrue();
            int waiting = limiter.get().waiting();
            limiter.get().close();
            assertThat(manual.pending()).as("timers left on the scheduler by a closed limiter, after a wake-up fired "
                    + "before schedule() returned and its drain, with a task submitted meanwhile, scheduled the next "
                    + "one (%s permits, %s tasks, %s waiting at close()): close() cancels the pending wake-up, the one "
                    + "scheduled last, not one that has already run (rule 9)", permits, tasks + 1, waiting).isZero();
            assertThat(manual.failures()).as("exceptions thrown by the limiter's wake-ups").isEmpty();
        });
    }

    @Test
    @Order(30)
    @Tag("rule-6")
    @Tag("rule-7")
    @DisplayName("passes on the very CancellationException of a task's own future that someone else cancelled, and frees its slot")
    void passesOnTheCancellationOfTheTasksOwnFuture(Shapes shapes) throws Exception {
        // Red team I: a limiter that cancels the caller's future when the task's own is cancelled hands the caller a
        // new CancellationException, and says the caller withdrew a request it never withdrew.
        shapes.check(2, round -> {
            long period = period(round);
            boolean byCancel = round.chance("the task's future is cancelled with cancel() (else failed with a "
                    + "CancellationException of its own)", 0.5);
            boolean interrupt = round.chance("cancel(mayInterruptIfRunning)", 0.5);
            // One start a period (red team J: a start given back when the task's own future is cancelled)
            try (VirtualRun run = new VirtualRun(round, new Limits(1, period, 1), 4 * period)) {
                CompletableFuture<Object> own = new CompletableFuture<>();
                CompletableFuture<Object> result = run.caller().call("submit(a task)",
                        () -> run.limiter.submit(() -> own));
                run.settle();
                String how = byCancel ? "cancel(" + interrupt + ")" : "completeExceptionally(new CancellationException())";
                run.caller().run("the partner's client: " + how + " on the task's own future", () -> {
                    if (byCancel) {
                        own.cancel(interrupt);
                    } else {
                        own.completeExceptionally(new CancellationException("the client gave up"));
                    }
                });
                run.settle();
                AtomicReference<Throwable> inOwn = new AtomicReference<>();
                own.whenComplete((value, t) -> inOwn.set(t));
                AtomicReference<Throwable> seen = new AtomicReference<>();
                result.whenComplete((value, t) -> seen.set(t));
                assertThat(seen.get()).as("what whenComplete on the caller's future sees once someone else called %s "
                        + "on the task's own future: the very CancellationException the task's future holds (%s), not "
                        + "a new one (rule 6: the caller hears what the task said)", how, inOwn.get())
                        .isSameAs(inOwn.get());
                assertThat(run.inFlight()).as("inFlight() once the task's own future was cancelled (rule 7: its "
                        + "slot is free)").isZero();
                Held next = new Held("next", run);
                run.caller().call("submit(next)", () -> run.limiter.submit(next));
                run.settle();
                assertThat(next.calls).as("starts of a task submitted within the period of a task whose own future "
                        + "someone else cancelled, with 1 start a period: the cancelled task started, and its start "
                        + "counts for a whole period however the task ended (rule 2)").isZero();
                run.advanceTo(period);
                assertThat(next.calls).as("starts of that next task once the period of the first start is over "
                        + "(rule 5)").isOne();
            }
        });
    }


    /** How a task ends, for the tests that look at what happens once it has ended. */
    private enum HowItEnds {
        SUCCEEDS_AT_ONCE, SUCCEEDS_LATER, FAILS_AT_ONCE, FAILS_LATER, SUPPLIER_THROWS, SUPPLIER_RETURNS_NULL,
        CANCELLED_BY_ITS_CALLER_IN_FLIGHT, OWN_FUTURE_CANCELLED
    }

    @Test
    @Order(32)
    @Tag("rule-6")
    @Tag("rule-7")
    @DisplayName("tells a task's caller before the next tasks start in the slot its end freed, on the same thread, however it ended (its future completed, its supplier threw or returned null)")
    void tellsTheCallerBeforeTheTasksItsEndLetsStart(Shapes shapes) throws Exception {
        // Red team L: finished() frees the slot, drains the line (running the next suppliers on this thread), and
        // only then completes the caller's future. In virtual time the suppliers take no time, so only what they see
        // tells: the caller of the task that ended must already have heard when the next task starts.
        // Red team O: a supplier that throws (or returns null) freed its slot at once, but its caller was told only
        // once the drain had started every task it could. So the line behind the full slots always begins with tasks
        // whose supplier throws (any kind of failure) or returns null: they start, one after the other, in the slot
        // that the running task's end freed, and end there.
        shapes.check(2, round -> {
            long period = period(round);
            int maxConcurrent = round.between("maxConcurrent", 1, 3);
            int behind = round.between("tasks waiting behind the full slots", 1, 4);
            boolean behindEndAtOnce = round.chance("the tasks behind end the moment they start", 0.5);
            String how = round.oneOf("how the task ends", "succeeds", "fails", "its own future is cancelled");
            int failing = round.between("tasks at the head of the line whose supplier throws or returns null", 1, 2);
            List<Throwable> thrown = new ArrayList<>();
            for (int i = 0; i < failing; i++) {
                thrown.add(round.chance("supplier " + i + " returns null (else it throws)", 0.25) ? null
                        : round.oneOf("what supplier " + i + " throws", EveryFailure.all("the partner's client")));
            }
            try (VirtualRun run = new VirtualRun(round, new Limits(Integer.MAX_VALUE, period, maxConcurrent),
                    4 * period)) {
                List<Held> running = new ArrayList<>();
                List<CompletableFuture<Object>> results = new ArrayList<>();
                for (int i = 0; i < maxConcurrent; i++) {
                    Held task = new Held("task " + i, run);
                    running.add(task);
                    results.add(run.caller().call("submit(" + task.name + ")", () -> run.limiter.submit(task)));
                }
                run.settle();
                int ends = round.between("the task that ends", 0, maxConcurrent - 1);
                Held ending = running.get(ends);
                // The tasks that end before each later one starts, and their callers' futures (in line order).
                List<String> endedNames = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(ending.name));
                List<CompletableFuture<Object>> endedResults = new java.util.concurrent.CopyOnWriteArrayList<>(
                        List.of(results.get(ends)));
                List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
                java.util.function.BiFunction<String, Integer, String> look = (who, ahead) -> {
                    StringBuilder out = new StringBuilder(who).append(" started; the caller of");
                    for (int k = 0; k < ahead; k++) {
                        CompletableFuture<Object> told = endedResults.get(k);
                        out.append(k == 0 ? " " : ", of ").append(endedNames.get(k)).append(told.isDone()
                                ? " had heard (" + VirtualRun.outcome(told) + ")" : " had NOT heard yet");
                    }
                    return out.toString();
                };
                run.caller().run("submit() x " + (failing + behind) + " behind the full slots", () -> {
                    for (int i = 0; i < failing; i++) {
                        Throwable failure = thrown.get(i);
                        String name = "failing task " + i + " (its supplier " + (failure == null ? "returns null"
                                : "throws " + EveryFailure.describe(failure)) + ")";
                        int ahead = 1 + i; // the running task that ends, and the failing tasks ahead of it
                        CompletableFuture<Object> result = run.limiter.submit(() -> {
                            seen.add(look.apply(name, ahead));
                            if (failure != null) {
                                throw Sneaky.raise(failure);
                            }
                            return null;
                        });
                        endedNames.add(name);
                        endedResults.add(result);
                    }
                    for (int i = 0; i < behind; i++) {
                        int index = i;
                        run.limiter.submit(() -> {
                            seen.add(look.apply("task " + index + " behind", 1 + failing));
                            return behindEndAtOnce ? CompletableFuture.completedFuture("behind " + index)
                                    : new CompletableFuture<>();
                        });
                    }
                });
                run.settle();
                assertThat(seen).as("tasks started while every slot was taken").isEmpty();
                run.caller().run("ending " + ending.name + " (it " + how + ")", () -> {
                    switch (how) {
                        case "succeeds" -> ending.own.complete("done");
                        case "fails" -> ending.own.completeExceptionally(
                                round.failure("the failure of the task that ends", "the partner said no"));
                        default -> ending.own.cancel(round.chance("cancel(mayInterruptIfRunning)", 0.5));
                    }
                });
                run.settle();
                assertThat(seen).as("what the tasks started in the slot freed by %s saw, with %s, %d slot(s) taken "
                        + "and %d task(s) waiting (the first %d of them fail in their supplier), when one running task "
                        + "%s", ending.name, run.limits, maxConcurrent, failing + behind, failing, how)
                        .hasSize(failing + (behindEndAtOnce ? behind : 1));
                assertThat(seen).as("with %s, every slot taken and %d task(s) waiting, one running task %s, and the "
                        + "first %d task(s) in line then started in the slot it freed and ended there, their supplier "
                        + "throwing or returning null; what each task started in that slot saw of the callers' futures "
                        + "of the tasks that had ended before it when its supplier ran: the caller hears the moment "
                        + "its task ends, also when its supplier throws or returns null (rules 6, 7), before the "
                        + "limiter goes on to start the next tasks (free the slot, tell the caller, then start what "
                        + "may start)", run.limits, failing + behind, how, failing)
                        .allMatch(s -> !s.contains("NOT heard"));
            }
        });
    }

    @Test
    @Order(33)
    @Tag("rule-13")
    @DisplayName("forgets a burst of starts once it left the window, though the traffic after it is light")
    void forgetsABurstOnceItLeftTheWindow(Shapes shapes) throws Exception {
        // Red team L: at most one start that left the window dropped per decision (an if where a while belongs): a
        // burst's starts stay in the log for as long as later traffic is lighter than the burst.
        shapes.check(2, round -> {
            int burst = round.between("tasks in the burst", 1_500, 3_000);
            int permits = round.oneOf("permits", Integer.MAX_VALUE,
                    round.between("huge permits", burst, Integer.MAX_VALUE));
            long period = period(round);
            int lightPeriods = round.between("periods of light traffic after the burst", 1, 4);
            Random random = round.random();
            try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, Integer.MAX_VALUE),
                    (lightPeriods + 3) * period)) {
                AtomicInteger started = new AtomicInteger();
                Supplier<CompletableFuture<Object>> instant = () -> {
                    started.incrementAndGet();
                    return CompletableFuture.completedFuture("done");
                };
                run.caller().run("submit() x " + burst + " at once", () -> {
                    for (int i = 0; i < burst; i++) {
                        run.limiter.submit(instant);
                    }
                });
                run.settle();
                int singles = 0;
                for (int p = 1; p <= lightPeriods; p++) {
                    int inThisPeriod = 1 + random.nextInt(3);
                    long at = p * period;
                    for (int i = 0; i < inThisPeriod; i++) {
                        at += random.nextLong(period / (inThisPeriod + 1));
                        run.advanceTo(at);
                        run.caller().run("submit() of a single task, " + Times.at(at) + " after the burst",
                                () -> run.limiter.submit(instant));
                        singles++;
                    }
                }
                run.settle();
                assertThat(started).as("tasks started, with no concurrency limit and %s", run.limits)
                        .hasValue(burst + singles);
                Retained retained = Retained.by(run.limiter);
                long held = retained.present + retained.objects;
                long allowed = 4L * singles + 64;
                assertThat(held).as("with %s, after a burst of %,d starts at one moment and then %d single task(s) "
                        + "over the %d period(s) after it (at most %d starts are in the window now), the objects and "
                        + "entries the limiter holds (its own objects, and the elements of the collections and arrays "
                        + "they reach; the largest: %s, with %,d places): it keeps starts that left the window. Drop "
                        + "every start that is a period old when you decide, not one per decision (rule 13: memory "
                        + "for the starts the limiter has)", run.limits, burst, singles, lightPeriods, singles,
                        retained.largest, retained.largestEntries).isLessThanOrEqualTo(allowed);
            }
        });
    }

    @Test
    @Order(34)
    @Tag("rule-7")
    @Tag("rule-13")
    @DisplayName("keeps nothing of tasks that ended, however they ended (failed, threw, returned null, cancelled in flight)")
    void forgetsTasksHoweverTheyEnded(Shapes shapes) throws Exception {
        // Red team L: callers' futures mapped to the tasks' own futures, and forgotten with thenAccept (on success
        // only): every task that failed, threw, returned null or was cancelled in flight stayed in the map for ever.
        int count = shapes.between("tasks", 600, 1_200);
        long period = period(shapes);
        List<Throwable> kinds = EveryFailure.shuffled(shapes, "failures", "the partner");
        List<HowItEnds> endings = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            endings.add(HowItEnds.values()[i % HowItEnds.values().length]);
        }
        List<HowItEnds> order = shapes.shuffled("how each task ends", endings);
        try (VirtualRun run = new VirtualRun(shapes, new Limits(Integer.MAX_VALUE, period, Integer.MAX_VALUE),
                4 * period)) {
            List<CompletableFuture<Object>> owns = new ArrayList<>();
            List<CompletableFuture<Object>> results = run.caller().call("submit() x " + count, () -> {
                List<CompletableFuture<Object>> submitted = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    HowItEnds how = order.get(i);
                    Throwable failure = kinds.get(i % kinds.size());
                    CompletableFuture<Object> own = switch (how) {
                        case SUCCEEDS_AT_ONCE -> CompletableFuture.completedFuture("done");
                        case FAILS_AT_ONCE -> CompletableFuture.failedFuture(failure);
                        case SUPPLIER_THROWS, SUPPLIER_RETURNS_NULL -> null;
                        default -> new CompletableFuture<>();
                    };
                    owns.add(own);
                    submitted.add(run.limiter.submit(() -> switch (how) {
                        case SUPPLIER_THROWS -> throw Sneaky.raise(failure);
                        default -> own;
                    }));
                }
                return submitted;
            });
            run.settle();
            List<Integer> endOrder = shapes.shuffled("order in which the held tasks end",
                    java.util.stream.IntStream.range(0, count).boxed().toList());
            run.caller().run("ending the tasks still in flight, in a random order", () -> {
                for (int i : endOrder) {
                    CompletableFuture<Object> own = owns.get(i);
                    switch (order.get(i)) {
                        case SUCCEEDS_LATER -> own.complete("done later");
                        case FAILS_LATER -> own.completeExceptionally(kinds.get(i % kinds.size()));
                        case CANCELLED_BY_ITS_CALLER_IN_FLIGHT -> results.get(i).cancel(true);
                        case OWN_FUTURE_CANCELLED -> own.cancel(false);
                        default -> {
                        }
                    }
                }
            });
            run.settle();
            assertThat(results).as("callers' futures once every task ended").allMatch(CompletableFuture::isDone);
            assertThat(run.inFlight()).as("inFlight() once every task ended, however it ended (rule 7)").isZero();
            assertThat(run.waiting()).as("waiting() once every task ended").isZero();
            // Once their starts have left the window, one more task lets the limiter drop them from its log.
            run.advanceTo(period + 1 + shapes.random().nextLong(period));
            run.caller().run("submit() of one more task, a period later",
                    () -> run.limiter.submit(() -> CompletableFuture.completedFuture("one more")));
            run.settle();
            Retained retained = Retained.by(run.limiter);
            long held = retained.present + retained.objects;
            assertThat(held).as("objects and entries the limiter holds (its own objects, and the elements of the "
                    + "collections and arrays they reach; the largest: %s, with %,d places) once %,d tasks ended, "
                    + "each in one of these ways: %s, and a period later one more task ran: nothing waits and "
                    + "nothing is in flight, yet it keeps something of the tasks that ended. A task that failed, whose "
                    + "supplier threw or returned null, or that was cancelled in flight has ended like one that "
                    + "succeeded (rule 7): forget it in a callback that runs however it ends, such as whenComplete, "
                    + "not thenAccept (rule 13: memory only for the starts and tasks the limiter has)",
                    retained.largest, retained.largestEntries, count, java.util.Arrays.toString(HowItEnds.values()))
                    .isLessThan(64);
        }
    }
    /**
     * Wake-ups of a scheduler in virtual time that, at random, fire before {@code schedule()} returns: another
     * thread moves the clock to the wake-up's moment and runs it, and {@code schedule()} waits until it has run
     * (or is blocked, on a lock the scheduling thread holds), as if the scheduling thread had been paused for the
     * whole delay. Nested wake-ups (scheduled while one runs) wait for the clock as usual.
     */
    private static final class EarlyWakeUps {
        private final ManualScheduler manual;
        private final Random random;
        private final double eager;
        private final AtomicBoolean advancing = new AtomicBoolean();
        private final List<Thread> firing = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final AtomicInteger fired = new AtomicInteger();

        EarlyWakeUps(ManualScheduler manual, Random random, double eager) {
            this.manual = manual;
            this.random = random;
            this.eager = eager;
        }

        int fired() {
            return fired.get();
        }

        void advanceBy(long nanos) throws InterruptedException {
            awaitFired();
            if (!advancing.compareAndSet(false, true)) {
                throw new IllegalStateException("the test advances while a wake-up fires");
            }
            try {
                manual.advanceBy(Duration.ofNanos(nanos));
            } finally {
                advancing.set(false);
            }
        }

        /** Waits until every wake-up that fired early has finished (a generous bound: a stuck one fails). */
        void awaitFired() throws InterruptedException {
            for (Thread thread : firing) {
                thread.join(Duration.ofSeconds(60));
                if (ThreadEnd.stillRuns(thread)) {
                    throw new AssertionError("a wake-up that fired on the scheduler's thread has not finished "
                            + "after 60 s: it waits for something (rules 1, 10)");
                }
            }
            firing.clear();
        }

        /** Called by the scheduler once a wake-up {@code nanos} away is scheduled, before schedule() returns. */
        void scheduled(long nanos) {
            boolean early;
            synchronized (random) {
                early = random.nextDouble() < eager;
            }
            if (!early || !advancing.compareAndSet(false, true)) {
                return;
            }
            Thread thread = Thread.ofPlatform().name("scheduler-" + (fired.get() + 1)).start(() -> {
                try {
                    manual.advanceBy(Duration.ofNanos(nanos));
                } finally {
                    advancing.set(false);
                }
            });
            firing.add(thread);
            fired.incrementAndGet();
            int blockedSeen = 0;
            while (ThreadEnd.stillRuns(thread) && blockedSeen < 3) {
                try {
                    thread.join(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                Thread.State state = thread.getState();
                blockedSeen = state == Thread.State.BLOCKED || state == Thread.State.WAITING ? blockedSeen + 1 : 0;
            }
        }
    }
}

package katas.asyncratelimiter;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import katas.asyncratelimiter.RulesModel.Ending;
import katas.asyncratelimiter.RulesModel.Expected;
import katas.asyncratelimiter.RulesModel.Limits;
import katas.asyncratelimiter.RulesModel.Prediction;
import katas.asyncratelimiter.RulesModel.Task;
import katas.asyncratelimiter.RulesModel.Times;
import katas.testkit.NonBlockingCaller;
import katas.testkit.Shapes;
import katas.testkit.Sneaky;
import katas.testkit.time.ManualScheduler;

/**
 * One limiter in virtual time, and the story of every task given to it: when it was submitted,
 * started and ended, and when its caller heard of it. Time moves only when the test says so, so the
 * rules fix every start to the nanosecond (see {@link RulesModel}).
 *
 * <p>The clock ({@code nanoTime}) starts where the shapes say: near 0, far below it, or just below
 * {@code Long.MAX_VALUE}, so that it wraps around during the run, as {@code System.nanoTime} may.
 * Every call into the limiter (submit, cancel, close, the counts, and moving the clock, which runs
 * the limiter's timers and the tasks' ends) is made on one of a few caller threads, picked at random,
 * each of which fails the test at once when a call blocks. The calls are made one after the other,
 * so the order of submission is the order of the calls, whichever thread makes them.
 */
final class VirtualRun implements AutoCloseable {

    final Limits limits;
    final long origin;
    final ManualScheduler scheduler;
    final AsyncRateLimiter limiter;
    private final List<NonBlockingCaller> callers = new ArrayList<>();
    private final Random pick;
    private final List<Job> jobs = new ArrayList<>();
    private final List<Job> startOrder = new ArrayList<>();
    private final Random interrupts;
    private volatile double interrupted;

    /** A run with a clock origin and one to three caller threads drawn from {@code shapes}. */
    VirtualRun(Shapes shapes, Limits limits, long spanNanos) {
        this(shapes, limits, clockOrigin(shapes, spanNanos), shapes.between("caller threads", 1, 3));
    }

    /** A run whose clock starts at {@code origin}, with this many caller threads. */
    VirtualRun(Shapes shapes, Limits limits, long origin, int callerThreads) {
        this(shapes, limits, new ManualScheduler(origin), null, callerThreads);
    }

    /** A run on {@code manual}'s clock, whose limiter uses {@code seenByLimiter} (a wrapper of it) as its scheduler. */
    VirtualRun(Shapes shapes, Limits limits, ManualScheduler manual, ScheduledExecutorService seenByLimiter) {
        this(shapes, limits, manual, seenByLimiter, shapes.between("caller threads", 1, 3));
    }

    private VirtualRun(Shapes shapes, Limits limits, ManualScheduler manual, ScheduledExecutorService seenByLimiter,
            int callerThreads) {
        this.limits = limits;
        this.scheduler = manual;
        this.origin = manual.nanoTime();
        this.pick = shapes.random();
        this.interrupts = shapes.random();
        for (int i = 1; i <= callerThreads; i++) {
            callers.add(NonBlockingCaller.named("caller-" + i));
        }
        // The limiter sees an application's scheduler and clock: nothing in their names says "test" (or "mock").
        ScheduledExecutorService given = new ShopScheduler(seenByLimiter == null ? manual : seenByLimiter);
        try {
            this.limiter = caller().call("new AsyncRateLimiter(" + limits + ")", () -> new AsyncRateLimiter(
                    limits.permits(), Duration.ofNanos(limits.periodNanos()), limits.maxConcurrent(),
                    ShopScheduler.clock(manual::nanoTime),
                    given));
        } catch (OutOfMemoryError tooBig) {
            throw new AssertionError("new AsyncRateLimiter(" + limits + ") ran out of memory (" + tooBig.getMessage()
                    + "): permits and maxConcurrent may be as large as Integer.MAX_VALUE, so the limiter may use "
                    + "memory for the starts and tasks it has, not for each permit or slot it could have (rule 13)",
                    tooBig);
        }
    }

    /**
     * Where the clock starts: near 0, far below 0 (System.nanoTime may be negative), near Long.MIN_VALUE, or
     * just below Long.MAX_VALUE so that it wraps around within {@code spanNanos} of the start.
     */
    static long clockOrigin(Shapes shapes, long spanNanos) {
        String kind = shapes.oneOf("clock", "near 0", "negative", "near Long.MIN_VALUE", "wraps around");
        long span = Math.max(1, spanNanos);
        return switch (kind) {
            case "near 0" -> shapes.between("clock starts at", -1_000_000_000L, 1_000_000_000L);
            case "negative" -> shapes.between("clock starts at", Long.MIN_VALUE / 2, -1_000_000_000_000L);
            case "near Long.MIN_VALUE" -> shapes.between("clock starts at", Long.MIN_VALUE, Long.MIN_VALUE + span);
            default -> Long.MAX_VALUE - shapes.between("clock starts at (before Long.MAX_VALUE)", 0, span);
        };
    }

    /**
     * From now on, each submit(), close() and end of a task is made, with probability {@code p}, on a thread whose
     * interrupt status is set (a request thread whose request was cancelled, a client's I/O thread interrupted by a
     * shutdownNow()): the call must behave as on any other thread and leave the status set.
     */
    VirtualRun interruptingSometimes(double p) {
        this.interrupted = p;
        return this;
    }

    private boolean interruptNow() {
        double p = interrupted;
        if (p <= 0) {
            return false;
        }
        synchronized (interrupts) {
            return interrupts.nextDouble() < p;
        }
    }

    /**
     * Runs {@code call} on the current thread with its interrupt status set when {@code interrupt}; then checks that
     * the status is still set, and clears it. A call that throws there fails the test, naming the interrupt.
     */
    static <T> T maybeInterrupted(boolean interrupt, String what, java.util.concurrent.Callable<T> call)
            throws Exception {
        if (!interrupt) {
            return call.call();
        }
        Thread.currentThread().interrupt();
        T value;
        try {
            value = call.call();
        } catch (RuntimeException | Error thrown) {
            Thread.interrupted();
            if (thrown instanceof AssertionError) {
                throw thrown;
            }
            throw new AssertionError(what + ", made on a thread whose interrupt status was set, threw " + thrown
                    + ": an interrupt asks that thread's owner to stop, it is not a reason for the limiter to refuse "
                    + "or skip anything. Nothing in the limiter waits, so nothing in it is interruptible: take the "
                    + "lock with synchronized or lock(), never lockInterruptibly() (rules 1, 7, 9)", thrown);
        }
        if (!Thread.interrupted()) {
            throw new AssertionError(what + " was made on a thread whose interrupt status was set, and cleared it: the "
                    + "interrupt was meant for that thread's owner, who will never see it now; the limiter leaves the "
                    + "status as it found it (rule 1)");
        }
        return value;
    }

    /** A caller thread, picked at random. */
    NonBlockingCaller caller() {
        return callers.get(pick.nextInt(callers.size()));
    }

    /** The caller thread "caller-{index + 1}". */
    NonBlockingCaller caller(int index) {
        return callers.get(index);
    }

    /** Virtual time since the run began, in nanoseconds. */
    long now() {
        return scheduler.elapsed().toNanos();
    }

    List<Job> jobs() {
        return jobs;
    }

    // ------------------------------------------------------------------------------ tasks

    /** A task's result: a value of its own, so that a test can tell that its caller got this very object. */
    record Result(int task) {
    }

    /** The task's own future: it notes when it completes (however it completes), before anyone hears of it. */
    final class Own extends CompletableFuture<Object> {
        volatile long endedAt = -1;

        private void ended() {
            if (endedAt < 0 && !isDone()) {
                endedAt = now();
            }
        }

        @Override
        public boolean complete(Object value) {
            ended();
            return super.complete(value);
        }

        @Override
        public boolean completeExceptionally(Throwable failure) {
            ended();
            return super.completeExceptionally(failure);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            ended();
            return super.cancel(mayInterruptIfRunning);
        }
    }

    /** The story of one submitted task. */
    final class Job {
        final Task spec;
        final Result value;
        final Throwable failure;
        final Own own = new Own();
        volatile CompletableFuture<Object> result;
        volatile long startedAt = -1;
        volatile long settledAt = -1;
        volatile int calls;
        volatile Throwable seen;
        volatile boolean cancelWhenSubmitted;
        volatile int inFlightSeen = -1;
        volatile int waitingSeen = -1;

        Job(Task spec, Throwable failure) {
            this.spec = spec;
            this.value = new Result(spec.number());
            this.failure = failure;
        }

        /** What the limiter calls to start the task. */
        CompletableFuture<Object> start() {
            calls++;
            startedAt = now();
            inFlightSeen = limiter.inFlight(); // a supplier may call the limiter (rule 11)
            waitingSeen = limiter.waiting();
            synchronized (startOrder) {
                startOrder.add(this);
            }
            switch (spec.ending()) {
                case THROWS -> throw Sneaky.raise(failure);
                case RETURNS_NULL -> {
                    return null;
                }
                case CANCELS_ITSELF -> {
                    CompletableFuture<Object> mine = result;
                    if (mine == null) {
                        cancelWhenSubmitted = true; // started inside submit(): its caller cancels as soon as it can
                    } else {
                        mine.cancel(true);
                    }
                    return own;
                }
                case HELD -> {
                    return own;
                }
                default -> {
                    if (spec.lasts() == 0) {
                        finish();
                    } else {
                        scheduler.schedule(this::finish, spec.lasts(), TimeUnit.NANOSECONDS);
                    }
                    return own;
                }
            }
        }

        private void finish() {
            boolean wasInterrupted = Thread.interrupted(); // a thread of the test's: never, but keep it as it was
            try {
                maybeInterrupted(interruptNow(), "the end of " + this + " (its own future completed)", () -> {
                    if (spec.ending() == Ending.FAILS) {
                        own.completeExceptionally(failure);
                    } else if (spec.ending() == Ending.SUCCEEDS_WITH_NULL) {
                        own.complete(null);
                    } else {
                        own.complete(value);
                    }
                    return null;
                });
            } catch (Exception unexpected) {
                throw new IllegalStateException(unexpected);
            } finally {
                if (wasInterrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        boolean started() {
            return startedAt >= 0;
        }

        @Override
        public String toString() {
            return spec.toString();
        }
    }

    /** Submits {@code spec} now, on a caller thread picked at random; its failure (if it fails) is {@code failure}. */
    Job submit(Task spec, Throwable failure) {
        Job job = new Job(spec, failure);
        jobs.add(job);
        NonBlockingCaller by = caller();
        Supplier<CompletableFuture<Object>> task = job::start;
        job.result = by.call("submit(" + job + ")", () -> {
            CompletableFuture<Object> result;
            boolean interrupt = interruptNow();
            try {
                result = maybeInterrupted(interrupt, "submit(" + job + ")", () -> limiter.submit(task));
            } catch (Throwable thrown) {
                if (thrown == job.failure || thrown.getCause() == job.failure && job.failure != null) {
                    throw new AssertionError("submit(" + job + ") threw " + thrown + ", the exception of the task's "
                            + "supplier: submit() never throws it, the caller's future fails with it (rule 7)", thrown);
                }
                throw Sneaky.raise(thrown);
            }
            if (result == null) {
                throw new AssertionError("submit(" + job + ") returned null instead of a future");
            }
            result.whenComplete((value, failed) -> {
                job.seen = failed;
                job.settledAt = now();
            });
            return result;
        });
        settle();
        if (job.cancelWhenSubmitted) {
            cancel(job);
        }
        return job;
    }

    /** Moves the clock to {@code sinceStart} after the run began, running every timer and task end due by then. */
    void advanceTo(long sinceStartNanos) {
        caller().run("moving the clock to " + Times.at(sinceStartNanos),
                () -> scheduler.advanceTo(Duration.ofNanos(sinceStartNanos)));
        checkTimers();
    }

    /** Cancels the future that submit() returned for {@code job}, as its caller would. */
    void cancel(Job job) {
        caller().run("cancelling the future of " + job, () -> job.result.cancel(true));
        settle();
    }

    /** Closes the limiter. */
    void closeLimiter() {
        boolean interrupt = interruptNow();
        caller().run("close()", () -> maybeInterrupted(interrupt, "close()", () -> {
            limiter.close();
            return null;
        }));
        settle();
    }

    int waiting() {
        return caller().call("waiting()", limiter::waiting);
    }

    int inFlight() {
        return caller().call("inFlight()", limiter::inFlight);
    }

    /** Runs what the limiter handed to its scheduler for now (a limiter may start tasks through execute()). */
    void settle() {
        caller().run("running the timers due now", scheduler::runDue);
        checkTimers();
    }

    private void checkTimers() {
        if (!scheduler.failures().isEmpty()) {
            Throwable first = scheduler.failures().getFirst();
            throw new AssertionError("a timer or callback that the limiter handed to its scheduler threw " + first
                    + " at " + Times.at(now()) + "; nobody would ever see that exception in a real program", first);
        }
    }

    // ------------------------------------------------------------------------------ a whole scenario

    /**
     * Plays {@code tasks} (in the order of their numbers) and checks the run against the rules: at each
     * moment the clock first moves there (timers and ends due then run first), then callers cancel,
     * then callers submit. After each call, waiting() and inFlight() must say what the rules say;
     * at the end every start, every result and every count must be the one the rules fix.
     *
     * @param failures the failure of each task that fails or throws, by task number (others: null)
     */
    void play(List<Task> tasks, List<Throwable> failures) {
        Prediction prediction = RulesModel.predict(limits, tasks);
        Expected[] expected = prediction.tasks();
        TreeSet<Long> actionTimes = new TreeSet<>();
        long horizon = 0;
        for (int i = 0; i < tasks.size(); i++) {
            Task task = tasks.get(i);
            actionTimes.add(task.submitAt());
            if (task.cancelAt() >= 0) {
                actionTimes.add(task.cancelAt());
            }
            horizon = Math.max(horizon, Math.max(task.submitAt(), task.cancelAt()));
            horizon = Math.max(horizon, Math.max(expected[i].startAt, expected[i].settleAt));
        }
        horizon = Times.plus(horizon, Times.plus(3 * Math.min(limits.periodNanos(), Long.MAX_VALUE / 4), 10));
        int call = 0;
        for (long at : actionTimes) {
            advanceTo(at);
            for (int i = 0; i < tasks.size(); i++) {
                Task task = tasks.get(i);
                if (task.cancelAt() == at && i < jobs.size()) {
                    cancel(jobs.get(i));
                    checkCounts(prediction, call++, tasks);
                }
            }
            for (int i = 0; i < tasks.size(); i++) {
                Task task = tasks.get(i);
                if (task.submitAt() == at) {
                    submit(task, failures.get(i));
                    checkCounts(prediction, call++, tasks);
                }
            }
        }
        advanceTo(horizon);
        check(tasks, prediction);
    }

    /** Plays a plan: see {@link #play(List, List)}. */
    void play(Plan plan) {
        play(plan.tasks, plan.failures);
    }

    /**
     * A clock that reads the virtual time but now and then pauses the thread that reads it (a yield, or a
     * park of some tens of microseconds): a limiter that reads the time between checking for a free slot
     * and taking it is caught between the two steps while other threads run.
     *
     * <p>Only the other threads pause. The thread that makes the clock is the test's own, and it moves the
     * virtual time only while no other thread calls the limiter: a pause there finds no race, and on a busy
     * machine a park lasts a whole time slice, so a limiter that reads the clock often (a timer for every
     * wait, say) would run out of time instead of being judged.
     */
    static java.util.function.LongSupplier hesitating(ManualScheduler scheduler) {
        Thread calm = Thread.currentThread();
        return () -> {
            if (Thread.currentThread() != calm) {
                int roll = java.util.concurrent.ThreadLocalRandom.current().nextInt(16);
                if (roll == 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(30_000);
                } else if (roll < 4) {
                    Thread.yield();
                }
            }
            return scheduler.nanoTime();
        };
    }

    private void checkCounts(Prediction prediction, int call, List<Task> tasks) {
        RulesModel.Counts counts = prediction.counts().get(call);
        int waiting = waiting();
        int inFlight = inFlight();
        if (waiting != counts.waiting() || inFlight != counts.inFlight()) {
            throw new AssertionError("right after " + counts.call() + " at " + Times.at(counts.at()) + ", waiting() was "
                    + waiting + " and inFlight() was " + inFlight + ", but the rules say " + counts.waiting()
                    + " and " + counts.inFlight() + " (waiting() counts the tasks submitted and neither started nor "
                    + "withdrawn; inFlight() those started whose future has not completed)\n  " + describe(tasks,
                    tasks.size() - 1));
        }
    }

    private void check(List<Task> tasks, Prediction prediction) {
        Expected[] expected = prediction.tasks();
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            if (job.calls > 1) {
                fail(tasks, i, job + " was started " + job.calls + " times; a task starts once");
            }
            if (expected[i].cancelledWaiting && job.started() && job.startedAt >= job.spec.cancelAt()) {
                fail(tasks, i, job + " was started at " + Times.at(job.startedAt) + " although its caller had "
                        + "cancelled it at " + Times.at(job.spec.cancelAt()) + ", while it waited: a cancelled task "
                        + "leaves the line and never starts");
            }
        }
        assertWindowsKept(tasks);
        assertConcurrencyKept(tasks);
        assertFirstInFirstOut(tasks);
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            Expected e = expected[i];
            if (job.startedAt != e.startAt) {
                String got = job.started() ? "started at " + Times.at(job.startedAt) : "never started";
                String should = e.startAt < 0
                        ? "it should never have started (its caller cancelled it while it waited)"
                        : job.started() && job.startedAt < e.startAt
                        ? "the rules do not let it start before " + Times.at(e.startAt) + " (" + e.why + ")"
                        : "the rules let it start at " + Times.at(e.startAt) + ", " + e.why
                                + ", and a task starts the first moment the rules allow (rule 5)";
                fail(tasks, i, job + " " + got + ", but " + should);
            }
        }
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            Expected e = expected[i];
            boolean inFlightRight = job.inFlightSeen >= e.inFlightAtStart
                    && job.inFlightSeen <= e.inFlightAtStart + e.inFlightSlack;
            if (job.started() && (!inFlightRight || job.waitingSeen != e.waitingAtStart)) {
                fail(tasks, i, "while the supplier of " + job + " ran (it started at " + Times.at(job.startedAt)
                        + "), inFlight() was " + job.inFlightSeen + " and waiting() was " + job.waitingSeen + ", but "
                        + "the rules say " + (e.inFlightSlack == 0 ? e.inFlightAtStart : e.inFlightAtStart + " to "
                        + (e.inFlightAtStart + e.inFlightSlack)) + " and " + e.waitingAtStart + ": a task is in "
                        + "flight from the moment its supplier is called, and no longer waits (rule 3)");
            }
        }
        for (int i = 0; i < jobs.size(); i++) {
            checkResult(tasks, i, expected[i]);
        }
        int waiting = waiting();
        int inFlight = inFlight();
        if (waiting != prediction.finallyWaiting() || inFlight != prediction.finallyInFlight()) {
            fail(tasks, tasks.size() - 1, "once everything that could happen had happened, waiting() was " + waiting
                    + " and inFlight() was " + inFlight + ", but the rules say " + prediction.finallyWaiting() + " and "
                    + prediction.finallyInFlight() + " (a task that fails, throws or is cancelled must give its place "
                    + "and its slot back)");
        }
    }

    private void checkResult(List<Task> tasks, int i, Expected e) {
        Job job = jobs.get(i);
        CompletableFuture<Object> result = job.result;
        if (e.settleAt < 0) {
            if (result.isDone()) {
                fail(tasks, i, "the future of " + job + " completed at " + Times.at(job.settledAt) + " ("
                        + outcome(result) + "), but its task has not ended");
            }
            return;
        }
        if (!result.isDone()) {
            fail(tasks, i, "the future of " + job + " never completed: its caller would wait for ever (the task "
                    + (e.cancelledWaiting ? "was cancelled" : "ended") + " at " + Times.at(e.settleAt) + ")");
        }
        if (e.cancelledWaiting || e.cancelledRunning) {
            if (!result.isCancelled()) {
                fail(tasks, i, "the future of " + job + " should be cancelled, its caller cancelled it; it "
                        + outcome(result));
            }
            if (e.cancelledRunning && !job.own.isCancelled()) {
                fail(tasks, i, "the caller cancelled " + job + " while it ran, but the task's own future was not "
                        + "cancelled (it " + (job.own.isDone() ? outcome(job.own) : "is still running")
                        + "): the cancellation must reach the running task (rule 8)");
            }
            return;
        }
        if (job.settledAt != e.settleAt) {
            fail(tasks, i, "the caller of " + job + " heard of its end at " + Times.at(job.settledAt) + ", but the "
                    + "task ended at " + Times.at(e.settleAt) + ": a caller hears the moment the task ends (rule 6)");
        }
        switch (job.spec.ending()) {
            case SUCCEEDS -> {
                Object value = result.isCompletedExceptionally() ? null : result.join();
                if (value != job.value) {
                    fail(tasks, i, "the future of " + job + " should hold the task's own result " + job.value + " but "
                            + (result.isCompletedExceptionally() ? "failed with " + causeOf(result)
                            : "holds " + value) + " (rule 6)");
                }
            }
            case SUCCEEDS_WITH_NULL -> {
                if (result.isCompletedExceptionally() || result.join() != null) {
                    fail(tasks, i, "the future of " + job + " should hold the task's own result, null (the task's "
                            + "future succeeded with the value null), but it " + outcome(result) + ": a task ended "
                            + "well or badly by whether its future failed, not by its value (rule 6)");
                }
            }
            case FAILS, THROWS -> {
                if (job.seen != job.failure) {
                    fail(tasks, i, "the future of " + job + " should fail with the task's own exception, " + job.failure
                            + ", the very same object, but " + (job.seen == null ? "it " + outcome(result)
                            : "whenComplete saw " + job.seen + (job.seen.getCause() == job.failure
                            ? " wrapped around it" : "")) + " (rules 6 and 7)");
                }
            }
            case RETURNS_NULL -> {
                if (!(job.seen instanceof NullPointerException)) {
                    fail(tasks, i, "the future of " + job + " should fail with a NullPointerException (the task "
                            + "returned null instead of a future) but it " + outcome(result) + " (rule 7)");
                }
            }
            default -> {
            }
        }
    }

    /** No window of one period holds more than {@code permits} starts. */
    private void assertWindowsKept(List<Task> tasks) {
        long period = limits.periodNanos();
        int permits = limits.permits();
        List<Job> started = jobs.stream().filter(Job::started)
                .sorted((a, b) -> Long.compare(a.startedAt, b.startedAt)).toList();
        for (int k = 0; k + permits < started.size(); k++) {
            long from = started.get(k).startedAt;
            if (started.get(k + permits).startedAt - from < period) {
                List<String> inside = started.stream().filter(j -> j.startedAt >= from && j.startedAt - from < period)
                        .map(j -> "#" + j.spec.number() + " at " + Times.at(j.startedAt)).toList();
                fail(tasks, started.get(k + permits).spec.number() - 1, inside.size() + " tasks started in the window "
                        + "from " + Times.at(from) + " to " + Times.at(Times.plus(from, period)) + " ("
                        + String.join(", ", inside) + "), but at most " + permits + " may start in ANY window of one "
                        + "period, wherever it begins (rule 2). A count that restarts at fixed moments, or a bucket "
                        + "that refills a little at a time, lets one burst through just before and another just after.");
            }
        }
    }

    /** Never more than {@code maxConcurrent} tasks in flight at once (from its start until its own future completes). */
    private void assertConcurrencyKept(List<Task> tasks) {
        for (Job job : jobs) {
            if (!job.started()) {
                continue;
            }
            long at = job.startedAt;
            List<Job> together = jobs.stream().filter(other -> other.started() && other.startedAt <= at
                    && (other.own.endedAt < 0 || other.own.endedAt > at) && other.own.endedAt != other.startedAt
                    && !endsAtOnce(other)).toList();
            if (together.size() > limits.maxConcurrent()) {
                fail(tasks, job.spec.number() - 1, together.size() + " tasks were in flight at " + Times.at(at)
                        + " (" + together.stream().map(j -> "#" + j.spec.number()).collect(Collectors.joining(", "))
                        + "), but at most " + limits.maxConcurrent() + " may be; a task is in flight from its start "
                        + "until its own future completes (rule 3)");
            }
        }
    }

    private static boolean endsAtOnce(Job job) {
        return job.spec.ending() == Ending.THROWS || job.spec.ending() == Ending.RETURNS_NULL;
    }

    /** Tasks started in the order they were submitted. */
    private void assertFirstInFirstOut(List<Task> tasks) {
        List<Job> order;
        synchronized (startOrder) {
            order = List.copyOf(startOrder);
        }
        for (int k = 1; k < order.size(); k++) {
            if (order.get(k).spec.number() < order.get(k - 1).spec.number()) {
                fail(tasks, order.get(k - 1).spec.number() - 1, order.get(k) + " started before " + order.get(k - 1)
                        + ", which was submitted earlier: tasks start in the order they were submitted, whichever "
                        + "thread submitted them (rule 4); start order: " + order.stream()
                        .map(j -> "#" + j.spec.number()).collect(Collectors.joining(", ")));
            }
        }
    }

    private void fail(List<Task> tasks, int taskIndex, String what) {
        throw new AssertionError(what + "\n  " + describe(tasks, taskIndex));
    }

    /** The scenario around task {@code upTo}, for a failure message. */
    String describe(List<Task> tasks, int upTo) {
        int from = Math.max(0, upTo - 25);
        StringBuilder out = new StringBuilder("limits: " + limits + "; clock (nanoTime) starting at " + origin
                + "; tasks:");
        if (from > 0) {
            out.append("\n    ... (").append(from).append(" earlier tasks)");
        }
        for (int i = from; i < Math.min(tasks.size(), upTo + 1); i++) {
            Task task = tasks.get(i);
            out.append("\n    ").append(task);
            if (i < jobs.size()) {
                Job job = jobs.get(i);
                out.append(job.started() ? ": started at " + Times.at(job.startedAt) : ": never started");
            }
        }
        if (upTo + 1 < tasks.size()) {
            out.append("\n    ... (").append(tasks.size() - upTo - 1).append(" later tasks)");
        }
        return out.toString();
    }

    /** How a completed future completed, in words. */
    static String outcome(CompletableFuture<?> future) {
        if (!future.isDone()) {
            return "has not completed";
        }
        if (future.isCancelled()) {
            return "was cancelled";
        }
        if (future.isCompletedExceptionally()) {
            return "failed with " + causeOf(future);
        }
        return "holds " + future.join();
    }

    /** The exception a failed future holds, unwrapped from CompletionException; null when it did not fail. */
    static Throwable causeOf(CompletableFuture<?> future) {
        try {
            future.join();
            return null;
        } catch (CancellationException cancelled) {
            return cancelled;
        } catch (CompletionException failed) {
            Throwable cause = failed.getCause();
            while (cause instanceof CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            return cause;
        }
    }

    @Override
    public void close() {
        callers.forEach(NonBlockingCaller::close);
    }
}

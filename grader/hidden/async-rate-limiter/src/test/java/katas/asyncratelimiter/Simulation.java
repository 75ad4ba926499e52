package katas.asyncratelimiter;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import katas.testkit.NonBlockingCaller;
import katas.testkit.time.ManualScheduler;

/**
 * Hidden: scenarios in virtual time, checked against a model of the rules. Given when each task
 * is submitted, how long it runs, how it ends and when its caller cancels it, the rules (at most
 * {@code permits} starts in any window of one period, at most {@code maxConcurrent} in flight,
 * first in first out, each task starting the first moment all of them allow) fix the start time
 * of every task exactly. The model computes those times; the run compares them to the limiter's.
 *
 * <p>Time in scenarios is whole milliseconds since the run began. At each moment the run first
 * lets the clock reach it (timers and task completions due then run first), then cancels, then
 * submits, in task order, each call on a caller thread that fails at once if the call blocks.
 */
final class Simulation {

    private Simulation() {
    }

    enum Outcome { SUCCEEDS, FAILS, THROWS }

    /** One task of a scenario; {@code cancelAt} is -1 when its caller never cancels it. */
    record Spec(int number, long submitAt, long lasts, Outcome outcome, long cancelAt) {
        @Override
        public String toString() {
            String how = switch (outcome) {
                case THROWS -> "throws when started";
                case FAILS -> lasts == 0 ? "fails at once" : "fails after " + lasts + " ms";
                case SUCCEEDS -> lasts == 0 ? "ends at once" : "lasts " + lasts + " ms";
            };
            return "task #" + number + " (submitted at +" + submitAt + " ms, " + how
                    + (cancelAt >= 0 ? ", cancelled by its caller at +" + cancelAt + " ms" : "") + ")";
        }
    }

    record Scenario(String name, int permits, long periodMs, int maxConcurrent, long originNanos, List<Spec> tasks) {
        String limits() {
            return "at most " + permits + " start" + (permits == 1 ? "" : "s") + " in any " + periodMs + " ms and "
                    + maxConcurrent + " in flight";
        }

        String describe(int upToTask) {
            int from = Math.max(0, upToTask - 25);
            StringBuilder out = new StringBuilder("scenario '" + name + "': " + limits()
                    + (originNanos == 0 ? "" : ", clock (nanoTime) starting at " + originNanos) + "; tasks:");
            if (from > 0) {
                out.append("\n    ... (").append(from).append(" earlier tasks)");
            }
            for (int i = from; i < Math.min(tasks.size(), upToTask + 1); i++) {
                out.append("\n    ").append(tasks.get(i));
            }
            if (upToTask + 1 < tasks.size()) {
                out.append("\n    ... (").append(tasks.size() - upToTask - 1).append(" later tasks)");
            }
            return out.toString();
        }
    }

    /** What a scenario may contain. */
    record Features(boolean rate, boolean concurrency, boolean failures, boolean cancellations) {
    }

    // ---------------------------------------------------------------------------------- generation

    private static final long[] PERIODS = {50, 100, 200, 300, 1_000};

    /** A scenario drawn from {@code seed}: the same seed always gives the same scenario. */
    static Scenario random(String name, long seed, Features features, long originNanos) {
        Random random = new Random(seed * 1_000_003L + name.hashCode());
        int permits = features.rate() ? 1 + random.nextInt(4) : 10_000;
        long period = PERIODS[random.nextInt(PERIODS.length)];
        int maxConcurrent = features.concurrency() ? 1 + random.nextInt(4) : 10_000;
        int count = 12 + random.nextInt(28);
        List<Spec> tasks = new ArrayList<>();
        long at = 0;
        for (int i = 1; i <= count; i++) {
            int gap = random.nextInt(10);
            if (gap >= 6) {
                at += 10L * random.nextInt((int) (2 * period / 10) + 1);
            } else if (gap >= 4) {
                at += 10L * random.nextInt(4);
            }
            long lasts = random.nextInt(4) == 0 ? 0 : 10L * (1 + random.nextInt((int) (2 * period / 10)));
            Outcome outcome = Outcome.SUCCEEDS;
            if (features.failures()) {
                int roll = random.nextInt(10);
                outcome = roll < 2 ? Outcome.FAILS : roll < 3 ? Outcome.THROWS : Outcome.SUCCEEDS;
            }
            long cancelAt = -1;
            if (features.cancellations() && random.nextInt(4) == 0) {
                cancelAt = at + 5L * (1 + random.nextInt((int) (3 * period / 5)));
            }
            tasks.add(new Spec(i, at, lasts, outcome, cancelAt));
        }
        return new Scenario(name + " #" + seed, permits, period, maxConcurrent, originNanos, List.copyOf(tasks));
    }

    // ---------------------------------------------------------------------------------- the model

    /** What the rules say happens to one task. */
    static final class Expected {
        long startAt = -1;
        long settleAt = -1;
        boolean cancelledWaiting;
        boolean cancelledRunning;
        String why = "";
    }

    /** Plays the rules forward: every task starts the first moment all of them allow. */
    static Expected[] predict(Scenario scenario) {
        List<Spec> tasks = scenario.tasks();
        int n = tasks.size();
        Expected[] expected = new Expected[n];
        for (int i = 0; i < n; i++) {
            expected[i] = new Expected();
        }
        Deque<Integer> line = new ArrayDeque<>();
        List<Integer> running = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        List<Integer> starters = new ArrayList<>();
        boolean[] submitted = new boolean[n];
        TreeSet<Long> actionTimes = new TreeSet<>();
        for (Spec task : tasks) {
            actionTimes.add(task.submitAt());
            if (task.cancelAt() >= 0) {
                actionTimes.add(task.cancelAt());
            }
        }
        long[] freedAt = {Long.MIN_VALUE};
        int[] freedBy = {-1};
        while (true) {
            long t = Long.MAX_VALUE;
            Long nextAction = actionTimes.isEmpty() ? null : actionTimes.first();
            if (nextAction != null) {
                t = nextAction;
            }
            for (int r : running) {
                t = Math.min(t, expected[r].startAt + tasks.get(r).lasts());
            }
            if (!line.isEmpty() && running.size() < scenario.maxConcurrent() && starts.size() >= scenario.permits()) {
                t = Math.min(t, starts.get(starts.size() - scenario.permits()) + scenario.periodMs());
            }
            if (t == Long.MAX_VALUE) {
                break;
            }
            final long now = t;
            // 1. what the clock brings: tasks that end now (the limiter's own timers only start tasks)
            for (int r : List.copyOf(running)) {
                if (expected[r].startAt + tasks.get(r).lasts() == now) {
                    running.remove(Integer.valueOf(r));
                    expected[r].settleAt = now;
                    freedAt[0] = now;
                    freedBy[0] = r;
                }
            }
            startWhatMay(scenario, now, line, running, starts, starters, expected, freedAt, freedBy);
            if (nextAction != null && nextAction == now) {
                actionTimes.pollFirst();
                // 2. callers cancel
                for (int i = 0; i < n; i++) {
                    if (tasks.get(i).cancelAt() != now || !submitted[i]) {
                        continue;
                    }
                    if (line.remove(i)) {
                        expected[i].cancelledWaiting = true;
                        expected[i].settleAt = now;
                    } else if (running.remove(Integer.valueOf(i))) {
                        expected[i].cancelledRunning = true;
                        expected[i].settleAt = now;
                        freedAt[0] = now;
                        freedBy[0] = i;
                        startWhatMay(scenario, now, line, running, starts, starters, expected, freedAt, freedBy);
                    }
                }
                // 3. callers submit
                for (int i = 0; i < n; i++) {
                    if (tasks.get(i).submitAt() == now) {
                        submitted[i] = true;
                        line.add(i);
                        startWhatMay(scenario, now, line, running, starts, starters, expected, freedAt, freedBy);
                    }
                }
            }
        }
        return expected;
    }

    private static void startWhatMay(Scenario scenario, long now, Deque<Integer> line, List<Integer> running,
            List<Long> starts, List<Integer> starters, Expected[] expected, long[] freedAt, int[] freedBy) {
        List<Spec> tasks = scenario.tasks();
        while (!line.isEmpty() && running.size() < scenario.maxConcurrent()) {
            int permits = scenario.permits();
            long windowFreeAt = starts.size() < permits ? Long.MIN_VALUE
                    : starts.get(starts.size() - permits) + scenario.periodMs();
            if (windowFreeAt > now) {
                return;
            }
            int i = line.poll();
            Spec task = tasks.get(i);
            Expected e = expected[i];
            e.startAt = now;
            if (now == task.submitAt()) {
                e.why = "at once: it was submitted then, and neither the rate nor the concurrency bound held it back";
            } else if (windowFreeAt == now) {
                int leaving = starters.get(starters.size() - permits);
                e.why = "when the start of task #" + (leaving + 1) + " at +" + starts.get(starts.size() - permits)
                        + " ms left the window (the rate allowed it from then on)";
            } else if (freedAt[0] == now) {
                e.why = "when task #" + (freedBy[0] + 1) + " ended and freed a slot";
            } else {
                e.why = "as soon as the tasks ahead of it in the line had started";
            }
            starts.add(now);
            starters.add(i);
            if (task.outcome() == Outcome.THROWS || task.lasts() == 0) {
                e.settleAt = now;
            } else {
                running.add(i);
            }
        }
    }

    // ---------------------------------------------------------------------------------- the run

    /** What happened to one task in the run. */
    static final class Observed {
        final CompletableFuture<String> own = new CompletableFuture<>();
        volatile CompletableFuture<String> result;
        volatile long startedAt = -1;
        volatile long endedAt = -1;
        volatile long settledAt = -1;
        volatile int calls;
    }

    static String valueOf(Spec task) {
        return "result of task #" + task.number();
    }

    static RuntimeException failureOf(Spec task) {
        return new IllegalStateException("task #" + task.number() + " failed");
    }

    /** Runs {@code scenario} on the limiter, checks it against the model, and fails with an explanation. */
    static void runAndCheck(Scenario scenario) {
        Expected[] expected = predict(scenario);
        ManualScheduler scheduler = new ManualScheduler(scenario.originNanos());
        List<Spec> tasks = scenario.tasks();
        Observed[] observed = new Observed[tasks.size()];
        List<Integer> startOrder = new ArrayList<>();
        long horizon = 0;
        for (int i = 0; i < tasks.size(); i++) {
            observed[i] = new Observed();
            horizon = Math.max(horizon, Math.max(expected[i].settleAt, expected[i].startAt));
            horizon = Math.max(horizon, tasks.get(i).cancelAt());
        }
        horizon += 3 * scenario.periodMs() + 10;
        try (NonBlockingCaller caller = NonBlockingCaller.named("caller")) {
            AsyncRateLimiter limiter = new AsyncRateLimiter(scenario.permits(), Duration.ofMillis(scenario.periodMs()),
                    scenario.maxConcurrent(), scheduler::nanoTime, scheduler);
            TreeSet<Long> actionTimes = new TreeSet<>();
            for (Spec task : tasks) {
                actionTimes.add(task.submitAt());
                if (task.cancelAt() >= 0) {
                    actionTimes.add(task.cancelAt());
                }
            }
            for (long at : actionTimes) {
                advance(caller, scheduler, at, scenario);
                for (int i = 0; i < tasks.size(); i++) {
                    Spec task = tasks.get(i);
                    Observed o = observed[i];
                    if (task.cancelAt() == at && o.result != null) {
                        caller.run("cancelling the future of " + task, () -> o.result.cancel(true));
                        advance(caller, scheduler, at, scenario);
                    }
                }
                for (int i = 0; i < tasks.size(); i++) {
                    Spec task = tasks.get(i);
                    if (task.submitAt() != at) {
                        continue;
                    }
                    Observed o = observed[i];
                    o.result = caller.call("submit(" + task + ")", () -> {
                        CompletableFuture<String> result = limiter.submit(() -> start(task, o, scheduler, startOrder));
                        if (result == null) {
                            throw new AssertionError("submit(" + task + ") returned null instead of a future");
                        }
                        result.whenComplete((value, failure) -> o.settledAt = elapsedMs(scheduler));
                        return result;
                    });
                    advance(caller, scheduler, at, scenario);
                }
            }
            advance(caller, scheduler, horizon, scenario);
            check(scenario, expected, observed, startOrder);
            int waiting = caller.call("waiting()", limiter::waiting);
            int inFlight = caller.call("inFlight()", limiter::inFlight);
            if (waiting != 0 || inFlight != 0) {
                throw new AssertionError("when every task had ended, waiting() was " + waiting + " and inFlight() was "
                        + inFlight + ", both should be 0 (a task that fails or is cancelled must give its place and its "
                        + "slot back)\n  " + scenario.describe(tasks.size() - 1));
            }
        }
    }

    private static void advance(NonBlockingCaller caller, ManualScheduler scheduler, long toMs, Scenario scenario) {
        caller.run("advancing the clock to +" + toMs + " ms", () -> scheduler.advanceTo(Duration.ofMillis(toMs)));
        if (!scheduler.failures().isEmpty()) {
            Throwable first = scheduler.failures().getFirst();
            throw new AssertionError("a timer or callback that the limiter handed to its scheduler threw " + first
                    + " (by +" + toMs + " ms); nobody would ever see that exception in a real program\n  "
                    + scenario.describe(scenario.tasks().size() - 1), first);
        }
    }

    private static CompletableFuture<String> start(Spec task, Observed o, ManualScheduler scheduler,
            List<Integer> startOrder) {
        o.calls++;
        o.startedAt = elapsedMs(scheduler);
        synchronized (startOrder) {
            startOrder.add(task.number() - 1);
        }
        if (task.outcome() == Outcome.THROWS) {
            o.endedAt = o.startedAt;
            throw failureOf(task);
        }
        o.own.whenComplete((value, failure) -> o.endedAt = elapsedMs(scheduler));
        Runnable finish = () -> {
            if (task.outcome() == Outcome.FAILS) {
                o.own.completeExceptionally(failureOf(task));
            } else {
                o.own.complete(valueOf(task));
            }
        };
        if (task.lasts() == 0) {
            finish.run();
        } else {
            scheduler.schedule(finish, task.lasts(), TimeUnit.MILLISECONDS);
        }
        return o.own;
    }

    private static long elapsedMs(ManualScheduler scheduler) {
        return scheduler.elapsed().toMillis();
    }

    // ---------------------------------------------------------------------------------- the checks

    private static void check(Scenario scenario, Expected[] expected, Observed[] observed, List<Integer> startOrder) {
        List<Spec> tasks = scenario.tasks();
        for (int i = 0; i < tasks.size(); i++) {
            if (observed[i].calls > 1) {
                fail(scenario, i, tasks.get(i) + " was started " + observed[i].calls + " times; a task starts once");
            }
            long cancelAt = tasks.get(i).cancelAt();
            if (cancelAt >= 0 && observed[i].startedAt > cancelAt) {
                fail(scenario, i, tasks.get(i) + " was started at +" + observed[i].startedAt + " ms although its caller "
                        + "had cancelled it at +" + cancelAt + " ms, while it waited: a cancelled task leaves the line "
                        + "and never starts");
            }
        }
        checkWindows(scenario, observed);
        checkConcurrency(scenario, observed);
        List<Integer> order;
        synchronized (startOrder) {
            order = List.copyOf(startOrder);
        }
        for (int k = 1; k < order.size(); k++) {
            if (order.get(k) < order.get(k - 1)) {
                fail(scenario, order.get(k - 1), tasks.get(order.get(k)) + " started before " + tasks.get(order.get(k - 1))
                        + ", which was submitted earlier: waiting tasks must start in the order they were submitted "
                        + "(first in, first out)");
            }
        }
        for (int i = 0; i < tasks.size(); i++) {
            Spec task = tasks.get(i);
            Expected e = expected[i];
            Observed o = observed[i];
            if (o.startedAt != e.startAt) {
                String got = o.startedAt < 0 ? "never started" : "started at +" + o.startedAt + " ms";
                String should = e.startAt < 0
                        ? "it should never have started (its caller cancelled it while it waited)"
                        : o.startedAt >= 0 && o.startedAt < e.startAt
                        ? "the rules do not let it start before +" + e.startAt + " ms (" + e.why + ")"
                        : "the rules let it start at +" + e.startAt + " ms, " + e.why
                                + ", and a task must start the first moment the rules allow";
                fail(scenario, i, task + " " + got + ", but " + should);
            }
        }
        for (int i = 0; i < tasks.size(); i++) {
            checkResult(scenario, i, expected[i], observed[i]);
        }
    }

    private static void checkWindows(Scenario scenario, Observed[] observed) {
        long period = scenario.periodMs();
        int permits = scenario.permits();
        List<long[]> starts = new ArrayList<>();
        for (int i = 0; i < observed.length; i++) {
            if (observed[i].startedAt >= 0) {
                starts.add(new long[] {observed[i].startedAt, i});
            }
        }
        starts.sort((a, b) -> Long.compare(a[0], b[0]));
        for (int k = 0; k + permits < starts.size(); k++) {
            long from = starts.get(k)[0];
            if (starts.get(k + permits)[0] - from < period) {
                List<String> inside = starts.stream().filter(s -> s[0] >= from && s[0] < from + period)
                        .map(s -> "#" + (s[1] + 1) + " at +" + s[0]).toList();
                fail(scenario, (int) starts.get(k + permits)[1], inside.size() + " tasks started in the window from +"
                        + from + " ms to +" + (from + period) + " ms (" + String.join(", ", inside) + "), but at most "
                        + permits + " may start in ANY window of one period, wherever it begins. (A count that restarts "
                        + "at fixed moments lets one burst through just before and another just after.)");
            }
        }
    }

    private static void checkConcurrency(Scenario scenario, Observed[] observed) {
        for (int i = 0; i < observed.length; i++) {
            long at = observed[i].startedAt;
            if (at < 0) {
                continue;
            }
            List<Integer> together = new ArrayList<>();
            for (int j = 0; j < observed.length; j++) {
                Observed o = observed[j];
                boolean runningAt = o.startedAt >= 0 && o.startedAt <= at && o.endedAt != o.startedAt
                        && (o.endedAt < 0 || o.endedAt > at);
                if (runningAt) {
                    together.add(j + 1);
                }
            }
            if (together.size() > scenario.maxConcurrent()) {
                fail(scenario, i, together.size() + " tasks were in flight at +" + at + " ms (tasks "
                        + together.stream().map(n -> "#" + n).collect(Collectors.joining(", ")) + "), but at most "
                        + scenario.maxConcurrent() + " may be; a task is in flight from its start until its own future "
                        + "completes");
            }
        }
    }

    private static void checkResult(Scenario scenario, int i, Expected e, Observed o) {
        Spec task = scenario.tasks().get(i);
        CompletableFuture<String> result = o.result;
        if (!result.isDone()) {
            fail(scenario, i, "the future of " + task + " never completed: its caller would wait forever");
        }
        if (e.cancelledWaiting || e.cancelledRunning) {
            if (!result.isCancelled()) {
                fail(scenario, i, "the future of " + task + " should be cancelled, its caller cancelled it");
            }
            if (e.cancelledRunning && !o.own.isCancelled()) {
                fail(scenario, i, "the caller cancelled " + task + " while it ran, but the task's own future was not "
                        + "cancelled: the cancellation must reach the running task");
            }
            return;
        }
        if (o.settledAt != e.settleAt) {
            fail(scenario, i, "the caller of " + task + " got the result at +" + o.settledAt + " ms, but the task "
                    + (task.outcome() == Outcome.THROWS ? "threw" : "ended") + " at +" + e.settleAt + " ms: a caller "
                    + "gets the result the moment the task ends, not later");
        }
        if (task.outcome() == Outcome.SUCCEEDS) {
            String value = result.isCompletedExceptionally() ? null : result.join();
            if (!valueOf(task).equals(value)) {
                fail(scenario, i, "the future of " + task + " should hold \"" + valueOf(task) + "\" but "
                        + (value == null ? "failed with " + causeOf(result) : "holds \"" + value + "\""));
            }
        } else {
            Throwable cause = result.isCompletedExceptionally() ? causeOf(result) : null;
            if (cause == null || !String.valueOf(cause.getMessage()).equals(failureOf(task).getMessage())) {
                fail(scenario, i, "the future of " + task + " should fail with the task's own exception (\""
                        + failureOf(task).getMessage() + "\") but " + (cause == null ? "succeeded" : "failed with " + cause));
            }
        }
    }

    static Throwable causeOf(CompletableFuture<?> result) {
        try {
            result.join();
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

    private static void fail(Scenario scenario, int taskIndex, String what) {
        throw new AssertionError(what + "\n  " + scenario.describe(taskIndex));
    }
}

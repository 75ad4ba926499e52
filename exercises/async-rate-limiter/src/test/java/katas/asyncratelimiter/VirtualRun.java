package katas.asyncratelimiter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import katas.testkit.NonBlockingCaller;
import katas.testkit.time.ManualScheduler;

/**
 * One limiter in virtual time, and the story of every task given to it: when it was submitted,
 * started and finished, and when its caller heard of the result. Times are whole milliseconds
 * since the run began ("+300 ms").
 *
 * <p>Time moves only when a test calls {@link #advanceTo(long)}. Every call into the limiter
 * (submit, cancel, close, and advancing the clock, which runs the limiter's timers and the tasks'
 * completions) is made on a caller thread that fails the test at once if the call blocks.
 */
final class VirtualRun implements AutoCloseable {

    final int permits;
    final Duration period;
    final int maxConcurrent;
    final ManualScheduler scheduler = new ManualScheduler();
    final AsyncRateLimiter limiter;
    private final NonBlockingCaller caller = NonBlockingCaller.named("caller");
    private final List<Job> jobs = new ArrayList<>();
    private final List<Job> startOrder = new ArrayList<>();

    VirtualRun(int permits, Duration period, int maxConcurrent) {
        this.permits = permits;
        this.period = period;
        this.maxConcurrent = maxConcurrent;
        this.limiter = new AsyncRateLimiter(permits, period, maxConcurrent, scheduler::nanoTime, scheduler);
    }

    /** The story of one submitted task. */
    final class Job {
        final int number;
        final long submittedAt;
        final long lasts;
        final RuntimeException failure;
        final boolean throwsInstead;
        final CompletableFuture<String> own = new CompletableFuture<>();
        CompletableFuture<String> result;
        volatile long startedAt = -1;
        volatile long endedAt = -1;
        volatile long settledAt = -1;
        volatile int calls;

        Job(int number, long lasts, RuntimeException failure, boolean throwsInstead) {
            this.number = number;
            this.submittedAt = now();
            this.lasts = lasts;
            this.failure = failure;
            this.throwsInstead = throwsInstead;
        }

        /** What the limiter calls to start the task: it records the start and returns the task's own future. */
        CompletableFuture<String> start() {
            calls++;
            startedAt = now();
            synchronized (startOrder) {
                startOrder.add(this);
            }
            if (throwsInstead) {
                endedAt = startedAt;
                throw failure;
            }
            own.whenComplete((value, failure) -> endedAt = now());
            if (lasts == 0) {
                finish();
            } else {
                scheduler.schedule(this::finish, lasts, TimeUnit.MILLISECONDS);
            }
            return own;
        }

        private void finish() {
            if (failure == null) {
                own.complete(value());
            } else {
                own.completeExceptionally(failure);
            }
        }

        String value() {
            return "result of task #" + number;
        }

        boolean started() {
            return startedAt >= 0;
        }

        @Override
        public String toString() {
            return "task #" + number + " (submitted at +" + submittedAt + " ms"
                    + (throwsInstead ? ", throws when started" : lasts == 0 ? ", ends at once" : ", lasts " + lasts + " ms")
                    + ")";
        }
    }

    /** Submits a task that succeeds {@code lastsMs} after it starts (0: it has already ended when it returns). */
    Job submit(long lastsMs) {
        return submit(new Job(jobs.size() + 1, lastsMs, null, false));
    }

    /** Submits a task that fails with {@code failure} {@code lastsMs} after it starts. */
    Job submitFailing(long lastsMs, RuntimeException failure) {
        return submit(new Job(jobs.size() + 1, lastsMs, failure, false));
    }

    /** Submits a task that throws {@code failure} when the limiter starts it, instead of returning a future. */
    Job submitThrowing(RuntimeException failure) {
        return submit(new Job(jobs.size() + 1, 0, failure, true));
    }

    private Job submit(Job job) {
        jobs.add(job);
        job.result = caller.call("submit(" + job + ")", () -> {
            CompletableFuture<String> result = limiter.submit(job::start);
            if (result == null) {
                throw new AssertionError("submit(" + job + ") returned null instead of a future");
            }
            result.whenComplete((value, failure) -> job.settledAt = now());
            return result;
        });
        settle();
        return job;
    }

    /** Moves the clock to {@code ms} after the run began, running every timer and completion due by then. */
    void advanceTo(long ms) {
        caller.run("advancing the clock to +" + ms + " ms", () -> scheduler.advanceTo(Duration.ofMillis(ms)));
        checkTimers();
    }

    /** Cancels the future that submit returned for {@code job}, as its caller would. */
    void cancel(Job job) {
        caller.run("cancelling the future of " + job, () -> job.result.cancel(true));
        settle();
    }

    /** Closes the limiter. */
    void closeLimiter() {
        caller.run("close()", limiter::close);
        settle();
    }

    int waiting() {
        return caller.call("waiting()", limiter::waiting);
    }

    int inFlight() {
        return caller.call("inFlight()", limiter::inFlight);
    }

    long now() {
        return scheduler.elapsed().toMillis();
    }

    List<Job> jobs() {
        return jobs;
    }

    /** Runs what the limiter handed to its scheduler for now (a limiter may start tasks through execute()). */
    private void settle() {
        caller.run("running the tasks due now", scheduler::runDue);
        checkTimers();
    }

    private void checkTimers() {
        if (!scheduler.failures().isEmpty()) {
            Throwable first = scheduler.failures().getFirst();
            throw new AssertionError("a timer or callback that the limiter handed to its scheduler threw " + first
                    + " at +" + now() + " ms; nobody would ever see that exception in a real program", first);
        }
    }

    // ------------------------------------------------------------------------------ assertions

    /**
     * The tasks started at these times (ms since the run began; -1: never), in the order they were
     * submitted. Checks first that no rule was broken (window, concurrency, order), which explains
     * a wrong time better than the time itself.
     */
    void assertStartTimes(String rule, long... expectedMs) {
        assertFirstInFirstOut();
        assertWindowsKept();
        assertConcurrencyKept();
        long[] actual = jobs.stream().mapToLong(job -> job.startedAt).toArray();
        if (Arrays.equals(actual, expectedMs)) {
            return;
        }
        StringBuilder why = new StringBuilder("with " + describeLimits() + " (" + rule + "), the tasks should start at "
                + times(expectedMs) + " but started at " + times(actual) + ":");
        for (int i = 0; i < jobs.size(); i++) {
            long expected = i < expectedMs.length ? expectedMs[i] : -1;
            if (actual[i] != expected) {
                Job job = jobs.get(i);
                why.append("\n  ").append(job).append(actual[i] < 0 ? " never started" : " started at +" + actual[i] + " ms")
                        .append(expected < 0 ? ", but it should never have started" : ", but the rules let it start at +"
                                + expected + " ms" + (actual[i] < 0 || actual[i] > expected
                                ? " (a task must start the moment the rate and the concurrency bound allow it)"
                                : " and not before"));
            }
        }
        throw new AssertionError(why.toString());
    }

    /** No window of one period holds more than {@code permits} starts. */
    void assertWindowsKept() {
        long periodMs = period.toMillis();
        List<Long> starts = jobs.stream().filter(Job::started).map(job -> job.startedAt).sorted().toList();
        for (int i = 0; i + permits < starts.size(); i++) {
            long from = starts.get(i);
            long to = starts.get(i + permits);
            if (to - from < periodMs) {
                int count = (int) starts.stream().filter(s -> s >= from && s < from + periodMs).count();
                throw new AssertionError(count + " tasks started between +" + from + " ms and +" + (from + periodMs)
                        + " ms, one window of " + periodMs + " ms, but at most " + permits + " may start in ANY window "
                        + "of one period, wherever it begins (start times: " + times(starts) + "). A window that "
                        + "restarts its count at fixed moments lets a burst at the end of one window and another at "
                        + "the start of the next through together.");
            }
        }
    }

    /** Never more than {@code maxConcurrent} tasks ran at the same time (a task runs from its start until its future completes). */
    void assertConcurrencyKept() {
        for (Job job : jobs) {
            if (!job.started()) {
                continue;
            }
            long at = job.startedAt;
            List<Job> together = jobs.stream().filter(other -> other.started() && other.startedAt <= at
                    && (other.endedAt < 0 || other.endedAt > at) && (other.endedAt != other.startedAt)).toList();
            if (together.size() > maxConcurrent) {
                throw new AssertionError(together.size() + " tasks were in flight at +" + at + " ms, but at most "
                        + maxConcurrent + " may be (a task is in flight from the moment it starts until its future "
                        + "completes): " + together.stream().map(Job::toString).collect(Collectors.joining(", ")));
            }
        }
    }

    /** Tasks started in the order they were submitted. */
    void assertFirstInFirstOut() {
        List<Job> order;
        synchronized (startOrder) {
            order = List.copyOf(startOrder);
        }
        for (int i = 1; i < order.size(); i++) {
            if (order.get(i).number < order.get(i - 1).number) {
                throw new AssertionError(order.get(i) + " started before " + order.get(i - 1)
                        + ", which was submitted earlier: waiting tasks must start in the order they were submitted "
                        + "(first in, first out); start order: " + order.stream().map(job -> "#" + job.number)
                        .collect(Collectors.joining(", ")));
            }
        }
    }

    /** The future submit() returned for {@code job} holds the task's value, since the task ended at {@code endedMs}. */
    void assertDelivered(Job job, long endedMs) {
        CompletableFuture<String> result = job.result;
        if (!result.isDone()) {
            throw new AssertionError(job + " ended at +" + endedMs + " ms, but at +" + now() + " ms the "
                    + "future submit() returned for it is still not completed: its caller gets the result the moment "
                    + "the task's own future completes");
        }
        if (result.isCompletedExceptionally()) {
            throw new AssertionError("the future submit() returned for " + job + " failed with " + causeOf(result)
                    + ", but the task succeeded with \"" + job.value() + "\"");
        }
        assertThat(result.join()).as("the value in the future submit() returned for %s", job).isEqualTo(job.value());
        assertResultsOnTime(job, endedMs);
    }

    /** The future submit() returned for {@code job} failed with {@code failure}, at {@code failedMs}. */
    void assertFailedWith(Job job, Throwable failure, long failedMs) {
        CompletableFuture<String> result = job.result;
        if (!result.isDone()) {
            throw new AssertionError(job + " failed at +" + failedMs + " ms, but at +" + now() + " ms the "
                    + "future submit() returned for it is still not completed: its caller must hear of the failure "
                    + "the moment it happens, or it waits forever");
        }
        if (!result.isCompletedExceptionally()) {
            throw new AssertionError("the future submit() returned for " + job + " holds \"" + result.join()
                    + "\", but the task failed with " + failure);
        }
        assertThat(causeOf(result)).as("the exception in the future submit() returned for %s (the task's own "
                + "exception, passed on as it is)", job).isSameAs(failure);
        assertResultsOnTime(job, failedMs);
    }

    static Throwable causeOf(CompletableFuture<?> result) {
        try {
            result.join();
            return null;
        } catch (java.util.concurrent.CancellationException cancelled) {
            return cancelled;
        } catch (java.util.concurrent.CompletionException failed) {
            Throwable cause = failed.getCause();
            while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
                cause = cause.getCause();
            }
            return cause;
        }
    }

    private void assertResultsOnTime(Job job, long settledMs) {
        assertThat(job.settledAt)
                .as("the caller of %s should get the result at +%d ms, when the task ended, but got it at %s", job,
                        settledMs, job.settledAt < 0 ? "no time at all (never)" : "+" + job.settledAt + " ms")
                .isEqualTo(settledMs);
    }

    /** The caller heard of each finished task's result at the moment the task finished. */
    void assertResultsOnTime(long... settledMs) {
        for (int i = 0; i < settledMs.length; i++) {
            Job job = jobs.get(i);
            assertThat(job.settledAt)
                    .as("the caller of %s should get the result at +%d ms, when the task finished, but got it at %s",
                            job, settledMs[i], job.settledAt < 0 ? "no time at all (never)" : "+" + job.settledAt + " ms")
                    .isEqualTo(settledMs[i]);
        }
    }

    String describeLimits() {
        return "at most " + permits + " start" + (permits == 1 ? "" : "s") + " per " + period.toMillis() + " ms and "
                + maxConcurrent + " in flight";
    }

    private static String times(long[] ms) {
        return Arrays.stream(ms).mapToObj(t -> t < 0 ? "-" : "+" + t).collect(Collectors.joining(", ", "[", "] ms"));
    }

    private static String times(List<Long> ms) {
        return ms.stream().map(t -> "+" + t).collect(Collectors.joining(", ", "[", "] ms"));
    }

    @Override
    public void close() {
        caller.close();
    }
}

package katas.asyncratelimiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import katas.asyncratelimiter.VirtualRun.Job;
import katas.testkit.time.ManualScheduler;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import katas.testkit.KataTest;

/**
 * Every test but the last runs in virtual time: the clock moves only when the test advances it,
 * so start times are checked to the millisecond and nothing sleeps.
 */
@DisplayName("AsyncRateLimiter")
@KataTest
class AsyncRateLimiterTest {

    private static final Duration ONE_SECOND = Duration.ofSeconds(1);

    @Nested
    @DisplayName("one task")
    class OneTask {

        @Test
        @DisplayName("starts at once when nothing holds it back, and its caller gets the result when it ends")
        void startsAtOnceAndDeliversTheResult() {
            try (VirtualRun run = new VirtualRun(2, ONE_SECOND, 2)) {
                Job job = run.submit(100);
                assertThat(job.startedAt).as("%s was not started although a permit and a slot were free", job)
                        .isZero();
                assertThat(job.result).as("the result of %s arrived before the task ended", job).isNotDone();
                run.advanceTo(100);
                run.assertDelivered(job, 100);
                assertThat(job.calls).as("how many times %s was started", job).isEqualTo(1);
            }
        }

        @Test
        @DisplayName("passes the task's failure on to its caller")
        void passesOnAFailure() {
            try (VirtualRun run = new VirtualRun(2, ONE_SECOND, 2)) {
                IllegalStateException boom = new IllegalStateException("boom");
                Job job = run.submitFailing(50, boom);
                run.advanceTo(50);
                run.assertFailedWith(job, boom, 50);
            }
        }

        @Test
        @DisplayName("refuses limits that make no sense")
        void refusesLimitsThatMakeNoSense() {
            ManualScheduler scheduler = new ManualScheduler();
            assertThatThrownBy(() -> new AsyncRateLimiter(0, ONE_SECOND, 1, scheduler::nanoTime, scheduler))
                    .as("permits 0").isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new AsyncRateLimiter(1, Duration.ZERO, 1, scheduler::nanoTime, scheduler))
                    .as("a period of zero").isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new AsyncRateLimiter(1, ONE_SECOND, 0, scheduler::nanoTime, scheduler))
                    .as("maxConcurrent 0").isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new AsyncRateLimiter(1, ONE_SECOND, 1, null, scheduler))
                    .as("no clock").isInstanceOf(NullPointerException.class);
        }
    }

    @Nested
    @DisplayName("the rate: at most `permits` starts in any window of one period")
    class Rate {

        @Test
        @DisplayName("starts three per second, the next three the moment the first three leave the window")
        void startsAtMostPermitsPerPeriod() {
            try (VirtualRun run = new VirtualRun(3, ONE_SECOND, 10)) {
                for (int i = 0; i < 7; i++) {
                    run.submit(0);
                }
                run.advanceTo(2_500);
                run.assertStartTimes("nothing else happens: the limiter must wake itself up when a start leaves "
                        + "the window", 0, 0, 0, 1_000, 1_000, 1_000, 2_000);
            }
        }

        @Test
        @DisplayName("counts the window from each start, so a burst at a boundary cannot double the rate")
        void slidesTheWindowInsteadOfResettingIt() {
            try (VirtualRun run = new VirtualRun(3, ONE_SECOND, 10)) {
                run.submit(0);
                run.advanceTo(900);
                for (int i = 0; i < 5; i++) {
                    run.submit(0);
                }
                run.advanceTo(3_000);
                run.assertStartTimes("each start uses its permit for one period from the moment it happens",
                        0, 900, 900, 1_000, 1_900, 1_900);
            }
        }

        @Test
        @DisplayName("gives a permit back one period after the start, however long the task runs")
        void longTasksDoNotSlowTheRate() {
            try (VirtualRun run = new VirtualRun(2, ONE_SECOND, 10)) {
                for (int i = 0; i < 4; i++) {
                    run.submit(1_500);
                }
                run.advanceTo(2_500);
                run.assertStartTimes("the rate counts starts, not running tasks: a task that runs for 1.5 s "
                        + "does not hold its permit for longer than the period", 0, 0, 1_000, 1_000);
                run.assertResultsOnTime(1_500, 1_500, 2_500, 2_500);
            }
        }
    }

    @Nested
    @DisplayName("concurrency: at most `maxConcurrent` tasks in flight")
    class Concurrency {

        @Test
        @DisplayName("keeps at most two in flight, and starts a waiting task the moment one ends")
        void keepsAtMostMaxConcurrentInFlight() {
            try (VirtualRun run = new VirtualRun(100, ONE_SECOND, 2)) {
                for (int i = 0; i < 5; i++) {
                    run.submit(300);
                }
                assertThat(run.inFlight()).as("inFlight() with two tasks started and none ended").isEqualTo(2);
                assertThat(run.waiting()).as("waiting() with five submitted and two started").isEqualTo(3);
                run.advanceTo(1_000);
                run.assertStartTimes("a slot frees when a task's future completes", 0, 0, 300, 300, 600);
                assertThat(run.inFlight()).as("inFlight() once every task has ended").isZero();
            }
        }

        @Test
        @DisplayName("starts a task only when both the rate and a free slot allow it")
        void waitsForTheLaterOfTheTwoRules() {
            try (VirtualRun run = new VirtualRun(2, ONE_SECOND, 1)) {
                for (int i = 0; i < 3; i++) {
                    run.submit(300);
                }
                run.advanceTo(2_000);
                run.assertStartTimes("task #2 waits for a slot, task #3 for the rate", 0, 300, 1_000);
            }
        }
    }

    @Nested
    @DisplayName("order: first in, first out")
    class Order {

        @Test
        @DisplayName("starts waiting tasks in the order they were submitted")
        void startsWaitingTasksInSubmissionOrder() {
            try (VirtualRun run = new VirtualRun(1, Duration.ofMillis(100), 1)) {
                for (int i = 0; i < 6; i++) {
                    run.submit(10);
                }
                run.advanceTo(1_000);
                run.assertStartTimes("one start per 100 ms", 0, 100, 200, 300, 400, 500);
            }
        }
    }

    @Nested
    @DisplayName("failures and cancellation")
    class FailuresAndCancellation {

        @Test
        @DisplayName("frees the slot of a task that fails")
        void aFailedTaskFreesItsSlot() {
            try (VirtualRun run = new VirtualRun(100, ONE_SECOND, 1)) {
                IllegalStateException boom = new IllegalStateException("boom");
                Job failing = run.submitFailing(200, boom);
                Job next = run.submit(100);
                run.advanceTo(1_000);
                run.assertStartTimes("the failed task's slot is free the moment it fails", 0, 200);
                run.assertFailedWith(failing, boom, 200);
                run.assertDelivered(next, 300);
            }
        }

        @Test
        @DisplayName("frees the slot of a task that throws instead of returning a future, and passes the exception on")
        void aTaskThatThrowsFreesItsSlot() {
            try (VirtualRun run = new VirtualRun(100, ONE_SECOND, 1)) {
                IllegalArgumentException boom = new IllegalArgumentException("no future for you");
                Job throwing = run.submitThrowing(boom);
                Job next = run.submit(100);
                run.advanceTo(1_000);
                run.assertStartTimes("a task that threw has ended", 0, 0);
                run.assertFailedWith(throwing, boom, 0);
                run.assertDelivered(next, 100);
            }
        }

        @Test
        @DisplayName("never starts a waiting task whose future was cancelled, and moves the line up")
        void cancellingAWaitingTaskRemovesIt() {
            try (VirtualRun run = new VirtualRun(100, ONE_SECOND, 1)) {
                run.submit(500);
                Job cancelled = run.submit(100);
                Job after = run.submit(100);
                run.advanceTo(100);
                run.cancel(cancelled);
                assertThat(run.waiting()).as("waiting() after one of the two waiting tasks was cancelled").isEqualTo(1);
                run.advanceTo(2_000);
                assertThat(cancelled.calls).as("%s was started although its caller had cancelled it", cancelled)
                        .isZero();
                run.assertStartTimes("the cancelled task gives its place to the next", 0, -1, 500);
                run.assertDelivered(after, 600);
            }
        }

        @Test
        @DisplayName("cancels a running task's own future when its caller cancels, and frees its slot")
        void cancellingARunningTaskFreesItsSlot() {
            try (VirtualRun run = new VirtualRun(100, ONE_SECOND, 1)) {
                Job running = run.submit(500);
                run.submit(100);
                run.advanceTo(100);
                run.cancel(running);
                assertThat(running.own.isCancelled())
                        .as("the caller cancelled %s, but the task's own future was not cancelled", running).isTrue();
                run.advanceTo(1_000);
                run.assertStartTimes("the cancelled task's slot is free at +100 ms", 0, 100);
            }
        }
    }

    @Nested
    @DisplayName("never blocking")
    class NeverBlocking {

        @Test
        @DisplayName("returns from submit at once even when no permit and no slot is free")
        void submitReturnsAtOnce() {
            try (VirtualRun run = new VirtualRun(1, ONE_SECOND, 1)) {
                Job first = run.submit(5_000);
                Job second = run.submit(100);
                Job third = run.submit(100);
                assertThat(first.result).isNotDone();
                assertThat(second.result).as("the future of a task that cannot start yet").isNotDone();
                assertThat(third.result).as("the future of a task that cannot start yet").isNotDone();
                assertThat(run.waiting()).as("waiting()").isEqualTo(2);
            }
        }
    }

    @Nested
    @DisplayName("closing")
    class Closing {

        @Test
        @DisplayName("cancels what waits, lets what runs finish, and refuses new tasks")
        void closeSettlesWaitingTasksAndRefusesNewOnes() {
            try (VirtualRun run = new VirtualRun(100, ONE_SECOND, 1)) {
                Job running = run.submit(300);
                Job waiting = run.submit(100);
                run.advanceTo(100);
                run.closeLimiter();
                assertThat(waiting.result.isCancelled())
                        .as("%s was still waiting when the limiter closed: its future should be cancelled, "
                                + "or its caller would wait forever", waiting).isTrue();
                assertThat(run.waiting()).as("waiting() after close()").isZero();
                Job late = run.submit(100);
                assertThat(late.result.isCompletedExceptionally())
                        .as("submit() after close() should return a future that has already failed").isTrue();
                assertThat(VirtualRun.causeOf(late.result)).as("the exception in the future submit() returned after "
                        + "close()").isInstanceOf(RejectedExecutionException.class);
                run.advanceTo(2_000);
                run.assertStartTimes("after close() nothing starts", 0, -1, -1);
                run.assertDelivered(running, 300);
            }
        }
    }

    @Nested
    @DisplayName("on a real scheduler")
    class OnARealScheduler {

        @Test
        @DisplayName("spaces starts by the period on the system clock (with a tolerance)")
        void worksOnARealScheduler() throws Exception {
            long periodMs = 150;
            long toleranceMs = 50; // a thread may be descheduled between the limiter's decision and the task's start
            ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
            try (AsyncRateLimiter limiter = new AsyncRateLimiter(2, Duration.ofMillis(periodMs), 2,
                    System::nanoTime, scheduler)) {
                long origin = System.nanoTime();
                List<Long> startedAt = new ArrayList<>();
                List<CompletableFuture<String>> results = new ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    String value = "task " + i;
                    results.add(limiter.submit(() -> {
                        synchronized (startedAt) {
                            startedAt.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - origin));
                        }
                        return CompletableFuture.completedFuture(value);
                    }));
                }
                try {
                    CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
                } catch (TimeoutException late) {
                    throw new AssertionError("after 5 s only " + startedAt.size() + " of 6 tasks had started (at "
                            + startedAt + " ms); with 2 per 150 ms they need about 300 ms: does the limiter "
                            + "schedule a wake-up on the scheduler it was given?");
                } catch (ExecutionException failed) {
                    throw new AssertionError("a task's future failed: " + failed.getCause(), failed.getCause());
                }
                List<Long> starts;
                synchronized (startedAt) {
                    starts = List.copyOf(startedAt);
                }
                for (int i = 0; i + 2 < starts.size(); i++) {
                    assertThat(starts.get(i + 2) - starts.get(i))
                            .as("tasks started at %s ms since the first submit: the starts at +%d ms and +%d ms are "
                                    + "less than a period (%d ms, less a tolerance of %d ms) apart, so three started "
                                    + "within one period", starts, starts.get(i), starts.get(i + 2), periodMs, toleranceMs)
                            .isGreaterThanOrEqualTo(periodMs - toleranceMs);
                }
            } finally {
                scheduler.shutdownNow();
            }
        }
    }
}

package katas.asyncratelimiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import katas.testkit.NonBlockingCaller;
import katas.testkit.time.ManualScheduler;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import katas.testkit.KataTest;

/** Hidden: edge cases, in virtual time, each call on a caller thread that fails at once if it blocks. */
@DisplayName("AsyncRateLimiter at the edges")
@KataTest
class AsyncRateLimiterEdgeCaseTest {

    /** A limiter in virtual time with its caller thread. */
    private static final class Bench implements AutoCloseable {
        final ManualScheduler scheduler = new ManualScheduler();
        final NonBlockingCaller caller = NonBlockingCaller.named("caller");
        final AsyncRateLimiter limiter;

        Bench(int permits, Duration period, int maxConcurrent) {
            limiter = new AsyncRateLimiter(permits, period, maxConcurrent, scheduler::nanoTime, scheduler);
        }

        <T> CompletableFuture<T> submit(String what, Supplier<CompletableFuture<T>> task) {
            CompletableFuture<T> result = caller.call("submit(" + what + ")", () -> limiter.submit(task));
            runDue();
            return result;
        }

        void advanceTo(Duration sinceStart) {
            caller.run("advancing the clock to +" + sinceStart, () -> scheduler.advanceTo(sinceStart));
            checkTimers();
        }

        void runDue() {
            caller.run("running the tasks due now", scheduler::runDue);
            checkTimers();
        }

        private void checkTimers() {
            if (!scheduler.failures().isEmpty()) {
                Throwable first = scheduler.failures().getFirst();
                throw new AssertionError("a timer or callback that the limiter handed to its scheduler threw " + first,
                        first);
            }
        }

        /** A task that records when it starts (ns since the run began) and ends after {@code lasts}. */
        Supplier<CompletableFuture<String>> task(String name, Duration lasts, List<Long> startedAt) {
            return () -> {
                synchronized (startedAt) {
                    startedAt.add(scheduler.elapsed().toNanos());
                }
                if (lasts.isZero()) {
                    return CompletableFuture.completedFuture(name);
                }
                CompletableFuture<String> own = new CompletableFuture<>();
                scheduler.schedule(() -> own.complete(name), lasts.toNanos(), TimeUnit.NANOSECONDS);
                return own;
            };
        }

        /** {@code result} holds {@code value}: the task ended, and its caller must have the result now. */
        void assertDelivered(CompletableFuture<String> result, String value) {
            if (!result.isDone()) {
                throw new AssertionError("the task \"" + value + "\" has ended, but at +" + scheduler.elapsed().toMillis()
                        + " ms the future submit() returned for it is still not completed: its caller gets the result "
                        + "the moment the task's own future completes");
            }
            if (result.isCompletedExceptionally()) {
                throw new AssertionError("the future of the task \"" + value + "\" failed with "
                        + Simulation.causeOf(result) + ", but the task succeeded");
            }
            assertThat(result.join()).isEqualTo(value);
        }

        @Override
        public void close() {
            caller.close();
        }
    }

    @Test
    @DisplayName("runs 20,000 waiting tasks that each end at once, in a loop, not a recursion (no StackOverflowError)")
    void runsALongChainOfInstantTasks() {
        try (Bench bench = new Bench(1_000_000, Duration.ofSeconds(1), 1)) {
            List<Long> starts = new ArrayList<>();
            CompletableFuture<String> blocker = bench.submit("blocker", bench.task("blocker", Duration.ofMillis(10), starts));
            int count = 20_000;
            List<CompletableFuture<String>> results = bench.caller.call("submit() x 20,000", () -> {
                List<CompletableFuture<String>> submitted = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    String name = "instant " + i;
                    submitted.add(bench.limiter.submit(() -> CompletableFuture.completedFuture(name)));
                }
                return submitted;
            });
            bench.advanceTo(Duration.ofMillis(10));
            bench.assertDelivered(blocker, "blocker");
            long done = results.stream().filter(r -> r.isDone() && !r.isCompletedExceptionally()).count();
            Throwable overflow = results.stream().filter(CompletableFuture::isCompletedExceptionally).findFirst()
                    .map(Simulation::causeOf).orElse(null);
            assertThat(done)
                    .as("when the first task ended, the %,d tasks waiting behind it (each ending the moment it starts) "
                            + "should all have run, one after the other, at once; %,d did%s. Starting the next task "
                            + "from inside the callback of the one that just ended nests one call in the other, "
                            + "and 20,000 nested calls overflow the stack: let one loop start them instead.",
                            count, done, overflow == null ? "" : " and one failed with " + overflow)
                    .isEqualTo(count);
            assertThat(bench.caller.call("inFlight()", bench.limiter::inFlight)).as("inFlight() at the end").isZero();
        }
    }

    @Test
    @DisplayName("refuses a null task at once")
    void refusesANullTask() {
        try (Bench bench = new Bench(1, Duration.ofSeconds(1), 1)) {
            assertThatThrownBy(() -> bench.limiter.submit(null)).isInstanceOf(NullPointerException.class);
        }
    }

    @Test
    @DisplayName("fails the future of a task that returns null instead of a future, and frees its slot")
    void handlesATaskThatReturnsNull() {
        try (Bench bench = new Bench(10, Duration.ofSeconds(1), 1)) {
            List<Long> starts = new ArrayList<>();
            CompletableFuture<String> broken = bench.submit("a task returning null", () -> null);
            CompletableFuture<String> next = bench.submit("next", bench.task("next", Duration.ofMillis(5), starts));
            assertThat(broken.isCompletedExceptionally())
                    .as("the future of a task that returned null instead of a future should have failed at once, with "
                            + "a NullPointerException (the task has ended: there is nothing to wait for)").isTrue();
            assertThat(Simulation.causeOf(broken)).isInstanceOf(NullPointerException.class);
            assertThat(starts).as("the task after it should start at once: the slot is free").containsExactly(0L);
            bench.advanceTo(Duration.ofMillis(5));
            bench.assertDelivered(next, "next");
        }
    }

    @Test
    @DisplayName("keeps a period of 30 days exactly (no overflow in milliseconds held in an int)")
    void keepsAVeryLongPeriod() {
        Duration month = Duration.ofDays(30);
        try (Bench bench = new Bench(2, month, 10)) {
            List<Long> starts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                bench.submit("task " + i, bench.task("task " + i, Duration.ZERO, starts));
            }
            bench.advanceTo(month.minusNanos(1));
            assertThat(starts).as("start times (ns) before 30 days have passed").containsExactly(0L, 0L);
            bench.advanceTo(month);
            assertThat(starts).as("start times (ns): the third task starts exactly 30 days after the first")
                    .containsExactly(0L, 0L, month.toNanos());
        }
    }

    @Test
    @DisplayName("keeps time exactly below a millisecond (no delay rounded to whole milliseconds)")
    void keepsTimeBelowAMillisecond() {
        try (Bench bench = new Bench(1, Duration.ofNanos(1_500), 10)) {
            List<Long> starts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                bench.submit("task " + i, bench.task("task " + i, Duration.ZERO, starts));
            }
            bench.advanceTo(Duration.ofMillis(2));
            assertThat(starts).as("start times (ns) with one start per 1,500 ns: the delay was rounded, or a "
                    + "wake-up came too early or too late").containsExactly(0L, 1_500L, 3_000L, 4_500L);
        }
    }

    @Test
    @DisplayName("takes 5,000 cancelled tasks out of the line at once, and never starts them")
    void withdrawsManyCancelledTasks() {
        try (Bench bench = new Bench(1_000_000, Duration.ofSeconds(1), 1)) {
            List<Long> starts = new ArrayList<>();
            bench.submit("blocker", bench.task("blocker", Duration.ofMillis(10), starts));
            AtomicInteger started = new AtomicInteger();
            List<CompletableFuture<String>> waiting = bench.caller.call("submit() x 5,000", () -> {
                List<CompletableFuture<String>> submitted = new ArrayList<>();
                for (int i = 0; i < 5_000; i++) {
                    submitted.add(bench.limiter.submit(() -> {
                        started.incrementAndGet();
                        return CompletableFuture.completedFuture("should not run");
                    }));
                }
                return submitted;
            });
            assertThat(bench.caller.call("waiting()", bench.limiter::waiting)).isEqualTo(5_000);
            bench.caller.run("cancelling 5,000 futures", () -> waiting.forEach(f -> f.cancel(false)));
            assertThat(bench.caller.call("waiting()", bench.limiter::waiting))
                    .as("waiting() right after every waiting task was cancelled: cancelled tasks must leave the line")
                    .isZero();
            bench.advanceTo(Duration.ofSeconds(2));
            assertThat(started).as("cancelled tasks that were started anyway").hasValue(0);
            assertThat(bench.caller.call("inFlight()", bench.limiter::inFlight)).isZero();
        }
    }

    @Test
    @DisplayName("lets a result's callback submit the next task, and keeps the rate across such chains")
    void acceptsTasksSubmittedFromCallbacks() {
        try (Bench bench = new Bench(2, Duration.ofMillis(100), 1)) {
            List<Long> starts = new ArrayList<>();
            int chain = 12;
            CompletableFuture<Integer> last = new CompletableFuture<>();
            class Link {
                void submit(int k) {
                    bench.limiter.submit(bench.task("link " + k, Duration.ofMillis(10), starts))
                            .whenComplete((value, failure) -> {
                                if (failure != null) {
                                    last.completeExceptionally(failure);
                                } else if (k + 1 < chain) {
                                    submit(k + 1);
                                } else {
                                    last.complete(k);
                                }
                            });
                }
            }
            bench.caller.run("submit(link 0)", () -> new Link().submit(0));
            bench.advanceTo(Duration.ofSeconds(2));
            if (!last.isDone()) {
                throw new AssertionError("a chain of " + chain + " tasks, each submitted from the callback of the one "
                        + "before when it ended, stopped after " + starts.size() + " started (start times in ns: "
                        + starts + "); two per 100 ms, all of them should have run within 2 s");
            }
            assertThat(last).as("the last link of a chain of %d tasks, each submitted by the previous one's callback",
                    chain).isCompletedWithValue(chain - 1);
            List<Long> expected = new ArrayList<>();
            for (int k = 0; k < chain; k++) {
                expected.add(TimeUnit.MILLISECONDS.toNanos(100L * (k / 2) + 10L * (k % 2)));
            }
            assertThat(starts).as("start times (ns): two per 100 ms, each link submitted when the one before ended")
                    .containsExactlyElementsOf(expected);
        }
    }

    @Test
    @DisplayName("closes twice without harm, and refuses every task after the first close")
    void closesIdempotently() {
        try (Bench bench = new Bench(1, Duration.ofSeconds(1), 1)) {
            AtomicInteger started = new AtomicInteger();
            bench.caller.run("close()", bench.limiter::close);
            bench.caller.run("close() again", bench.limiter::close);
            CompletableFuture<String> late = bench.submit("late", () -> {
                started.incrementAndGet();
                return CompletableFuture.completedFuture("late");
            });
            assertThat(late.isCompletedExceptionally()).as("submit() after close() should return a future that has "
                    + "already failed").isTrue();
            assertThat(Simulation.causeOf(late)).isInstanceOf(RejectedExecutionException.class);
            assertThat(started).as("tasks started after close()").hasValue(0);
            assertThat(bench.caller.call("waiting()", bench.limiter::waiting)).isZero();
        }
    }

    @Test
    @DisplayName("leaves a finished task alone when its caller cancels it afterwards")
    void ignoresACancelAfterTheEnd() {
        try (Bench bench = new Bench(1, Duration.ofMillis(100), 1)) {
            List<Long> starts = new ArrayList<>();
            CompletableFuture<String> first = bench.submit("first", bench.task("first", Duration.ofMillis(10), starts));
            bench.submit("second", bench.task("second", Duration.ofMillis(10), starts));
            bench.advanceTo(Duration.ofMillis(50));
            bench.assertDelivered(first, "first");
            bench.caller.run("cancelling a finished task", () -> first.cancel(true));
            bench.advanceTo(Duration.ofMillis(300));
            assertThat(starts).as("start times (ns)").containsExactly(0L, TimeUnit.MILLISECONDS.toNanos(100));
            assertThat(bench.caller.call("inFlight()", bench.limiter::inFlight)).isZero();
        }
    }
}

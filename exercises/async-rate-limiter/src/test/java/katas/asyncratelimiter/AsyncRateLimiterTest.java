package katas.asyncratelimiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.AdditionalAnswers.delegatesTo;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import katas.asyncratelimiter.RulesModel.Ending;
import katas.asyncratelimiter.RulesModel.Limits;
import katas.asyncratelimiter.RulesModel.Task;
import katas.asyncratelimiter.RulesModel.Times;
import katas.asyncratelimiter.VirtualRun.Job;
import katas.testkit.Contention;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Watch;
import katas.testkit.time.ManualScheduler;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestClassOrder;
import org.mockito.InOrder;
import org.mockito.exceptions.base.MockitoAssertionError;

/**
 * The rules of the README, one group each. Shapes (limits, periods to the nanosecond, how many tasks,
 * how long they run, how they fail, which thread submits, where the clock starts) are drawn at random
 * from a seed that every failure prints, so that it can be replayed. Every test but the last of
 * "time and threads" runs in virtual time: the clock moves only when the test moves it, so every
 * start is checked to the nanosecond against the rules (see {@link RulesModel}) and nothing sleeps.
 */
@DisplayName("AsyncRateLimiter")
@KataTest
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class AsyncRateLimiterTest {

    /** A period drawn in nanoseconds, never a whole number of milliseconds. */
    static long period(Shapes round, long min, long max) {
        return round.between("period (ns)", min, max) | 1L;
    }

    @Nested
    @Order(1)
    @DisplayName("rule 1: submit() never blocks")
    @Tag("rule-1")
    class NeverBlocking {

        @Test
        @Tag("rule-3")
        @DisplayName("returns a future at once however many tasks wait, and counts them with waiting()")
        void submitReturnsAtOnce(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                int permits = round.between("permits", 1, 4);
                int maxConcurrent = round.between("maxConcurrent", 1, 4);
                long period = period(round, 1_000_001L, 999_999_999L);
                int count = round.between("tasks", permits + maxConcurrent + 1, 3 * (permits + maxConcurrent) + 2);
                Plan plan = new Plan();
                for (int i = 0; i < count; i++) {
                    plan.add(0, 0, Ending.HELD, -1, null);
                }
                try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, maxConcurrent), 4 * period)) {
                    run.play(plan);
                }
            });
        }
    }

    @Nested
    @Order(2)
    @DisplayName("rule 2: at most `permits` starts in any window of one period")
    @Tag("rule-2")
    @Tag("rule-5")
    class Rate {

        @Test
        @DisplayName("starts `permits` tasks at once, and each next one the moment a start leaves the window")
        void startsAtMostPermitsPerPeriod(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                int permits = round.between("permits", 1, 6);
                long period = period(round, 1_000_001L, 999_999_999L);
                int count = round.between("tasks", permits + 2, 4 * permits + 3);
                Plan plan = new Plan();
                for (int i = 0; i < count; i++) {
                    plan.succeeds(0, 0);
                }
                try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, Integer.MAX_VALUE),
                        (count / permits + 2) * period)) {
                    run.play(plan);
                }
            });
        }

        @Test
        @DisplayName("counts the window from each start, so a burst at a boundary cannot double the rate")
        void slidesTheWindowInsteadOfResettingIt(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                int permits = round.between("permits", 2, 5);
                long period = period(round, 1_000_001L, 999_999_999L);
                long offset = round.between("burst at (ns)", 1, period - 1);
                int burst = round.between("tasks in the burst", 2 * permits, 3 * permits + 1);
                Plan plan = new Plan().succeeds(0, 0);
                for (int i = 0; i < burst; i++) {
                    plan.succeeds(offset, 0);
                }
                try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, Integer.MAX_VALUE),
                        5 * period)) {
                    run.play(plan);
                }
            });
        }

        @Test
        @Tag("rule-6")
        @DisplayName("gives a permit back one period after the start, however long the task runs")
        void longTasksDoNotSlowTheRate(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                int permits = round.between("permits", 1, 4);
                long period = period(round, 1_000_001L, 999_999_999L);
                int count = round.between("tasks", 2 * permits + 1, 3 * permits + 2);
                Random random = round.random();
                Plan plan = new Plan();
                for (int i = 0; i < count; i++) {
                    plan.succeeds(0, period + 1 + random.nextLong(2 * period));
                }
                try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, Integer.MAX_VALUE),
                        8 * period)) {
                    run.play(plan);
                }
            });
        }
    }

    @Nested
    @Order(3)
    @DisplayName("rule 3: at most `maxConcurrent` tasks in flight")
    @Tag("rule-3")
    @Tag("rule-5")
    class Concurrency {

        @Test
        @DisplayName("keeps at most `maxConcurrent` in flight, and starts a waiting task the moment one ends")
        void keepsAtMostMaxConcurrentInFlight(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                int maxConcurrent = round.between("maxConcurrent", 1, 4);
                long period = period(round, 1_000_001L, 999_999_999L);
                int count = round.between("tasks", maxConcurrent + 2, 3 * maxConcurrent + 4);
                Random random = round.random();
                Plan plan = new Plan();
                for (int i = 0; i < count; i++) {
                    plan.succeeds(0, 1 + random.nextLong(period));
                }
                try (VirtualRun run = new VirtualRun(round, new Limits(Integer.MAX_VALUE, period, maxConcurrent),
                        count * period)) {
                    run.play(plan);
                }
            });
        }

        @Test
        @Tag("rule-2")
        @DisplayName("starts a task only when both the rate and a free slot allow it, and not a moment later")
        void waitsForTheLaterOfTheTwoRules(Shapes shapes) throws Exception {
            shapes.check(5, round -> {
                int permits = round.between("permits", 1, 3);
                int maxConcurrent = round.between("maxConcurrent", 1, 3);
                long period = period(round, 1_000_001L, 999_999_999L);
                int count = round.between("tasks", 4, 10);
                Random random = round.random();
                Plan plan = new Plan();
                long at = 0;
                for (int i = 0; i < count; i++) {
                    if (random.nextInt(3) == 0) {
                        at += random.nextLong(period);
                    }
                    plan.succeeds(at, random.nextInt(4) == 0 ? 0 : random.nextLong(2 * period));
                }
                try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, maxConcurrent),
                        count * 3 * period)) {
                    run.play(plan);
                }
            });
        }
    }

    @Nested
    @Order(4)
    @DisplayName("rule 4: first in, first out")
    @Tag("rule-4")
    class Order4 {

        @Test
        @Tag("rule-8")
        @DisplayName("calls the tasks' suppliers in the order they were submitted, whichever thread submitted them")
        void startsInSubmissionOrderWhicheverThreadSubmits(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                int count = round.between("tasks", 6, 12);
                long period = period(round, 1_000_001L, 999_999_999L);
                int callers = round.between("caller threads", 2, 4);
                // Tasks #2 and #3 (the first two that wait) come from one thread, #4 from another; the rest at random.
                List<Integer> threads = round.shuffled("threads", java.util.stream.IntStream.range(0, callers)
                        .boxed().toList());
                Random random = round.random();
                int cancelled = round.between("cancelled task", 5, count - 1);
                try (VirtualRun run = new VirtualRun(round, new Limits(1, period, 1), 0, callers)) {
                    List<Supplier<CompletableFuture<Object>>> suppliers = new ArrayList<>();
                    List<CompletableFuture<Object>> results = new ArrayList<>();
                    List<Integer> started = new ArrayList<>();
                    for (int i = 1; i <= count; i++) {
                        @SuppressWarnings("unchecked")
                        Supplier<CompletableFuture<Object>> supplier = mock(Supplier.class);
                        int number = i;
                        when(supplier.get()).thenAnswer(call -> {
                            synchronized (started) {
                                started.add(number);
                            }
                            return CompletableFuture.completedFuture(new VirtualRun.Result(number));
                        });
                        suppliers.add(supplier);
                        int thread = i == 1 ? threads.get(random.nextInt(callers))
                                : i <= 3 ? threads.get(0) : i == 4 ? threads.get(1) : threads.get(random.nextInt(callers));
                        results.add(run.caller(thread).call("submit(task #" + i + ") from caller-" + (thread + 1),
                                () -> run.limiter.submit(supplier)));
                        run.settle();
                    }
                    run.caller(threads.get(random.nextInt(callers))).run("cancelling task #" + cancelled,
                            () -> results.get(cancelled - 1).cancel(true));
                    run.advanceTo((count + 1) * period);
                    String story = "tasks #2 and #3 were submitted by one thread, #4 by another, one per period may "
                            + "start; task #" + cancelled + " was cancelled while it waited; suppliers called in the "
                            + "order " + started;
                    InOrder inOrder = inOrder(suppliers.toArray());
                    for (int i = 1; i <= count; i++) {
                        if (i != cancelled) {
                            try {
                                inOrder.verify(suppliers.get(i - 1), times(1)).get();
                            } catch (MockitoAssertionError outOfOrder) {
                                throw new AssertionError("task #" + i + " should start once, after every task submitted "
                                        + "before it and before every task submitted after it (first in, first out, "
                                        + "whichever thread submits): " + story, outOfOrder);
                            }
                        }
                    }
                    verify(suppliers.get(cancelled - 1), never().description("task #" + cancelled + " was cancelled "
                            + "by its caller while it waited, so it must never start (rule 8): " + story)).get();
                }
            });
        }
    }

    @Nested
    @Order(5)
    @DisplayName("rule 6: the caller hears what the task said, when it says it")
    @Tag("rule-6")
    class Results {

        @Test
        @DisplayName("completes the caller's future with the task's very value or exception, the moment it ends")
        void passesOnTheVeryResultTheMomentTheTaskEnds(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                int maxConcurrent = round.between("maxConcurrent", 1, 4);
                long period = period(round, 1_000_001L, 999_999_999L);
                int count = round.between("tasks", 6, 12);
                Random random = round.random();
                Plan plan = new Plan();
                long at = 0;
                for (int i = 1; i <= count; i++) {
                    at += random.nextInt(3) == 0 ? random.nextLong(period) : 0;
                    long lasts = random.nextInt(4) == 0 ? 0 : 1 + random.nextLong(period);
                    if (i % 3 == 1) {
                        plan.add(at, lasts, Ending.FAILS, -1, round.failure("failure of task #" + i,
                                "task #" + i + " failed"));
                    } else {
                        plan.succeeds(at, lasts);
                    }
                }
                try (VirtualRun run = new VirtualRun(round, new Limits(Integer.MAX_VALUE, period, maxConcurrent),
                        count * period)) {
                    run.play(plan);
                }
            });
        }
    }

    @Nested
    @Order(6)
    @DisplayName("rule 7: a task that fails frees its slot")
    @Tag("rule-7")
    class Failures {

        @Test
        @DisplayName("frees the slot of a supplier that throws anything (unchecked, Error, checked) or returns null")
        void aSupplierThatThrowsOrReturnsNullIsATaskThatEnded(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                long period = period(round, 1_000_001L, 999_999_999L);
                List<Throwable> failures = everyKindOfFailure(round);
                List<Ending> endings = new ArrayList<>();
                failures.forEach(f -> endings.add(Ending.THROWS));
                endings.add(Ending.RETURNS_NULL);
                endings.add(Ending.FAILS);
                int extra = round.between("tasks that succeed", 2, 5);
                for (int i = 0; i < extra; i++) {
                    endings.add(Ending.SUCCEEDS);
                }
                List<Ending> order = round.shuffled("endings", endings);
                Random random = round.random();
                Plan plan = new Plan().succeeds(0, 1 + random.nextLong(period));
                int thrown = 0;
                for (Ending ending : order) {
                    long lasts = 1 + random.nextLong(period);
                    Throwable failure = switch (ending) {
                        case THROWS -> failures.get(thrown++);
                        case FAILS -> round.failure("failure of a future", "the task's future failed");
                        default -> null;
                    };
                    plan.add(0, lasts, ending, -1, failure);
                }
                try (VirtualRun run = new VirtualRun(round, new Limits(Integer.MAX_VALUE, period, 1),
                        (plan.size() + 2) * period)) {
                    run.play(plan);
                }
            });
        }

        @Test
        @DisplayName("refuses a null task at once with a NullPointerException")
        void refusesANullTask(Shapes shapes) throws Exception {
            try (VirtualRun run = new VirtualRun(shapes, new Limits(1, 1_000_001L, 1), 1_000_001L)) {
                assertThatThrownBy(() -> run.caller().call("submit(null)", () -> run.limiter.submit(null)))
                        .as("submit(null)").isInstanceOf(NullPointerException.class);
            }
        }
    }

    /** One failure of each kind (unchecked, Error, checked), from the shapes, in a drawn order. */
    static List<Throwable> everyKindOfFailure(Shapes round) {
        List<Throwable> found = new ArrayList<>();
        Set<Class<?>> kinds = new HashSet<>();
        for (int i = 0; kinds.size() < 3 && i < 100; i++) {
            Throwable failure = round.failure("failure " + (kinds.size() + 1), "a supplier failed (" + i + ")");
            if (kinds.add(failure.getClass())) {
                found.add(failure);
            }
        }
        return found;
    }

    @Nested
    @Order(7)
    @DisplayName("rule 8: cancellation")
    @Tag("rule-8")
    class Cancellation {

        @Test
        @Tag("rule-5")
        @DisplayName("never starts a waiting task whose caller cancelled it, and moves the line up at once")
        void cancellingAWaitingTaskTakesItOutOfTheLine(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                int permits = round.between("permits", 1, 3);
                int maxConcurrent = round.between("maxConcurrent", 1, 2);
                long period = period(round, 1_000_001L, 999_999_999L);
                int count = round.between("tasks", 5, 10);
                Random random = round.random();
                Plan plan = new Plan();
                for (int i = 1; i <= count; i++) {
                    long lasts = 1 + random.nextLong(2 * period);
                    long cancelAt = i > 1 && random.nextInt(3) > 0 ? 1 + random.nextLong(3 * period) : -1;
                    plan.add(0, lasts, Ending.SUCCEEDS, cancelAt, null);
                }
                try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, maxConcurrent),
                        (count + 3) * 2 * period)) {
                    run.play(plan);
                }
            });
        }

        @Test
        @DisplayName("cancels a running task's own future when its caller cancels, even while it starts, and frees "
                + "its slot")
        void cancellingARunningTaskCancelsItsOwnFuture(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                int maxConcurrent = round.between("maxConcurrent", 1, 3);
                long period = period(round, 1_000_001L, 999_999_999L);
                int count = round.between("tasks", maxConcurrent + 3, 3 * maxConcurrent + 4);
                Random random = round.random();
                Plan plan = new Plan();
                for (int i = 1; i <= count; i++) {
                    long lasts = period + random.nextLong(period);
                    if (i > maxConcurrent && i % 3 == 0) {
                        plan.add(0, lasts, Ending.CANCELS_ITSELF, -1, null);
                    } else {
                        boolean held = random.nextBoolean(); // a task held for ever ends when its caller cancels it
                        plan.add(0, lasts, held ? Ending.HELD : Ending.SUCCEEDS,
                                held || random.nextInt(3) > 0 ? 1 + random.nextLong(count * period) : -1, null);
                    }
                }
                try (VirtualRun run = new VirtualRun(round, new Limits(Integer.MAX_VALUE, period, maxConcurrent),
                        (count + 3) * 2 * period)) {
                    run.play(plan);
                }
            });
        }
    }

    @Nested
    @Order(8)
    @DisplayName("rule 9: close()")
    @Tag("rule-9")
    class Closing {

        @Test
        @DisplayName("cancels what waits, lets what runs finish, refuses new tasks, and leaves the scheduler alone")
        void closeSettlesWaitingTasksAndRefusesNewOnes(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                int permits = round.between("permits", 1, 4);
                int maxConcurrent = round.between("maxConcurrent", 1, 3);
                long period = period(round, 1_000_001L, 999_999_999L);
                int count = round.between("tasks", maxConcurrent + 2, 9);
                long closeAt = round.between("close() at (ns)", 1, 2 * period);
                int late = round.between("tasks submitted after close()", 1, 3);
                ManualScheduler manual = new ManualScheduler(VirtualRun.clockOrigin(round, 6 * period));
                ScheduledExecutorService scheduler = mock(ScheduledExecutorService.class, delegatesTo(manual));
                Random random = round.random();
                Plan plan = new Plan();
                for (int i = 0; i < count; i++) {
                    plan.succeeds(0, closeAt + 1 + random.nextLong(2 * period)); // so that some still wait at close()
                }
                try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, maxConcurrent), manual,
                        scheduler)) {
                    RulesModel.Expected[] expected = RulesModel.predict(run.limits, plan.tasks).tasks();
                    List<Job> jobs = new ArrayList<>();
                    for (int i = 0; i < count; i++) {
                        jobs.add(run.submit(plan.tasks.get(i), null));
                    }
                    run.advanceTo(closeAt);
                    run.closeLimiter();
                    run.closeLimiter();
                    assertThat(run.waiting()).as("waiting() after close()").isZero();
                    List<Job> lateJobs = new ArrayList<>();
                    for (int i = 0; i < late; i++) {
                        lateJobs.add(run.submit(new Task(count + i + 1, closeAt, 0, Ending.SUCCEEDS, -1), null));
                    }
                    run.advanceTo(closeAt + 6 * period);
                    for (int i = 0; i < count; i++) {
                        Job job = jobs.get(i);
                        long start = expected[i].startAt;
                        if (start >= 0 && start <= closeAt) {
                            assertThat(job.startedAt).as("%s should have started at %s, before close() at %s", job,
                                    Times.at(start), Times.at(closeAt)).isEqualTo(start);
                            assertThat(job.result.getNow(null)).as("the result of %s, which was in flight when the "
                                    + "limiter closed: tasks in flight finish normally", job).isSameAs(job.value);
                            assertThat(job.settledAt).as("when the caller of %s heard of its end", job)
                                    .isEqualTo(start + job.spec.lasts());
                        } else {
                            assertThat(job.started()).as("%s was still waiting when close() was called at %s, so it "
                                    + "must never start; it started at %s", job, Times.at(closeAt),
                                    Times.at(job.startedAt)).isFalse();
                            assertThat(job.result.isCancelled()).as("%s was still waiting when close() was called: its "
                                    + "future must be cancelled, or its caller waits for ever; it %s", job,
                                    VirtualRun.outcome(job.result)).isTrue();
                            assertThat(job.settledAt).as("when the caller of %s heard of the cancellation", job)
                                    .isEqualTo(closeAt);
                        }
                    }
                    for (Job job : lateJobs) {
                        assertThat(job.started()).as("%s, submitted after close(), was started", job).isFalse();
                        assertThat(VirtualRun.causeOf(job.result)).as("how the future that submit() returned after "
                                + "close() completed (it should already have failed with a "
                                + "RejectedExecutionException)").isInstanceOf(RejectedExecutionException.class);
                    }
                    assertThat(run.inFlight()).as("inFlight() once the tasks in flight have ended").isZero();
                    verify(scheduler, never().description("close() shut the scheduler down, but the scheduler "
                            + "belongs to the application, not to the limiter")).shutdown();
                    verify(scheduler, never().description("close() shut the scheduler down, but the scheduler "
                            + "belongs to the application, not to the limiter")).shutdownNow();
                    verify(scheduler, never().description("close() closed the scheduler, but the scheduler belongs "
                            + "to the application, not to the limiter")).close();
                }
            });
        }
    }

    @Nested
    @Order(9)
    @DisplayName("rule 10: any thread, any time")
    @Tag("rule-10")
    @Tag("rule-2")
    @Tag("rule-3")
    @Tag("rule-4")
    class ManyThreads {

        @Test
        @DisplayName("never lets two threads take the last free slot, even when both read the clock at the same moment")
        void neverGivesTheLastSlotTwice(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                int maxConcurrent = round.between("maxConcurrent", 1, 4);
                int threads = round.between("threads", 2, 4);
                int permits = round.between("permits", maxConcurrent + threads, 1_000);
                long period = period(round, 1_000_001L, 999_999_999L);
                ManualScheduler scheduler = new ManualScheduler(VirtualRun.clockOrigin(round, 4 * period));
                MeetingClock clock = new MeetingClock(scheduler::nanoTime, threads, threads, Duration.ofSeconds(2));
                AsyncRateLimiter limiter = new AsyncRateLimiter(permits, Duration.ofNanos(period), maxConcurrent,
                        ShopScheduler.clock(clock), new ShopScheduler(scheduler));
                AtomicInteger inFlight = new AtomicInteger();
                AtomicInteger mostInFlight = new AtomicInteger();
                ConcurrentLinkedQueue<CompletableFuture<Object>> running = new ConcurrentLinkedQueue<>();
                Supplier<CompletableFuture<Object>> task = () -> {
                    mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                    CompletableFuture<Object> own = new CompletableFuture<>();
                    running.add(own);
                    return own;
                };
                List<CompletableFuture<Object>> results = new ArrayList<>();
                for (int i = 1; i < maxConcurrent; i++) {
                    results.add(limiter.submit(task)); // every slot but the last is taken
                }
                clock.arm();
                ConcurrentLinkedQueue<CompletableFuture<Object>> raced = new ConcurrentLinkedQueue<>();
                Contention.threads(threads).callsEach(1).named("submitter").run((t, i) -> {
                    clock.join();
                    try {
                        raced.add(limiter.submit(task));
                    } finally {
                        clock.leave();
                    }
                });
                assertThat(mostInFlight.get()).as("tasks in flight at once, with %d of %d slots taken when %d threads "
                        + "submitted at the same moment: two threads both saw the last slot free and both took it "
                        + "(check-then-act); check and take the slot in one step under the lock, or check again after "
                        + "reading the clock (rule 3)", maxConcurrent - 1, maxConcurrent, threads)
                        .isLessThanOrEqualTo(maxConcurrent);
                results.addAll(raced);
                for (int step = 0; step < 4 * (maxConcurrent + threads); step++) {
                    CompletableFuture<Object> own = running.poll();
                    if (own != null) {
                        inFlight.decrementAndGet();
                        own.complete("done");
                    } else {
                        scheduler.advanceBy(Duration.ofNanos(period));
                    }
                    scheduler.runDue();
                }
                assertThat(results).as("every caller's future, once every task ended").allMatch(CompletableFuture::isDone);
                assertThat(mostInFlight.get()).as("tasks in flight at once (rule 3)").isLessThanOrEqualTo(maxConcurrent);
                limiter.close();
            });
        }

        @Test
        @DisplayName("keeps every rule while many threads submit at the same moment")
        void keepsEveryRuleWhenThreadsSubmitAtOnce(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                int threads = round.between("threads", 3, 8);
                // At most 2,000 tasks: a right limiter that schedules a timer every time the rate holds a task back
                // runs all of them at every moment the window moves, so its cost grows with the square of this count.
                int each = round.between("tasks each", 100, 250);
                int permits = round.between("permits", 5, 40);
                int maxConcurrent = round.between("maxConcurrent", 1, 6);
                long period = period(round, 10_000_001L, 999_999_999L);
                int total = threads * each;
                long[] lasts = new long[total];
                Random random = round.random();
                for (int id = 0; id < total; id++) {
                    lasts[id] = random.nextInt(3) == 0 ? 0 : 1 + random.nextLong(period / 2);
                }
                ManualScheduler scheduler = new ManualScheduler(VirtualRun.clockOrigin(round,
                        (total / permits + 2L) * period + (total / maxConcurrent + 2L) * period));
                AsyncRateLimiter limiter = new AsyncRateLimiter(permits, Duration.ofNanos(period), maxConcurrent,
                        ShopScheduler.clock(VirtualRun.hesitating(scheduler)), new ShopScheduler(scheduler));
                AtomicInteger inFlight = new AtomicInteger();
                AtomicInteger mostInFlight = new AtomicInteger();
                ConcurrentLinkedQueue<Integer> startOrder = new ConcurrentLinkedQueue<>();
                long[] startedAt = new long[total];
                AtomicReferenceArray<CompletableFuture<Object>> results = new AtomicReferenceArray<>(total);
                VirtualRun.Result[] values = new VirtualRun.Result[total];
                try (Watch watch = Watch.of("at most " + maxConcurrent + " tasks in flight (rule 3)", () -> {
                    int now = inFlight.get();
                    return now > maxConcurrent ? now + " tasks were in flight at once: two threads both saw a free "
                            + "slot and both took it (check-then-act), or a slot was counted back twice" : null;
                })) {
                    Contention.threads(threads).callsEach(each).named("submitter").run((t, i) -> {
                        int id = t * each + i;
                        values[id] = new VirtualRun.Result(id);
                        results.set(id, limiter.submit(() -> {
                            startedAt[id] = scheduler.elapsed().toNanos();
                            startOrder.add(id);
                            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                            if (lasts[id] == 0) {
                                inFlight.decrementAndGet();
                                return CompletableFuture.completedFuture(values[id]);
                            }
                            CompletableFuture<Object> own = new CompletableFuture<>();
                            scheduler.schedule(() -> {
                                inFlight.decrementAndGet();
                                own.complete(values[id]);
                            }, lasts[id], TimeUnit.NANOSECONDS);
                            return own;
                        }));
                    });
                    scheduler.runDue();
                    long end = (total / permits + 2L) * period + (total / maxConcurrent + 2L) * period;
                    for (long step = period / 3; scheduler.elapsed().toNanos() < end; ) {
                        scheduler.advanceBy(Duration.ofNanos(step));
                    }
                }
                assertThat(scheduler.failures()).as("exceptions thrown by the limiter's timers and callbacks").isEmpty();
                List<Integer> order = List.copyOf(startOrder);
                assertThat(order).as("tasks started (each exactly once) of the %,d submitted", total).hasSize(total)
                        .doesNotHaveDuplicates();
                for (int id = 0; id < total; id++) {
                    assertThat(results.get(id).getNow(null)).as("the result of task %d", id).isSameAs(values[id]);
                }
                for (int t = 0; t < threads; t++) {
                    int from = t * each;
                    List<Integer> own = order.stream().filter(id -> id >= from && id < from + each).toList();
                    assertThat(own).as("the tasks of submitter %d, in the order they started: each submitter's tasks "
                            + "must start in the order it submitted them (rule 4)", t).isSorted();
                }
                // In the order the tasks lined up (the order they started in), the rules fix every start exactly.
                Plan asLinedUp = new Plan();
                for (int id : order) {
                    asLinedUp.succeeds(0, lasts[id]);
                }
                RulesModel.Expected[] expected = RulesModel.predict(new Limits(permits, period, maxConcurrent),
                        asLinedUp.tasks).tasks();
                for (int k = 0; k < order.size(); k++) {
                    int id = order.get(k);
                    if (startedAt[id] != expected[k].startAt) {
                        throw new AssertionError("task " + id + " (the " + (k + 1) + "th to start) started at "
                                + Times.at(startedAt[id]) + ", but in this order the rules (" + new Limits(permits,
                                period, maxConcurrent) + ") let it start at " + Times.at(expected[k].startAt) + ", "
                                + expected[k].why + ". A limiter whose state two threads change at once can count a "
                                + "start or a slot twice, or lose one, or lose the event that should start a task.");
                    }
                }
                assertThat(limiter.inFlight()).as("inFlight() at the end").isZero();
                assertThat(limiter.waiting()).as("waiting() at the end").isZero();
            });
        }
    }

    @Nested
    @Order(10)
    @DisplayName("rule 11: other people's code runs outside your lock")
    @Tag("rule-11")
    class CallingBackIn {

        @Test
        @Tag("rule-2")
        @DisplayName("lets a result's callback submit the next task, and keeps the rate across such chains")
        void aCallbackMaySubmitTheNextTask(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                int permits = round.between("permits", 1, 3);
                long period = period(round, 1_000_001L, 999_999_999L);
                long lasts = round.between("each link lasts (ns)", 1, 2 * period);
                int chain = round.between("links", permits + 3, 3 * permits + 6);
                try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, 1), chain * 3 * period)) {
                    List<Long> starts = new ArrayList<>();
                    CompletableFuture<Integer> last = new CompletableFuture<>();
                    class Link {
                        void submit(int k) {
                            run.limiter.submit(() -> {
                                starts.add(run.now());
                                CompletableFuture<Object> own = new CompletableFuture<>();
                                run.scheduler.schedule(() -> own.complete(k), lasts, TimeUnit.NANOSECONDS);
                                return own;
                            }).whenComplete((value, failure) -> {
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
                    run.caller().run("submit(link 0)", () -> new Link().submit(0));
                    run.settle();
                    run.advanceTo(chain * 3 * period);
                    List<Long> expected = new ArrayList<>();
                    for (int k = 0; k < chain; k++) {
                        long ready = k == 0 ? 0 : expected.get(k - 1) + lasts;
                        long window = k < permits ? 0 : expected.get(k - permits) + period;
                        expected.add(Math.max(ready, window));
                    }
                    assertThat(Times.list(starts)).as("start times of a chain of %d tasks, each submitted by the "
                            + "callback of the one before when its result arrived, with %s", chain,
                            run.limits).isEqualTo(Times.list(expected));
                    assertThat(last).as("the last link").isCompletedWithValue(chain - 1);
                }
            });
        }
    }

    @Nested
    @Order(11)
    @DisplayName("rule 12: time and threads come from outside")
    @Tag("rule-12")
    class TimeAndThreads {

        @Test
        @Tag("rule-2")
        @DisplayName("keeps the rate while the clock wraps around Long.MAX_VALUE, as System.nanoTime may")
        void keepsTheRateWhenTheClockWrapsAround(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                int permits = round.between("permits", 1, 4);
                long period = period(round, 1_000_001L, 999_999_999L);
                int count = round.between("tasks", 2 * permits + 1, 5 * permits + 2);
                long origin = Long.MAX_VALUE - round.between("clock starts before Long.MAX_VALUE (ns)", 0, period / 2);
                Random random = round.random();
                Plan plan = new Plan();
                long at = 0;
                for (int i = 0; i < count; i++) {
                    at += i > 2 * permits && random.nextInt(3) == 0 ? random.nextLong(period) : 0;
                    plan.succeeds(at, random.nextInt(2) == 0 ? 0 : random.nextLong(period));
                }
                try (VirtualRun run = new VirtualRun(round, new Limits(permits, period, Integer.MAX_VALUE), origin, 1)) {
                    run.play(plan);
                }
            });
        }

        @Test
        @DisplayName("works on a real ScheduledThreadPoolExecutor with System::nanoTime")
        void worksOnARealScheduler() {
            long periodMs = 150;
            long toleranceMs = 75; // a thread may be descheduled between the limiter's decision and the task's start
            ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
            try (AsyncRateLimiter limiter = new AsyncRateLimiter(2, Duration.ofMillis(periodMs), 2, System::nanoTime,
                    scheduler)) {
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
                await("all 6 tasks done on a real scheduler, 2 per " + periodMs + " ms (they need about 300 ms; "
                        + "does the limiter schedule a wake-up on the scheduler it was given?)")
                        .atMost(Duration.ofSeconds(5)).until(() -> results.stream().allMatch(CompletableFuture::isDone));
                for (int i = 0; i < 6; i++) {
                    assertThat(results.get(i)).as("the future of task %d", i).isCompletedWithValue("task " + i);
                }
                List<Long> starts;
                synchronized (startedAt) {
                    starts = List.copyOf(startedAt);
                }
                for (int i = 0; i + 2 < starts.size(); i++) {
                    assertThat(starts.get(i + 2) - starts.get(i))
                            .as("tasks started at %s ms since the first submit: the starts at +%d ms and +%d ms are "
                                    + "less than a period (%d ms, less a tolerance of %d ms) apart, so three started "
                                    + "within one period", starts, starts.get(i), starts.get(i + 2), periodMs,
                                    toleranceMs)
                            .isGreaterThanOrEqualTo(periodMs - toleranceMs);
                }
            } finally {
                scheduler.shutdownNow();
            }
        }
    }

    @Nested
    @Order(12)
    @DisplayName("rule 13: any limits in range")
    @Tag("rule-13")
    class Limits13 {

        @Test
        @Tag("precondition")
        @DisplayName("refuses limits that make no sense (the stub already does)")
        void refusesLimitsThatMakeNoSense() {
            ManualScheduler scheduler = new ManualScheduler();
            Duration second = Duration.ofSeconds(1);
            assertThatThrownBy(() -> new AsyncRateLimiter(0, second, 1, scheduler::nanoTime, scheduler))
                    .as("permits 0").isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new AsyncRateLimiter(Integer.MIN_VALUE, second, 1, scheduler::nanoTime, scheduler))
                    .as("permits Integer.MIN_VALUE").isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new AsyncRateLimiter(1, Duration.ZERO, 1, scheduler::nanoTime, scheduler))
                    .as("a period of zero").isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new AsyncRateLimiter(1, Duration.ofNanos(-1), 1, scheduler::nanoTime, scheduler))
                    .as("a negative period").isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new AsyncRateLimiter(1, second, 0, scheduler::nanoTime, scheduler))
                    .as("maxConcurrent 0").isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> new AsyncRateLimiter(1, null, 1, scheduler::nanoTime, scheduler))
                    .as("no period").isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> new AsyncRateLimiter(1, second, 1, null, scheduler))
                    .as("no clock").isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> new AsyncRateLimiter(1, second, 1, scheduler::nanoTime, null))
                    .as("no scheduler").isInstanceOf(NullPointerException.class);
        }

        @Test
        @DisplayName("keeps limits at the ends of their ranges exactly: huge counts, nanosecond and century periods")
        void keepsExtremeLimitsExactly(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                Random random = round.random();
                int huge = round.between("huge permits and maxConcurrent", 100_000_000, Integer.MAX_VALUE);
                long period = period(round, 1_000_001L, 999_999_999L);
                Plan many = new Plan();
                int count = round.between("tasks", 50, 300);
                for (int i = 0; i < count; i++) {
                    many.add(0, random.nextBoolean() ? 0 : 1 + random.nextLong(period),
                            random.nextBoolean() ? Ending.SUCCEEDS : Ending.HELD, -1, null);
                }
                try (VirtualRun run = new VirtualRun(round, new Limits(huge, period, huge), 3 * period)) {
                    run.play(many);
                }
                long tiny = round.between("tiny period (ns)", 1, 999);
                int permits = round.between("permits", 1, 3);
                Plan fast = new Plan();
                for (int i = 0; i < 4 * permits + 1; i++) {
                    fast.succeeds(0, random.nextInt(3) == 0 ? 1 + random.nextLong(2 * tiny) : 0);
                }
                try (VirtualRun run = new VirtualRun(round, new Limits(permits, tiny, Integer.MAX_VALUE), 8 * tiny)) {
                    run.play(fast);
                }
                long long_ = round.between("long period (ns)", 86_400_000_000_000L, Long.MAX_VALUE / 8);
                Plan slow = new Plan();
                for (int i = 0; i < 2 * permits + 1; i++) {
                    slow.succeeds(0, 0);
                }
                try (VirtualRun run = new VirtualRun(round, new Limits(permits, long_, 2), 3 * long_)) {
                    run.play(slow);
                }
            });
        }
    }
}

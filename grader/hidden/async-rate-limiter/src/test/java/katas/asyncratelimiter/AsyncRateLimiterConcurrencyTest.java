package katas.asyncratelimiter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import katas.asyncratelimiter.Simulation.Outcome;
import katas.asyncratelimiter.Simulation.Scenario;
import katas.asyncratelimiter.Simulation.Spec;
import katas.testkit.Contention;
import katas.testkit.NonBlockingCaller;
import katas.testkit.time.ManualScheduler;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import katas.testkit.KataTest;

/**
 * Hidden: many threads call the limiter at the same time, in virtual time. The clock is the test's
 * own callback, and it now and then pauses the thread that reads it: a limiter that checks "is a
 * permit free?" and takes it in two separate steps is caught between them, and starts too many.
 */
@DisplayName("AsyncRateLimiter under contention")
@KataTest
class AsyncRateLimiterConcurrencyTest {

    /** The virtual clock, slowed down now and then inside the limiter's decisions. */
    private static LongSupplier hesitatingClock(ManualScheduler scheduler) {
        return () -> {
            int roll = ThreadLocalRandom.current().nextInt(16);
            if (roll == 0) {
                LockSupport.parkNanos(30_000);
            } else if (roll < 4) {
                Thread.yield();
            }
            return scheduler.nanoTime();
        };
    }

    /** Fails fast, with an explanation, when submit blocks, before threads pile up behind it. */
    private static void requireNonBlockingSubmit() {
        ManualScheduler scheduler = new ManualScheduler();
        AsyncRateLimiter probe = new AsyncRateLimiter(1, Duration.ofSeconds(1), 1, scheduler::nanoTime, scheduler);
        try (NonBlockingCaller caller = NonBlockingCaller.named("caller")) {
            for (int i = 0; i < 3; i++) {
                caller.call("submit(task " + i + ") to a limiter with 1 permit and 1 slot",
                        () -> probe.submit(CompletableFuture::new));
            }
        }
    }

    @RepeatedTest(value = 5, name = "round {currentRepetition} of {totalRepetitions}")
    @DisplayName("keeps every rule when eight threads submit 1,600 tasks at the same moment")
    void keepsEveryRuleWithManySubmitters() throws InterruptedException {
        requireNonBlockingSubmit();
        int threads = 8;
        int each = 200;
        int permits = 40;
        int maxConcurrent = 6;
        ManualScheduler scheduler = new ManualScheduler();
        AsyncRateLimiter limiter = new AsyncRateLimiter(permits, Duration.ofSeconds(1), maxConcurrent,
                hesitatingClock(scheduler), scheduler);
        int total = threads * each;
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        ConcurrentLinkedQueue<Integer> startOrder = new ConcurrentLinkedQueue<>();
        long[] startedAt = new long[total];
        AtomicReferenceArray<CompletableFuture<String>> results = new AtomicReferenceArray<>(total);
        Contention.threads(threads).callsEach(each).named("submitter").run((t, i) -> {
            int id = t * each + i;
            long lasts = lastsOf(id);
            results.set(id, limiter.submit(() -> {
                startedAt[id] = scheduler.elapsed().toMillis();
                startOrder.add(id);
                mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                if (lasts == 0) {
                    inFlight.decrementAndGet();
                    return CompletableFuture.completedFuture("task " + id);
                }
                CompletableFuture<String> own = new CompletableFuture<>();
                scheduler.schedule(() -> {
                    inFlight.decrementAndGet();
                    own.complete("task " + id);
                }, lasts, TimeUnit.MILLISECONDS);
                return own;
            }));
        });
        scheduler.runDue();
        assertThat(mostInFlight.get())
                .as("%d tasks were in flight at once while eight threads submitted, but at most %d may be: two "
                        + "threads both saw a free slot and both took it (check-then-act)", mostInFlight.get(),
                        maxConcurrent)
                .isLessThanOrEqualTo(maxConcurrent);
        scheduler.advanceTo(Duration.ofSeconds(total / permits + 10));
        assertThat(scheduler.failures()).as("exceptions thrown by the limiter's timers and callbacks").isEmpty();
        List<Integer> order = List.copyOf(startOrder);
        assertThat(order).as("tasks started (each exactly once)").hasSize(total).doesNotHaveDuplicates();
        for (int id = 0; id < total; id++) {
            assertThat(results.get(id)).as("the future of task %d", id).isCompletedWithValue("task " + id);
        }
        assertThat(mostInFlight.get())
                .as("%d tasks were in flight at once, but at most %d may be: two threads both saw a free slot and "
                        + "both took it (check-then-act)", mostInFlight.get(), maxConcurrent)
                .isLessThanOrEqualTo(maxConcurrent);
        for (int t = 0; t < threads; t++) {
            int from = t * each;
            List<Integer> own = order.stream().filter(id -> id >= from && id < from + each).toList();
            assertThat(own).as("the tasks of submitter %d started out of the order it submitted them in", t).isSorted();
        }
        // The line's order is the order the tasks started in; the rules then fix every start time exactly.
        List<Spec> specs = new ArrayList<>();
        for (int id : order) {
            specs.add(new Spec(specs.size() + 1, 0, lastsOf(id), Outcome.SUCCEEDS, -1));
        }
        Scenario asLinedUp = new Scenario("eight submitters", permits, 1_000, maxConcurrent, 0L, specs);
        Simulation.Expected[] expected = Simulation.predict(asLinedUp);
        for (int k = 0; k < order.size(); k++) {
            int id = order.get(k);
            if (startedAt[id] != expected[k].startAt) {
                throw new AssertionError("task " + id + " (the " + (k + 1) + "th to start) started at +" + startedAt[id]
                        + " ms, but in this order the rules (" + asLinedUp.limits() + ") let it start at +"
                        + expected[k].startAt + " ms, " + expected[k].why + ". A limiter whose state is changed by "
                        + "two threads at once can count a start or a slot twice, or lose one.");
            }
        }
        assertThat(limiter.inFlight()).as("inFlight() at the end").isZero();
        assertThat(limiter.waiting()).as("waiting() at the end").isZero();
    }

    private static long lastsOf(int id) {
        return switch (id % 3) {
            case 0 -> 0;
            case 1 -> 10;
            default -> 250;
        };
    }

    @Test
    @DisplayName("settles every future when close() races with four submitting threads")
    void settlesEveryFutureWhenCloseRacesWithSubmitters() throws InterruptedException {
        requireNonBlockingSubmit();
        int submitters = 4;
        int each = 300;
        ManualScheduler scheduler = new ManualScheduler();
        AsyncRateLimiter limiter = new AsyncRateLimiter(5, Duration.ofMillis(100), 3, hesitatingClock(scheduler),
                scheduler);
        AtomicReferenceArray<CompletableFuture<String>> results = new AtomicReferenceArray<>(submitters * each);
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger submitted = new AtomicInteger();
        Contention.threads(submitters + 1).callsEach(each).named("caller").run((t, i) -> {
            if (t == submitters) {
                if (i == 0) {
                    long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                    while (submitted.get() < submitters * each / 3 && System.nanoTime() < giveUp) {
                        Thread.yield();
                    }
                    limiter.close();
                }
                return;
            }
            int id = t * each + i;
            results.set(id, limiter.submit(() -> {
                calls.incrementAndGet();
                CompletableFuture<String> own = new CompletableFuture<>();
                scheduler.schedule(() -> own.complete("task " + id), 20, TimeUnit.MILLISECONDS);
                return own;
            }));
            submitted.incrementAndGet();
        });
        scheduler.advanceTo(Duration.ofSeconds(30));
        int completed = 0;
        int cancelled = 0;
        int rejected = 0;
        for (int id = 0; id < submitters * each; id++) {
            CompletableFuture<String> result = results.get(id);
            assertThat(result).as("the future of task %d: no caller may be left waiting forever after close()", id)
                    .isDone();
            if (result.isCancelled()) {
                cancelled++;
            } else if (result.isCompletedExceptionally()) {
                assertThat(Simulation.causeOf(result)).as("how task %d failed", id)
                        .isInstanceOf(RejectedExecutionException.class);
                rejected++;
            } else {
                assertThat(result.join()).isEqualTo("task " + id);
                completed++;
            }
        }
        assertThat(completed).as("tasks that ran (every started task must finish; every task that ran was started)")
                .isEqualTo(calls.get());
        assertThat(completed + cancelled + rejected).isEqualTo(submitters * each);
        assertThat(limiter.waiting()).as("waiting() after close()").isZero();
        assertThat(limiter.inFlight()).as("inFlight() once every started task has ended").isZero();
    }
}

package katas.testkit.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@DisplayName("ManualScheduler")
class ManualSchedulerTest {

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    @Nested
    @DisplayName("its clock")
    class Clock {

        @Test
        @DisplayName("stands still until the test advances it")
        void standsStillUntilAdvanced() {
            ManualScheduler scheduler = new ManualScheduler(42L);
            assertThat(scheduler.nanoTime()).isEqualTo(42L);
            scheduler.advanceBy(ms(5));
            assertThat(scheduler.nanoTime()).isEqualTo(42L + 5_000_000L);
            assertThat(scheduler.elapsed()).isEqualTo(ms(5));
            scheduler.advanceTo(ms(7));
            assertThat(scheduler.elapsed()).isEqualTo(ms(7));
        }

        @Test
        @DisplayName("wraps around like System.nanoTime when it starts close to Long.MAX_VALUE")
        void wrapsAroundLikeNanoTime() {
            ManualScheduler scheduler = new ManualScheduler(Long.MAX_VALUE - 1_000L);
            long before = scheduler.nanoTime();
            scheduler.advanceBy(Duration.ofNanos(3_000L));
            assertThat(scheduler.nanoTime()).isNegative();
            assertThat(scheduler.nanoTime() - before).isEqualTo(3_000L);
        }

        @Test
        @DisplayName("never goes back")
        void neverGoesBack() {
            ManualScheduler scheduler = new ManualScheduler();
            scheduler.advanceTo(ms(10));
            assertThatThrownBy(() -> scheduler.advanceTo(ms(9))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> scheduler.advanceBy(ms(-1))).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    @DisplayName("running tasks")
    class Running {

        @Test
        @DisplayName("runs each task at its due time, in due order, ties in the order scheduled")
        void runsTasksAtTheirDueTimeInOrder() {
            ManualScheduler scheduler = new ManualScheduler();
            List<String> log = new ArrayList<>();
            scheduler.schedule(() -> log.add("c@" + scheduler.elapsed().toMillis()), 30, TimeUnit.MILLISECONDS);
            scheduler.schedule(() -> log.add("a@" + scheduler.elapsed().toMillis()), 10, TimeUnit.MILLISECONDS);
            scheduler.schedule(() -> log.add("b@" + scheduler.elapsed().toMillis()), 10, TimeUnit.MILLISECONDS);
            scheduler.advanceBy(ms(20));
            assertThat(log).containsExactly("a@10", "b@10");
            assertThat(scheduler.elapsed()).isEqualTo(ms(20));
            scheduler.advanceBy(ms(20));
            assertThat(log).containsExactly("a@10", "b@10", "c@30");
        }

        @Test
        @DisplayName("runs tasks that running tasks schedule, when they fall due within the same advance")
        void runsTasksScheduledByTasks() {
            ManualScheduler scheduler = new ManualScheduler();
            List<Long> log = new ArrayList<>();
            scheduler.schedule(() -> {
                log.add(scheduler.elapsed().toMillis());
                scheduler.schedule(() -> log.add(scheduler.elapsed().toMillis()), 15, TimeUnit.MILLISECONDS);
                scheduler.execute(() -> log.add(scheduler.elapsed().toMillis()));
            }, 10, TimeUnit.MILLISECONDS);
            scheduler.advanceBy(ms(100));
            assertThat(log).containsExactly(10L, 10L, 25L);
        }

        @Test
        @DisplayName("runs tasks given to execute at the next advance or runDue, not inline")
        void executeRunsAtTheNextAdvance() {
            ManualScheduler scheduler = new ManualScheduler();
            AtomicInteger runs = new AtomicInteger();
            scheduler.execute(runs::incrementAndGet);
            assertThat(runs).hasValue(0);
            scheduler.runDue();
            assertThat(runs).hasValue(1);
            assertThat(scheduler.elapsed()).isEqualTo(Duration.ZERO);
        }

        @Test
        @DisplayName("repeats fixed-rate and fixed-delay tasks until cancelled")
        void repeatsPeriodicTasks() {
            ManualScheduler scheduler = new ManualScheduler();
            List<Long> rate = new ArrayList<>();
            List<Long> delay = new ArrayList<>();
            ScheduledFuture<?> atRate = scheduler.scheduleAtFixedRate(
                    () -> rate.add(scheduler.elapsed().toMillis()), 5, 10, TimeUnit.MILLISECONDS);
            scheduler.scheduleWithFixedDelay(
                    () -> delay.add(scheduler.elapsed().toMillis()), 0, 20, TimeUnit.MILLISECONDS);
            scheduler.advanceTo(ms(40));
            assertThat(rate).containsExactly(5L, 15L, 25L, 35L);
            assertThat(delay).containsExactly(0L, 20L, 40L);
            atRate.cancel(false);
            scheduler.advanceTo(ms(60));
            assertThat(rate).containsExactly(5L, 15L, 25L, 35L);
        }

        @Test
        @DisplayName("removes a cancelled task, which then never runs")
        void cancelledTasksNeverRun() {
            ManualScheduler scheduler = new ManualScheduler();
            AtomicInteger runs = new AtomicInteger();
            ScheduledFuture<?> future = scheduler.schedule(runs::incrementAndGet, 10, TimeUnit.MILLISECONDS);
            assertThat(scheduler.pending()).isEqualTo(1);
            assertThat(scheduler.nextDue()).contains(ms(10));
            assertThat(future.getDelay(TimeUnit.MILLISECONDS)).isEqualTo(10L);
            future.cancel(false);
            assertThat(scheduler.pending()).isZero();
            scheduler.advanceBy(ms(20));
            assertThat(runs).hasValue(0);
            assertThat(future.isCancelled()).isTrue();
        }

        @Test
        @DisplayName("keeps a task's exception in its future and lists it in failures()")
        void keepsExceptions() {
            ManualScheduler scheduler = new ManualScheduler();
            IllegalStateException boom = new IllegalStateException("boom");
            ScheduledFuture<?> future = scheduler.schedule(() -> {
                throw boom;
            }, 1, TimeUnit.MILLISECONDS);
            scheduler.advanceBy(ms(1));
            assertThat(future.isDone()).isTrue();
            assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).hasCause(boom);
            assertThat(scheduler.failures()).containsExactly(boom);
        }

        @Test
        @DisplayName("gives the value of a scheduled callable to its future")
        void callableResult() throws Exception {
            ManualScheduler scheduler = new ManualScheduler();
            ScheduledFuture<String> future = scheduler.schedule(() -> "done", 3, TimeUnit.SECONDS);
            scheduler.advanceBy(Duration.ofSeconds(3));
            assertThat(future.get()).isEqualTo("done");
        }

        @Test
        @DisplayName("stops a task that keeps rescheduling itself at the same instant, and says so")
        void stopsARunawayTask() {
            ManualScheduler scheduler = new ManualScheduler(0L, 1_000);
            Runnable[] again = new Runnable[1];
            again[0] = () -> scheduler.schedule(again[0], 0, TimeUnit.MILLISECONDS);
            scheduler.execute(again[0]);
            assertThatThrownBy(scheduler::runDue).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("keeps scheduling tasks at (almost) the same instant");
        }
    }

    @Nested
    @DisplayName("shutting down")
    class ShuttingDown {

        @Test
        @DisplayName("refuses new tasks, runs one-shot tasks already scheduled, stops periodic ones")
        void shutdown() {
            ManualScheduler scheduler = new ManualScheduler();
            AtomicInteger oneShot = new AtomicInteger();
            AtomicInteger periodic = new AtomicInteger();
            scheduler.schedule(oneShot::incrementAndGet, 5, TimeUnit.MILLISECONDS);
            scheduler.scheduleAtFixedRate(periodic::incrementAndGet, 1, 1, TimeUnit.MILLISECONDS);
            scheduler.shutdown();
            assertThatThrownBy(() -> scheduler.execute(() -> { })).isInstanceOf(RejectedExecutionException.class);
            assertThat(scheduler.isTerminated()).isFalse();
            scheduler.advanceBy(ms(10));
            assertThat(oneShot).hasValue(1);
            assertThat(periodic).hasValue(0);
            assertThat(scheduler.isTerminated()).isTrue();
            assertThat(scheduler.awaitTermination(1, TimeUnit.DAYS)).isTrue();
        }

        @Test
        @DisplayName("drops everything on shutdownNow and on close, without waiting")
        void shutdownNowAndClose() {
            ManualScheduler scheduler = new ManualScheduler();
            scheduler.schedule(() -> { }, 5, TimeUnit.MILLISECONDS);
            assertThat(scheduler.shutdownNow()).hasSize(1);
            assertThat(scheduler.isTerminated()).isTrue();
            ManualScheduler other = new ManualScheduler();
            other.schedule(() -> { }, 5, TimeUnit.MILLISECONDS);
            other.close();
            assertThat(other.pending()).isZero();
        }
    }

    @Nested
    @DisplayName("from many threads")
    class FromManyThreads {

        @Test
        @DisplayName("accepts tasks from many threads at once and runs each exactly once")
        void acceptsTasksFromManyThreads() throws InterruptedException {
            ManualScheduler scheduler = new ManualScheduler();
            List<Integer> ran = new CopyOnWriteArrayList<>();
            int threads = 4;
            int each = 500;
            CountDownLatch done = new CountDownLatch(threads);
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Thread.ofPlatform().daemon(true).start(() -> {
                    for (int i = 0; i < each; i++) {
                        int id = thread * each + i;
                        scheduler.schedule(() -> ran.add(id), i % 7, TimeUnit.MILLISECONDS);
                    }
                    done.countDown();
                });
            }
            done.await();
            scheduler.advanceBy(ms(10));
            assertThat(ran).hasSize(threads * each).doesNotHaveDuplicates();
        }

        @Test
        @DisplayName("refuses to be advanced by a task it is running")
        void refusesNestedAdvance() {
            ManualScheduler scheduler = new ManualScheduler();
            scheduler.execute(() -> scheduler.advanceBy(ms(1)));
            scheduler.runDue();
            assertThat(scheduler.failures()).singleElement().isInstanceOf(IllegalStateException.class);
        }

        @Test
        @DisplayName("refuses invokeAll and invokeAny, which would wait for time that never passes")
        void refusesBlockingCalls() {
            ManualScheduler scheduler = new ManualScheduler();
            assertThatThrownBy(() -> scheduler.invokeAll(List.of(() -> 1)))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> scheduler.invokeAny(List.of(() -> 1)))
                    .isInstanceOf(UnsupportedOperationException.class);
        }
    }
}

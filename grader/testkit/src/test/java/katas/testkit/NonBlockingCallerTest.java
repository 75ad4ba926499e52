package katas.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("NonBlockingCaller")
class NonBlockingCallerTest {

    @Test
    @DisplayName("returns what a call returns, and rethrows what it throws")
    void returnsAndRethrows() {
        try (NonBlockingCaller caller = NonBlockingCaller.named("caller")) {
            assertThat(caller.call("answer()", () -> 42)).isEqualTo(42);
            IllegalStateException boom = new IllegalStateException("boom");
            assertThatThrownBy(() -> caller.run("fail()", () -> {
                throw boom;
            })).isSameAs(boom);
            assertThat(caller.call("again()", () -> "still usable")).isEqualTo("still usable");
        }
    }

    @Test
    @DisplayName("reports a call that parks, naming the blocking method and the line that called it")
    void reportsAParkedCall() {
        Semaphore none = new Semaphore(0);
        long start = System.nanoTime();
        try (NonBlockingCaller caller = NonBlockingCaller.named("caller")) {
            assertThatThrownBy(() -> caller.run("acquire()", none::acquire))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("acquire() blocked its caller")
                    .hasMessageContaining("WAITING")
                    .hasMessageContaining("Semaphore.acquire")
                    .hasMessageContaining("called from");
            assertThatThrownBy(() -> caller.call("next()", () -> 1))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("an earlier call, acquire(), blocked");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("a blocked call is reported after about the patience, not the whole bound")
                .isLessThan(NonBlockingCaller.DEFAULT_BOUND);
    }

    @Test
    @DisplayName("reports a call that sleeps")
    void reportsASleepingCall() {
        try (NonBlockingCaller caller = NonBlockingCaller.named("caller")) {
            assertThatThrownBy(() -> caller.run("nap()", () -> Thread.sleep(60_000)))
                    .hasMessageContaining("TIMED_WAITING")
                    .hasMessageContaining("Thread.sleep");
        }
    }

    @Test
    @DisplayName("reports a call that spins, once it has used its CPU bound")
    void reportsASpinningCall() {
        CountDownLatch never = new CountDownLatch(1);
        try (NonBlockingCaller caller = NonBlockingCaller.named("caller").cpuBound(Duration.ofMillis(200))) {
            assertThatThrownBy(() -> caller.run("spin()", () -> {
                while (never.getCount() > 0 && !Thread.currentThread().isInterrupted()) {
                    Thread.onSpinWait();
                }
            })).hasMessageContaining("did not return after using 200 ms of CPU time")
                    .hasMessageContaining("RUNNABLE");
        }
    }

    @Test
    @DisplayName("after a spinning call that ignores interrupts, makes no further call at all")
    void stopsCallingAfterAnUnstoppableSpinner() {
        AtomicBoolean stop = new AtomicBoolean();
        try (NonBlockingCaller caller = NonBlockingCaller.named("caller").cpuBound(Duration.ofMillis(200));
                NonBlockingCaller other = NonBlockingCaller.named("other")) {
            assertThatThrownBy(() -> caller.run("spinForever()", () -> {
                while (!stop.get()) {
                    Thread.onSpinWait();
                }
            })).hasMessageContaining("did not stop when interrupted");
            assertThatThrownBy(() -> other.call("quick()", () -> 1))
                    .hasMessageContaining("did not make the call quick()")
                    .hasMessageContaining("an earlier call, spinForever(), spins");
        } finally {
            stop.set(true);
            NonBlockingCaller.forgetUnstoppable();
        }
    }

    @Test
    @DisplayName("reports any call that outlives its wall-time bound")
    void reportsACallPastItsBound() {
        CountDownLatch never = new CountDownLatch(1);
        try (NonBlockingCaller caller = NonBlockingCaller.named("caller").patience(Duration.ofSeconds(10))
                .bound(Duration.ofMillis(300))) {
            assertThatThrownBy(() -> caller.run("await()", never::await))
                    .hasMessageContaining("did not return within 300 ms");
        }
    }

    @Test
    @DisplayName("lets many quick calls through without a false alarm")
    void manyQuickCalls() {
        try (NonBlockingCaller caller = NonBlockingCaller.named("caller")) {
            long sum = 0;
            for (int i = 0; i < 2_000; i++) {
                int value = i;
                sum += caller.call("quick()", () -> value);
            }
            assertThat(sum).isEqualTo(1_999L * 2_000 / 2);
        }
    }
}

package katas.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A watch")
class WatchTest {

    @Test
    @DisplayName("sees an invariant broken for a moment while threads run, though it holds again at the end")
    void seesAMomentaryBreach() {
        AtomicInteger balance = new AtomicInteger(10);
        assertThatThrownBy(() -> {
            try (Watch watch = Watch.of("the balance never below zero", () -> balance.get() < 0
                    ? "the balance was " + balance.get() : null)) {
                balance.set(-5);
                // Held until a sample saw it (at most 10 s), never for a fixed time: a busy machine may not run the
                // sampler within any given moment
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (watch.firstBroken() == null && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(1_000_000);
                }
                balance.set(10);
            }
        }).isInstanceOf(AssertionError.class)
                .hasMessageContaining("the balance never below zero broken while the threads ran")
                .hasMessageContaining("the balance was -5");
    }

    @Test
    @DisplayName("stays quiet while every invariant holds")
    void staysQuiet() throws Exception {
        AtomicInteger balance = new AtomicInteger(10);
        try (Watch watch = Watch.of().and("the balance never below zero", () -> balance.get() < 0 ? "below" : null)
                .and("the balance at most 10", () -> balance.get() > 10 ? "above" : null).start()) {
            for (int i = 0; i < 1000; i++) {
                balance.decrementAndGet();
                balance.incrementAndGet();
            }
            assertThat(watch.firstBroken()).isNull();
        }
    }

    @Test
    @DisplayName("checks once more at the end, so a breach too short to sample is still caught when it stays")
    void checksAtTheEnd() {
        AtomicInteger balance = new AtomicInteger(10);
        assertThatThrownBy(() -> {
            try (Watch watch = Watch.of("the balance never below zero", () -> balance.get() < 0 ? "it was "
                    + balance.get() : null)) {
                balance.set(-1);
            }
        }).hasMessageContaining("it was -1");
    }
}

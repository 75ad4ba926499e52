package katas.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class CallerThreadTest {

    @Test
    @DisplayName("reports the status a call leaves, runs what comes afterwards, and hands back a clean thread")
    void reportsTheStatusAndClearsIt() {
        AtomicBoolean cleaned = new AtomicBoolean();
        CallerThread.Outcome<String> left = CallerThread.call(() -> {
            Thread.currentThread().interrupt();
            return "done";
        }, () -> cleaned.set(true));
        assertThat(left).isEqualTo(new CallerThread.Outcome<>("done", null, true));
        assertThat(cleaned).isTrue();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();

        CallerThread.Outcome<String> threw = CallerThread.call(() -> {
            throw new IllegalStateException("refused");
        }, () -> { });
        assertThat(threw.thrown()).isInstanceOf(IllegalStateException.class);
        assertThat(threw.returned()).isNull();
        assertThat(threw.interruptStatus()).isFalse();
    }

    @Test
    @DisplayName("interrupts the caller once it is ready, so that a wait in the call throws and clears the status")
    void interruptsTheCallerWhenReady() {
        CountDownLatch waiting = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        Thread interrupter = CallerThread.interruptWhen(() -> waiting.getCount() == 0, "interrupter");
        CallerThread.Outcome<Object> outcome = CallerThread.call(() -> {
            waiting.countDown();
            never.await();
            return null;
        }, () -> CallerThread.stop(interrupter));
        assertThat(outcome.thrown()).isInstanceOf(InterruptedException.class);
        assertThat(outcome.interruptStatus()).isFalse();
        assertThat(interrupter.isAlive()).isFalse();
    }
}

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

    @Test
    @DisplayName("interrupts the caller again while it waits for what it stopped, each time once it took the last one")
    void interruptsAgainWhileWindingDown() {
        WindDown windDown = new WindDown();
        Thread stopped = new Thread(() -> {
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException stop) {
                windDown.hold(); // held until the wind-down is over, whatever interrupts come
            }
        }, "stopped");
        stopped.start();
        Thread interrupter = CallerThread.interruptAgainWhileWindingDown(
                () -> stopped.getState() == Thread.State.WAITING, 2, windDown, "interrupter");
        CallerThread.Outcome<Integer> outcome = CallerThread.call(() -> {
            int taken = 0;
            try {
                stopped.join();
            } catch (InterruptedException first) {
                taken++;
                stopped.interrupt();
                while (stopped.isAlive()) {
                    try {
                        stopped.join();
                    } catch (InterruptedException again) {
                        taken++;
                    }
                }
            }
            return taken;
        }, () -> {
            windDown.over();
            CallerThread.stop(interrupter);
            CallerThread.joinQuietly(stopped);
        });
        assertThat(outcome.thrown()).isNull();
        assertThat(outcome.returned()).as("interrupts the call took: the first, then two while it waited").isEqualTo(3);
        assertThat(outcome.interruptStatus()).isFalse();
        assertThat(stopped.isAlive()).isFalse();
    }
}

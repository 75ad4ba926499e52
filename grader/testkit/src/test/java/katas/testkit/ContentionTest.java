package katas.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Contention")
class ContentionTest {

    /**
     * The racy counter of fix-the-race, written here so the harness is proven on its own. The read and the write
     * are apart by a yield: on a loaded machine each thread's calls could otherwise fit in one time slice, and 50
     * rounds went by once without a lost update (a red team's build, 2 busy cores). The yield only widens the
     * window: threads run one after another would still lose nothing, so the test still asks whether the harness
     * runs them at the same time.
     */
    static final class RacyCounter {
        private long count;

        void increment() {
            long read = count;
            Thread.yield();
            count = read + 1;
        }
    }

    @Test
    @DisplayName("exposes the lost updates of an unsynchronized counter")
    void exposesLostUpdates() throws InterruptedException {
        // One round catches it on an idle machine with two cores; a loaded machine time-slices the
        // threads and may need more rounds. Each increment yields, and at load 50 (six helpers building
        // at once) 8 x 20,000 yields outlasted the harness's 10 s bound: 1,000 each, and a minute.
        boolean lost = false;
        for (int round = 0; round < 50 && !lost; round++) {
            RacyCounter counter = new RacyCounter();
            Contention.threads(8).callsEach(1_000).within(Duration.ofSeconds(60)).run((t, i) -> counter.increment());
            lost = counter.count < 8_000;
        }
        assertThat(lost).as("the racy counter lost no update in 50 rounds of 8 threads x 1,000 increments").isTrue();
    }

    @Test
    @DisplayName("loses nothing with a correct counter")
    void losesNothingWithACorrectCounter() throws InterruptedException {
        AtomicLong counter = new AtomicLong();
        Contention.threads(8).callsEach(20_000).within(Duration.ofSeconds(60)).run((t, i) -> counter.incrementAndGet());
        assertThat(counter).hasValue(160_000);
    }

    @Test
    @DisplayName("ends a deadlock at its bound and names the cycle instead of hanging")
    void explainsADeadlock() {
        ReentrantLock a = new ReentrantLock();
        ReentrantLock b = new ReentrantLock();
        java.util.concurrent.CyclicBarrier bothHoldOne = new java.util.concurrent.CyclicBarrier(2);
        assertThatThrownBy(() -> Contention.threads(2).within(Duration.ofSeconds(1)).named("transfer").run((t, i) -> {
            ReentrantLock first = t == 0 ? a : b;
            ReentrantLock second = t == 0 ? b : a;
            first.lock();
            bothHoldOne.await();
            second.lock();
        })).hasMessageContaining("2 of 2 threads did not finish within 1 s")
                .hasMessageContaining("DEADLOCK")
                .hasMessageContaining("thread 'transfer-0' holds the lock of ReentrantLock@")
                .hasMessageContaining("held by 'transfer-1'");
    }

    @Test
    @DisplayName("rethrows the first failure of a thread, naming the thread")
    void rethrowsAFailure() {
        assertThatThrownBy(() -> Contention.threads(3).run((t, i) -> {
            if (t == 1) {
                throw new IllegalStateException("boom");
            }
        })).isInstanceOf(AssertionError.class).hasMessageContaining("thread 'contender-1' failed")
                .hasMessageContaining("boom");
    }
}

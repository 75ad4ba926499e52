package katas.grader.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Sleeping units stand in for cores here: they overlap perfectly on any machine, or not at all behind a lock. */
@DisplayName("The parallel capacity probe")
class ParallelCapacityTest {

    private static void pause() {
        try {
            Thread.sleep(40);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    @DisplayName("finds about three cores' worth when three units run fully side by side")
    void findsFullCapacity() throws InterruptedException {
        assertThat(new ParallelCapacity(ParallelCapacityTest::pause).measure(3)).isBetween(2.4, 3.3);
    }

    @Test
    @DisplayName("finds about one core's worth when the units can only run one at a time")
    void findsOneCoreWhenTheUnitsQueue() throws InterruptedException {
        ReentrantLock oneAtATime = new ReentrantLock();
        Runnable queued = () -> {
            oneAtATime.lock();
            try {
                pause();
            } finally {
                oneAtATime.unlock();
            }
        };
        assertThat(new ParallelCapacity(queued).measure(3)).isBetween(0.8, 1.25);
    }

    @Test
    @DisplayName("does not probe a single thread: one thread is one core's worth")
    void oneThreadIsOneCore() throws InterruptedException {
        assertThat(new ParallelCapacity(() -> {
            throw new AssertionError("probed");
        }).measure(1)).isEqualTo(1);
    }
}

package katas.fixtherace;

import static org.assertj.core.api.Assertions.assertThat;

import katas.testkit.Contention;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import katas.testkit.KataTest;

/** Hidden: the lost-update race under several shapes of contention, each repeated. */
@DisplayName("HitCounter under stress")
@KataTest
class HitCounterStressTest {

    /** Threads, hits per thread, rounds: one shape of contention. */
    private record Shape(int threads, int callsEach, int rounds) { }

    // The last shape runs long enough for a time-sliced (loaded, or one-core) machine to preempt a thread
    // inside hits++ many times: short rounds catch the race on two idle cores, only long ones on a busy one.
    // One test for all shapes: a counter that loses hits in any of them is not thread-safe, and partial
    // credit for the shapes where a racy counter happened to survive would be points for luck.
    private static final List<Shape> SHAPES = List.of(
            new Shape(2, 50_000, 3), new Shape(8, 20_000, 5), new Shape(32, 2_000, 5), new Shape(4, 1_000_000, 1));

    @Test
    @DisplayName("loses no hit, whatever the number of threads")
    void losesNoHit() throws InterruptedException {
        for (Shape shape : SHAPES) {
            for (int round = 1; round <= shape.rounds(); round++) {
                HitCounter counter = new HitCounter();
                Contention.threads(shape.threads()).callsEach(shape.callsEach()).run((t, i) -> counter.increment());
                long expected = (long) shape.threads() * shape.callsEach();
                assertThat(counter.get())
                        .as("%d threads x %,d hits, round %d: expected %,d hits, got %,d: %,d increments were lost "
                                + "(two threads read the same count and both wrote back count + 1)", shape.threads(),
                                shape.callsEach(), round, expected, counter.get(), expected - counter.get())
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    @DisplayName("never shows a count going backwards to readers running alongside the writers")
    void readersSeeAMonotonicCount() throws InterruptedException {
        int readers = 4;
        int writers = 4;
        int callsEach = 20_000;
        // Rounds, since readers take turns on the cores from the writers: one round alone lets a racy
        // counter through now and then.
        for (int round = 1; round <= 5; round++) {
            HitCounter counter = new HitCounter();
            long[] lastSeen = new long[readers];
            long[] wentBack = new long[1];
            Contention.threads(writers + readers).callsEach(callsEach).run((t, i) -> {
                if (t < writers) {
                    counter.increment();
                } else {
                    long now = counter.get();
                    if (now < lastSeen[t - writers]) {
                        synchronized (wentBack) {
                            wentBack[0]++;
                        }
                    }
                    lastSeen[t - writers] = now;
                }
            });
            long expected = (long) writers * callsEach;
            assertThat(counter.get())
                    .as("round %d: expected %,d hits, got %,d: %,d increments were lost (lost updates)", round,
                            expected, counter.get(), expected - counter.get())
                    .isEqualTo(expected);
            assertThat(wentBack[0]).as("round %d: a reader saw the count go down %d times", round, wentBack[0])
                    .isZero();
        }
    }
}

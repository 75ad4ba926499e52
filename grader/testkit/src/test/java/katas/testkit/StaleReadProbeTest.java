package katas.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StaleReadProbeTest {

    static final class Volatile {
        volatile long value;
    }

    static long spinOn(Volatile counter, long before, long reads) {
        long mixed = 0;
        for (long i = 0; i < reads; i++) {
            if (counter.value != before) {
                return i;
            }
            mixed = mixed * 31 + i;
        }
        return mixed == Long.MIN_VALUE ? -2 : -1;
    }

    private static StaleReadProbe probeOf(Volatile counter) {
        return StaleReadProbe.reading("value", counter, () -> counter.value)
                .loop(StaleReadProbeTest.class, "spinOn", Volatile.class,
                        (before, reads) -> spinOn(counter, before, reads));
    }

    @Test
    void aVolatileReadSeesEveryChange() throws InterruptedException {
        Volatile counter = new Volatile();
        assertThat(probeOf(counter).changedBy("value++", round -> counter.value++).rounds(2)).isNull();
    }

    @Test
    void aChangeThatDoesNotShowIsLostWhenItMustShow() throws InterruptedException {
        Volatile counter = new Volatile();
        assertThat(probeOf(counter).changedBy("nothing", round -> { }).changeMustShow().rounds(1))
                .contains("nothing returned, but value still returned 0", "the change was lost");
    }

    @Test
    void aChangeThatDoesNotShowIsNoVerdictOtherwise() throws InterruptedException {
        Volatile counter = new Volatile();
        assertThat(probeOf(counter).changedBy("nothing", round -> { }).rounds(1)).isNull();
    }
}

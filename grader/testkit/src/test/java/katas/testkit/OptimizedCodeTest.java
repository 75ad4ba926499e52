package katas.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OptimizedCodeTest {

    private static final String LIST = """
            1900 3 0 katas.x.Probe.spinOn(Lkatas/x/Counter;JJ)J [0x00007f, 0x00007f - 0x00007f]
            1922 4 1 katas.x.Probe.spinOn(Lkatas/x/Account;JJ)J [0x00007f, 0x00007f - 0x00007f]
            1923 4 0 katas.x.Probe.spinOn(Lkatas/x/Ledger;JJ)J [0x00007f, 0x00007f - 0x00007f]
            """;

    @Test
    void aMethodCompiledOnlyByTheFirstTiersIsNotOptimized() {
        assertThat(OptimizedCode.optimizedIn(LIST, "katas.x.Probe.spinOn(Lkatas/x/Counter;")).isFalse();
    }

    @Test
    void tierFourCodeThatWasMadeNotEntrantDoesNotCount() {
        assertThat(OptimizedCode.optimizedIn(LIST, "katas.x.Probe.spinOn(Lkatas/x/Account;")).isFalse();
    }

    @Test
    void tierFourCodeInUseIsOptimized() {
        assertThat(OptimizedCode.optimizedIn(LIST, "katas.x.Probe.spinOn(Lkatas/x/Ledger;")).isTrue();
    }

    @Test
    void anOverloadIsToldApartByItsFirstParameter() {
        assertThat(OptimizedCode.optimizedIn(LIST, "katas.x.Probe.spinOn(")).isTrue();
        assertThat(OptimizedCode.optimizedIn(LIST, "katas.x.Probe.spin(")).isFalse();
    }

    @Test
    void thisJvmSaysWhetherAMethodIsOptimized() {
        assertThat(OptimizedCode.of(OptimizedCodeTest.class, "neverCalled", String.class))
                .isIn(OptimizedCode.State.NOT_YET, OptimizedCode.State.UNKNOWN);
    }

    @SuppressWarnings("unused")
    private static void neverCalled(String unused) {
    }
}

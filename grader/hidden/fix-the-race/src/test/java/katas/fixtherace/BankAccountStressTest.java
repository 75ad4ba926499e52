package katas.fixtherace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import katas.testkit.Contention;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import katas.testkit.KataTest;

/**
 * Hidden: check-then-act on the account. The fraud check is the test's own callback; it parks
 * inside the window between the balance check and the debit, which was measured to expose the
 * race every time, on one core as on two.
 */
@DisplayName("BankAccount under stress")
@KataTest
class BankAccountStressTest {

    private static final FraudCheck SLOW_SERVICE = amount -> LockSupport.parkNanos(50_000);

    @Test
    @DisplayName("is never overdrawn, in any of ten rounds of twenty-four customers")
    void isNeverOverdrawn() throws InterruptedException {
        // Rounds inside one test: an account that is overdrawn in any round is not thread-safe.
        for (int round = 1; round <= 10; round++) {
            BankAccount account = new BankAccount(120, SLOW_SERVICE);
            AtomicInteger approved = new AtomicInteger();
            Contention.threads(24).run((t, i) -> {
                if (account.withdraw(10)) {
                    approved.incrementAndGet();
                }
            });
            assertThat(account.balance())
                    .as("round %d: withdrew %d x 10 from 120: the balance went to %d (two withdrawals both passed "
                            + "the balance check before either subtracted)", round, approved.get(), account.balance())
                    .isEqualTo(0);
            assertThat(approved.get()).as("round %d: approved withdrawals", round).isEqualTo(12);
        }
    }

    @Test
    @DisplayName("conserves money when deposits and withdrawals run at the same time")
    void conservesMoneyUnderMixedTraffic() throws InterruptedException {
        // A low balance keeps withdrawals near the edge, where check-then-act overdraws.
        long opening = 10;
        BankAccount account = new BankAccount(opening, amount -> {
            if (amount % 3 == 0) {
                LockSupport.parkNanos(20_000);
            } else {
                Thread.yield();
            }
        });
        LongAdder deposited = new LongAdder();
        LongAdder withdrawn = new LongAdder();
        AtomicLong lowest = new AtomicLong(opening);
        Contention.threads(8).callsEach(1_500).run((t, i) -> {
            long amount = 1 + (t * 31L + i * 7L) % 9;
            if ((t + i) % 2 == 0) {
                account.deposit(amount);
                deposited.add(amount);
            } else if (account.withdraw(amount)) {
                withdrawn.add(amount);
            }
            lowest.accumulateAndGet(account.balance(), Math::min);
        });
        long expected = opening + deposited.sum() - withdrawn.sum();
        assertThat(account.balance())
                .as("money was created or destroyed: opening %d + deposits %d - withdrawals %d = %d, but the "
                        + "balance is %d (an update was lost between a read and a write)",
                        opening, deposited.sum(), withdrawn.sum(), expected, account.balance())
                .isEqualTo(expected);
        assertThat(lowest.get()).as("lowest balance seen while withdrawing (it went below zero)")
                .isGreaterThanOrEqualTo(0);
    }
}

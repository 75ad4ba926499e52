package katas.fixtherace;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import katas.testkit.Contention;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import katas.testkit.KataTest;

@DisplayName("BankAccount")
@KataTest
class BankAccountTest {

    /** A fraud check that takes a little time, as a remote service would. */
    private static final FraudCheck SLOW_SERVICE = amount -> LockSupport.parkNanos(50_000);

    @Nested
    @DisplayName("from one thread")
    class SingleThreaded {

        @Test
        @DisplayName("withdraws when the balance covers the amount")
        void withdrawsWhenTheBalanceCovers() {
            BankAccount account = new BankAccount(100, amount -> { });
            assertThat(account.withdraw(30)).isTrue();
            assertThat(account.balance()).isEqualTo(70);
        }

        @Test
        @DisplayName("refuses a withdrawal the balance does not cover, and keeps the balance")
        void refusesWhenTheBalanceIsTooLow() {
            BankAccount account = new BankAccount(20, amount -> { });
            assertThat(account.withdraw(30)).isFalse();
            assertThat(account.balance()).isEqualTo(20);
        }

        @Test
        @DisplayName("asks the fraud check before taking money out")
        void asksTheFraudCheck() {
            AtomicInteger asked = new AtomicInteger();
            BankAccount account = new BankAccount(100, amount -> asked.incrementAndGet());
            account.withdraw(10);
            assertThat(asked).as("the fraud check was never asked").hasPositiveValue();
        }

        @Test
        @DisplayName("adds deposits to the balance")
        void addsDeposits() {
            BankAccount account = new BankAccount(0, amount -> { });
            account.deposit(25);
            account.deposit(5);
            assertThat(account.balance()).isEqualTo(30);
        }

        @Test
        @DisplayName("rejects amounts that are zero or negative")
        void rejectsNonPositiveAmounts() {
            BankAccount account = new BankAccount(10, amount -> { });
            assertThatThrownBy(() -> account.withdraw(0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> account.deposit(-5)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    @DisplayName("under contention")
    class UnderContention {

        @Test
        @DisplayName("is never overdrawn when sixteen customers withdraw at the same time")
        void isNeverOverdrawnWhenManyWithdrawAtOnce() throws InterruptedException {
            BankAccount account = new BankAccount(100, SLOW_SERVICE);
            AtomicInteger approved = new AtomicInteger();
            Contention.threads(16).run((t, i) -> {
                if (account.withdraw(10)) {
                    approved.incrementAndGet();
                }
            });
            assertThat(account.balance())
                    .as("withdrew %d x 10 from an account holding 100: the balance went to %d; two withdrawals "
                            + "both passed the balance check before either subtracted (check-then-act)",
                            approved.get(), account.balance())
                    .isGreaterThanOrEqualTo(0);
            assertThat(approved.get())
                    .as("exactly ten withdrawals of 10 fit in 100, but %d went through and the balance is %d",
                            approved.get(), account.balance())
                    .isEqualTo(10);
        }
    }
}

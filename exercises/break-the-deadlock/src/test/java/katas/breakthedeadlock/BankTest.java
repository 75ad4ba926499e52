package katas.breakthedeadlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import katas.testkit.KataTest;

@DisplayName("Bank")
@KataTest
class BankTest {

    @Nested
    @DisplayName("from one teller")
    class OneTeller {

        @Test
        @DisplayName("moves the amount from one account to the other")
        void movesTheAmount() {
            BankFloor floor = new BankFloor();
            Account a = floor.open("A", 100);
            Account b = floor.open("B", 50);
            new Bank(floor.auditLog()).transfer(a, b, 30);
            assertThat(a.balance()).as("A held 100 and sent 30").isEqualTo(70);
            assertThat(b.balance()).as("B held 50 and received 30").isEqualTo(80);
        }

        @Test
        @DisplayName("refuses a transfer the source cannot cover, and moves nothing")
        void refusesATransferTheSourceCannotCover() {
            BankFloor floor = new BankFloor();
            Account a = floor.open("A", 100);
            Account b = floor.open("B", 50);
            Bank bank = new Bank(floor.auditLog());
            assertThatThrownBy(() -> bank.transfer(a, b, 500)).isInstanceOf(InsufficientFundsException.class);
            assertThat(a.balance()).as("A's balance after a refused transfer").isEqualTo(100);
            assertThat(b.balance()).as("B's balance after a refused transfer").isEqualTo(50);
        }

        @Test
        @DisplayName("releases both accounts' locks when it refuses a transfer")
        void releasesBothLocksWhenItRefusesATransfer() {
            BankFloor floor = new BankFloor();
            Account a = floor.open("A", 100);
            Account b = floor.open("B", 50);
            Bank bank = new Bank(floor.auditLog());
            assertThat(floor.transfer(bank, a, b, 500)).as("went through: a transfer of 500 out of 100").isFalse();
            for (Account account : List.of(a, b)) {
                WatchedLock lock = floor.lockOf(account);
                assertThat(lock.isLocked())
                        .as("after the transfer of 500 from A to B was refused (InsufficientFundsException), %s is "
                                + "still held by %s, taken at %s: no other transfer could ever touch %s again. A lock "
                                + "must be released on every way out of transfer, also when withdraw throws.",
                                lock, lock.owner() == null ? "nobody" : floor.nameOf(lock.owner()), lock.takenAt(),
                                account)
                        .isFalse();
            }
        }

        @Test
        @DisplayName("records every transfer in the audit log while it holds both accounts' locks")
        void recordsEveryTransferWhileHoldingBothLocks() {
            BankFloor floor = new BankFloor();
            Account a = floor.open("A", 100);
            Account b = floor.open("B", 50);
            Bank bank = new Bank(floor.auditLog());
            floor.transfer(bank, a, b, 10);
            floor.transfer(bank, b, a, 25);
            floor.transfer(bank, b, a, 1_000);
            floor.assertEveryTransferAccountedFor();
        }
    }

    @Nested
    @DisplayName("two tellers, opposite directions")
    class OppositeDirections {

        @Test
        @DisplayName("finish when one sends A to B and the other B to A at the same moment")
        void finishWhenTransfersCrossAtTheSameMoment() throws InterruptedException {
            for (int round = 1; round <= 3; round++) {
                BankFloor floor = new BankFloor().stagingACollision();
                Account a = floor.open("A", 100);
                Account b = floor.open("B", 100);
                Bank bank = new Bank(floor.auditLog());
                floor.runTellers(2, 1, (teller, call) -> {
                    if (teller == 0) {
                        floor.transfer(bank, a, b, 10);
                    } else {
                        floor.transfer(bank, b, a, 20);
                    }
                });
                floor.assertEveryTransferAccountedFor();
                assertThat(floor.wentThrough()).as("round %d: transfers that went through", round).isEqualTo(2);
            }
        }

        @Test
        @DisplayName("keep every coin when they send money back and forth 1,000 times each")
        void keepEveryCoinWhenSendingBackAndForth() throws InterruptedException {
            BankFloor floor = new BankFloor().pausingAfterTheFirstLock(Duration.ofNanos(50_000));
            Account a = floor.open("A", 1_000);
            Account b = floor.open("B", 1_000);
            Bank bank = new Bank(floor.auditLog());
            floor.runTellers(2, 1_000, (teller, call) -> {
                if (teller == 0) {
                    floor.transfer(bank, a, b, 1 + call % 7);
                } else {
                    floor.transfer(bank, b, a, 1 + call % 5);
                }
            });
            floor.assertEveryTransferAccountedFor();
            assertThat(floor.total()).as("money in A and B together").isEqualTo(2_000);
        }
    }

    @Nested
    @DisplayName("unrelated accounts")
    class UnrelatedAccounts {

        @Test
        @DisplayName("let a transfer A to B and a transfer C to D run at the same time")
        void letTransfersBetweenUnrelatedAccountsRunAtOnce() throws InterruptedException {
            BankFloor floor = new BankFloor();
            Account a = floor.open("A", 100);
            Account b = floor.open("B", 100);
            Account c = floor.open("C", 100);
            Account d = floor.open("D", 100);
            AtomicReference<String> shutOut = floor.auditsMustMeet(2, Duration.ofSeconds(3));
            Bank bank = new Bank(floor.auditLog());
            floor.runTellers(2, 1, (teller, call) -> {
                if (teller == 0) {
                    floor.transfer(bank, a, b, 10);
                } else {
                    floor.transfer(bank, c, d, 10);
                }
            });
            if (shutOut.get() != null) {
                fail(shutOut.get());
            }
            floor.assertEveryTransferAccountedFor();
        }
    }
}

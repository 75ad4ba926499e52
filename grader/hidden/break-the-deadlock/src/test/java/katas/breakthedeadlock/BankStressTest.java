package katas.breakthedeadlock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import katas.testkit.KataTest;

/**
 * Hidden: many tellers, random transfers both ways among a few accounts, rings of transfers that
 * all start at the same moment, refusals under contention, and disjoint transfers that must run
 * at the same time. Every run uses a fresh {@link BankFloor}: its watch ends a deadlock at once
 * and a livelock or a leaked lock after {@link BankFloor#STALL}, with the cycle in accounts.
 */
@DisplayName("Bank under stress")
@KataTest
class BankStressTest {

    /** A pause after a teller's first lock: the window for a lock-order deadlock, measured in microseconds. */
    private static final Duration WINDOW = Duration.ofNanos(20_000);

    @Nested
    @DisplayName("random traffic")
    class RandomTraffic {

        @ParameterizedTest(name = "{0} tellers x {2} transfers among {1} accounts")
        @CsvSource({"6, 2, 100", "12, 4, 100", "16, 6, 100"})
        @DisplayName("keeps every coin and every transfer when tellers move money every way at once")
        void keepsTheBooksUnderRandomTraffic(int tellers, int accountCount, int transfersEach)
                throws InterruptedException {
            for (int round = 1; round <= 2; round++) {
                BankFloor floor = new BankFloor().pausingAfterTheFirstLock(WINDOW);
                List<Account> accounts = openAccounts(floor, accountCount, 200);
                Bank bank = new Bank(floor.auditLog());
                long seed = 31L * round + tellers;
                SplittableRandom[] dice = dice(tellers, seed);
                floor.runTellers(tellers, transfersEach, (teller, call) -> {
                    SplittableRandom die = dice[teller];
                    int from = die.nextInt(accountCount);
                    int to = (from + 1 + die.nextInt(accountCount - 1)) % accountCount;
                    floor.transfer(bank, accounts.get(from), accounts.get(to), 1 + die.nextInt(60));
                });
                floor.assertEveryTransferAccountedFor();
                assertThat(floor.total()).as("round %d: money in the bank after %d transfers went through",
                        round, floor.wentThrough()).isEqualTo(200L * accountCount);
            }
        }

        @Test
        @DisplayName("releases the locks of refused transfers while other tellers keep going")
        void releasesTheLocksOfRefusedTransfers() throws InterruptedException {
            for (int round = 1; round <= 3; round++) {
                BankFloor floor = new BankFloor().pausingAfterTheFirstLock(WINDOW);
                List<Account> accounts = openAccounts(floor, 5, 10);
                Bank bank = new Bank(floor.auditLog());
                SplittableRandom[] dice = dice(8, 7 + round);
                floor.runTellers(8, 150, (teller, call) -> {
                    SplittableRandom die = dice[teller];
                    int from = die.nextInt(5);
                    int to = (from + 1 + die.nextInt(4)) % 5;
                    floor.transfer(bank, accounts.get(from), accounts.get(to), 1 + die.nextInt(25));
                });
                floor.assertEveryTransferAccountedFor();
                assertThat(floor.refused()).as("round %d: refused transfers (the test needs some)", round)
                        .isPositive();
                assertThat(floor.total()).as("round %d: money in the bank", round).isEqualTo(50);
            }
        }
    }

    @Nested
    @DisplayName("transfers that start at the same moment")
    class Collisions {

        @ParameterizedTest(name = "a ring of {0}")
        @CsvSource({"2", "3", "4"})
        @DisplayName("finish when every teller sends money to the next account around a ring")
        void finishAroundARing(int size) throws InterruptedException {
            for (int round = 1; round <= 3; round++) {
                BankFloor floor = new BankFloor().stagingACollision();
                List<Account> accounts = openAccounts(floor, size, 100);
                Bank bank = new Bank(floor.auditLog());
                floor.runTellers(size, 1, (teller, call) ->
                        floor.transfer(bank, accounts.get(teller), accounts.get((teller + 1) % size), 10 + teller));
                floor.assertEveryTransferAccountedFor();
                assertThat(floor.wentThrough()).as("round %d: transfers around the ring of %d", round, size)
                        .isEqualTo(size);
            }
        }

        @Test
        @DisplayName("finish when the ring runs backwards against the order the accounts were opened in")
        void finishAroundARingAgainstTheOpeningOrder() throws InterruptedException {
            for (int round = 1; round <= 3; round++) {
                BankFloor floor = new BankFloor().stagingACollision();
                List<Account> accounts = openAccounts(floor, 3, 100);
                Bank bank = new Bank(floor.auditLog());
                floor.runTellers(3, 1, (teller, call) ->
                        floor.transfer(bank, accounts.get((teller + 1) % 3), accounts.get(teller), 5));
                floor.assertEveryTransferAccountedFor();
                assertThat(floor.wentThrough()).as("round %d: transfers around the ring", round).isEqualTo(3);
            }
        }

        @Test
        @DisplayName("keep going after the collision: opposite tellers send money back and forth")
        void keepGoingAfterTheCollision() throws InterruptedException {
            for (int round = 1; round <= 2; round++) {
                BankFloor floor = new BankFloor().stagingACollision().pausingAfterTheFirstLock(WINDOW);
                Account a = floor.open("A", 500);
                Account b = floor.open("B", 500);
                Bank bank = new Bank(floor.auditLog());
                floor.runTellers(4, 300, (teller, call) -> {
                    if (teller % 2 == 0) {
                        floor.transfer(bank, a, b, 1 + (call + teller) % 9);
                    } else {
                        floor.transfer(bank, b, a, 1 + (call + teller) % 7);
                    }
                });
                floor.assertEveryTransferAccountedFor();
                assertThat(floor.total()).as("round %d: money in A and B together", round).isEqualTo(1_000);
            }
        }
    }

    @Nested
    @DisplayName("transfers between unrelated accounts")
    class UnrelatedAccounts {

        @Test
        @DisplayName("run at the same time: three separate pairs, each sending money both ways at once")
        void runAtTheSameTime() throws InterruptedException {
            // Both ways within each pair (a staged collision), so that only a fix earns these points: the
            // stub's argument-order locking deadlocks here, and one lock for the whole bank keeps the pairs
            // from ever meeting in their audits.
            for (int round = 1; round <= 2; round++) {
                BankFloor floor = new BankFloor().stagingACollision();
                List<Account> accounts = openAccounts(floor, 6, 100);
                AtomicReference<String> shutOut = floor.auditsMustMeet(3, Duration.ofSeconds(3));
                Bank bank = new Bank(floor.auditLog());
                floor.runTellers(6, 1, (teller, call) -> {
                    Account low = accounts.get(2 * (teller / 2));
                    Account high = accounts.get(2 * (teller / 2) + 1);
                    if (teller % 2 == 1) {
                        floor.transfer(bank, high, low, 7);
                    } else {
                        floor.transfer(bank, low, high, 7);
                    }
                });
                if (shutOut.get() != null) {
                    fail("round " + round + ": " + shutOut.get());
                }
                floor.assertEveryTransferAccountedFor();
            }
        }
    }

    private static List<Account> openAccounts(BankFloor floor, int count, long balance) {
        List<Account> accounts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            accounts.add(floor.open(String.valueOf((char) ('A' + i)), balance));
        }
        return accounts;
    }

    private static SplittableRandom[] dice(int tellers, long seed) {
        SplittableRandom[] dice = new SplittableRandom[tellers];
        for (int t = 0; t < tellers; t++) {
            dice[t] = new SplittableRandom(seed * 1_000 + t);
        }
        return dice;
    }
}

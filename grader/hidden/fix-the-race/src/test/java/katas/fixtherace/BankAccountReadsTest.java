package katas.fixtherace;

import static org.assertj.core.api.Assertions.assertThat;

import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Hidden: rule 8, balances read while deposits and withdrawals run, and stale copies of the balance. */
@DisplayName("BankAccount read by many threads")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BankAccountReadsTest {

    @BeforeAll
    static void compileTheReadingLoops() {
        StaleReads.warmUp();
    }

    @Test
    @Order(1)
    @Tag("rule-8")
    @DisplayName("shows a deposit and a withdrawal at once to a thread that keeps reading the balance")
    void showsEveryChangeAtOnce(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            long opening = round.between("opening balance", 0, 1L << 40);
            long deposit = round.between("deposit", 2, 1L << 30);
            long withdrawal = round.between("withdrawal", 1, (opening + deposit) / 2); // paid in each round
            BankAccount account = new BankAccount(opening, amount -> { });
            assertThat(StaleReads.probe(account, 2, () -> account.deposit(deposit), "deposit(" + deposit + ")"))
                    .as("rule 8, a balance shows at once").isNull();
            assertThat(StaleReads.probe(account, 2, () -> account.withdraw(withdrawal), "withdraw(" + withdrawal
                    + ")")).as("rule 8, a balance shows at once").isNull();
        });
    }

    @Test
    @Order(2)
    @Tag("rule-8")
    @Tag("rule-5")
    @DisplayName("shows only balances that were, while deposits and withdrawals race")
    void showsOnlyBalancesThatWere(Shapes shapes) throws Exception {
        shapes.check(3, round -> BankAccountTest.tradeTogether(round, 2, 16));
        long opening = shapes.between("opening balance", 0, 1L << 40);
        long deposit = shapes.between("deposit", 1, 1L << 30);
        BankAccount account = new BankAccount(opening, amount -> { });
        assertThat(StaleReads.probe(account, 2, () -> account.deposit(deposit), "deposit(" + deposit + ")"))
                .as("rule 8, a balance shows at once").isNull();
    }
}

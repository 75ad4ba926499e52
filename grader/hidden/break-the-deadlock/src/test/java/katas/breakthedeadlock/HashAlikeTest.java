package katas.breakthedeadlock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: transfers between free accounts whose identity hash codes match those of accounts stuck in the audit log.
 * Ordering locks by identity hash is a known technique, and so are its two traps, both against rule 7: on a tie,
 * Java Concurrency in Practice takes one lock for the whole JVM, so two unrelated tied transfers wait for each
 * other; and stripes picked by identity hash (a million of them, say) are shared by accounts whose hashes agree in
 * the stripe's bits. Free accounts are drawn until their hashes are equal to each other, or until one agrees with a
 * stuck account's in its low 20 bits (so they share a stripe for every power-of-two count of stripes up to 2^20).
 */
@DisplayName("Bank with accounts whose identity hash codes are alike")
@KataTest
class HashAlikeTest {

    private static final int LOW_BITS = (1 << 20) - 1;
    private static final int MOST_TRIES = 20_000_000;

    @Test
    @Tag("rule-7")
    @Tag("rule-5")
    @DisplayName("lets transfers between accounts whose identity hashes tie, or match a stuck account's low 20 bits, go on while that one is stuck in the audit log, also lined up against each other")
    void goesOnBetweenAccountsHashedLikeStuckOnes(Shapes shapes) throws Exception {
        long balance = shapes.between("balance", 50L, 500L);
        Account[] stuck = PlainLineUp.sameHash("Ada", balance, System::identityHashCode);
        Account[] tied = PlainLineUp.sameHash("Bob", balance, System::identityHashCode);
        // One of the pair is enough: its stripe is held by the stuck transfer, whatever the other's.
        Account[] striped = {lowBitsLike(stuck[0], "Cy", balance), new Account("Dee", balance)};
        CountDownLatch inAudit = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Bank bank = new Bank((from, to, amount) -> {
            if (from == stuck[0]) {
                inAudit.countDown();
                try {
                    release.await(); // nobody interrupts the back office; the test releases it in every case
                } catch (InterruptedException unexpected) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        Thread backOffice = Thread.ofPlatform().daemon(true).name("back office").start(() ->
                bank.transfer(stuck[0], stuck[1], 10));
        try {
            assertThat(inAudit.await(5, TimeUnit.SECONDS)).as("a transfer alone on its two accounts reached its "
                    + "audit within 5 s").isTrue();
            List<String> waited = new ArrayList<>();
            goesThrough(bank, tied, "two accounts whose identity hash codes are equal, like the stuck transfer's "
                    + "two (a tie broken by one lock for every tie keeps them waiting)", waited);
            goesThrough(bank, striped, "two accounts, one of whose identity hash code agrees with a stuck account's in "
                    + "its low 20 bits (stripes picked by identity hash share a lock between them)", waited);
            assertThat(waited).as("rule 7: transfers between accounts nobody else uses, while a transfer between "
                    + "two other accounts was stuck in the audit log, waited for it: a lock shared beyond the two "
                    + "accounts of a transfer (one lock for all ties, or a stripe of locks) makes unrelated transfers "
                    + "wait for each other").isEmpty();
            // The tied pair again, its two transfers lined up against each other, still beside the stuck one:
            // whatever breaks the tie must also keep them out of a circle (rule 5).
            new PlainLineUp(shapes).run(tied, true);
        } finally {
            release.countDown();
            backOffice.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertThat(stuck[0].balance() + stuck[1].balance()).as("the stuck pair's money, once released")
                .isEqualTo(2 * balance);
    }

    /** Both ways between the two accounts, on another thread, within 5 s; else what waited is added. */
    private static void goesThrough(Bank bank, Account[] pair, String what, List<String> waited)
            throws InterruptedException, ExecutionException {
        CompletableFuture<Void> both = CompletableFuture.runAsync(() -> {
            bank.transfer(pair[0], pair[1], 5);
            bank.transfer(pair[1], pair[0], 3);
        }, runnable -> Thread.ofPlatform().daemon(true).name("teller").start(runnable));
        try {
            both.get(5, TimeUnit.SECONDS);
        } catch (TimeoutException stillWaiting) {
            waited.add("a transfer between " + what + " had not gone through 5 s later");
        }
    }

    /** A new account whose identity hash code agrees with {@code target}'s in its low 20 bits. */
    private static Account lowBitsLike(Account target, String name, long balance) {
        int wanted = System.identityHashCode(target) & LOW_BITS;
        for (int i = 0; i < MOST_TRIES; i++) {
            Account account = new Account(name, balance);
            if ((System.identityHashCode(account) & LOW_BITS) == wanted && account != target) {
                return account;
            }
        }
        throw new IllegalStateException("no account of " + MOST_TRIES + " had an identity hash code like another's");
    }
}

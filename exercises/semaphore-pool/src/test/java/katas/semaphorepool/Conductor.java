package katas.semaphorepool;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Sends more borrowers than connections into a pool at once and lets them finish one at a time, checking at
 * every step that exactly as many hold a connection as there are connections (or borrowers left), and that
 * every other borrower is parked in the pool, waiting. Each borrower holds its connection until the conductor
 * gives it a turn to finish, so the step is decided by the test, not by how fast the threads run.
 */
final class Conductor {

    /** How long borrowers may wait for a connection: far longer than any test, so a right pool never times out. */
    static final Duration LONG = Duration.ofSeconds(60);

    private final ConnectionPool pool;
    private final Ledger ledger;
    private final boolean lowLevel;
    private final Semaphore turns = new Semaphore(0);
    private final AtomicInteger holding = new AtomicInteger();

    /**
     * @param lowLevel borrow with acquire and release (finally) instead of withConnection
     */
    Conductor(ConnectionPool pool, Ledger ledger, boolean lowLevel) {
        this.pool = pool;
        this.ledger = ledger;
        this.lowLevel = lowLevel;
    }

    /** Runs {@code borrowers} borrowers through the pool; returns what each one's work returned, in order. */
    List<Object> run(int borrowers) throws InterruptedException {
        int size = ledger.size();
        List<Attempt> attempts = new ArrayList<>();
        for (int b = 0; b < borrowers; b++) {
            String statement = "select " + b;
            attempts.add(Attempt.start("borrower " + b + " of " + borrowers,
                    () -> lowLevel ? borrowLowLevel(statement) : pool.withConnection(LONG, c -> work(c, statement))));
        }
        for (int done = 0; done < borrowers; done++) {
            int expected = Math.min(size, borrowers - done);
            awaitStep(attempts, expected, done, borrowers);
            turns.release(); // one of the holders (any) finishes its work and gives its connection back
            int finished = done + 1;
            try {
                await().atMost(Attempt.PATIENCE).pollInterval(Duration.ofMillis(1))
                        .until(() -> attempts.stream().filter(Attempt::ended).count() >= finished
                                || ledger.broken() != null);
            } catch (ConditionTimeoutException stuck) {
                throw new AssertionError("a borrower was told to finish its work but never came out of the pool "
                        + "(rule 5): " + describe(attempts));
            }
        }
        List<Object> results = new ArrayList<>();
        for (Attempt attempt : attempts) {
            attempt.awaitEnded("every borrower has had its turn");
            if (attempt.thrown() != null) {
                throw new AssertionError(attempt + " " + attempt.outcome() + ", but a borrower that waits "
                        + LONG.toSeconds() + " s while connections keep coming back gets one", attempt.thrown());
            }
            results.add(attempt.returned());
        }
        return results;
    }

    private Object borrowLowLevel(String statement) throws Exception {
        Connection connection = pool.acquire(LONG);
        try {
            return work(connection, statement);
        } finally {
            pool.release(connection);
        }
    }

    private String work(Connection connection, String statement) {
        ledger.took(connection);
        holding.incrementAndGet();
        try {
            turns.acquireUninterruptibly();
            return connection.execute(statement);
        } finally {
            holding.decrementAndGet();
            ledger.givingBack(connection);
        }
    }

    private void awaitStep(List<Attempt> attempts, int expected, int done, int borrowers) {
        int size = ledger.size();
        try {
            await().atMost(Attempt.PATIENCE).pollInterval(Duration.ofMillis(1)).until(() -> ledger.broken() != null
                    || holding.get() > expected
                    || attempts.stream().filter(Attempt::ended).count() > done
                    || holding.get() == expected && attempts.stream().allMatch(a -> a.ended() || a.isWaiting()));
        } catch (ConditionTimeoutException stuck) {
            throw new AssertionError(done + " of " + borrowers + " borrowers had finished, so " + expected
                    + " should hold a connection of the pool of " + size + " and the rest wait, but " + holding.get()
                    + " held one after " + Attempt.PATIENCE.toSeconds() + " s: a borrower may wait only while all "
                    + size + " connections are borrowed (rule 1). " + describe(attempts));
        }
        if (ledger.broken() != null) {
            throw new AssertionError(ledger.broken());
        }
        for (Attempt attempt : attempts) {
            if (attempt.ended() && attempt.thrown() != null) {
                throw new AssertionError(attempt + " " + attempt.outcome() + " before its turn to finish, with " + done
                        + " of " + borrowers + " borrowers done: a borrower that may wait " + LONG.toSeconds()
                        + " s gets a connection as the others give theirs back (rules 1 and 3)", attempt.thrown());
            }
        }
        if (holding.get() > expected) {
            throw new AssertionError(holding.get() + " borrowers held a connection at once from a pool of " + size
                    + " (" + done + " of " + borrowers + " had finished): at most " + size + " at once (rule 1)");
        }
    }

    private static String describe(List<Attempt> attempts) {
        StringBuilder seen = new StringBuilder("Borrowers:");
        for (Attempt attempt : attempts) {
            seen.append("\n  ").append(attempt).append(" ").append(attempt.outcome());
        }
        return seen.toString();
    }
}

package katas.semaphorepool;

import katas.testkit.Contention;

/**
 * Borrow-and-give-back as fast as threads can, from a start gate ({@link Contention}): with a connection for
 * (almost) every thread nobody parks in the pool, so the hand-out itself (the idle list) is hit by both cores
 * at once, which is what makes an unguarded list show its race. Each borrower checks the probe's own count of
 * holders, not the ledger's: a loop this tight shows the race more often.
 */
final class HandOuts {

    private HandOuts() {
    }

    /** {@code threads} threads each borrow and give back {@code calls} times with acquire and release. */
    static void run(ConnectionPool pool, int threads, int calls) throws InterruptedException {
        Contention.threads(threads).callsEach(calls).named("borrower").run((thread, call) -> {
            Connection connection = pool.acquire(Conductor.LONG);
            if (!(connection instanceof Probe probe)) {
                throw new AssertionError("acquire returned " + connection + ", which the factory never made: a "
                        + "permit found no idle connection, or the pool made its own (rules 1 and 2)");
            }
            if (probe.taken() > 1) {
                throw new AssertionError(probe + " was lent to two borrowers at once: two threads took it from the "
                        + "idle connections at the same moment (rule 1)");
            }
            probe.givenBack();
            pool.release(connection);
        });
    }
}

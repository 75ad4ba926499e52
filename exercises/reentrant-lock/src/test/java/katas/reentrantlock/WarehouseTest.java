package katas.reentrantlock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import katas.testkit.Contention;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Sneaky;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The visible tests of the warehouse: its methods call each other under its lock (rule 7), keep the stock whole
 * while threads move it around (rule 7), and give the lock back whatever goes wrong (rule 8). The audit is the
 * test's: it runs inside {@code moveStock} with the lock held, checks what it sees, and vetoes moves with every
 * kind of failure.
 */
@DisplayName("Warehouse")
@KataTest
class WarehouseTest {

    static final String NESTED = "a warehouse method called another one while holding the lock and waited for "
            + "itself (self-deadlock: the mutex is not reentrant; rules 2 and 7)";

    @Test
    @Tag("rule-7")
    @DisplayName("answers every call on one thread, its methods calling each other under the lock")
    void answersEveryCallOnOneThread(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            Stockroom room = Stockroom.draw(round, 1, 1_000);
            List<String> seenInAudit = new ArrayList<>();
            AtomicReference<Warehouse> self = new AtomicReference<>();
            Warehouse warehouse = new Warehouse(mutex, (from, to, units) -> {
                if (!mutex.isHeldByCurrentThread()) {
                    seenInAudit.add("the audit ran without the lock held (rule 7)");
                }
                if (self.get().total() != room.total()) {
                    seenInAudit.add("total() inside the audit was " + self.get().total() + ", expected "
                            + room.total() + " (the move must not have changed anything yet)");
                }
            });
            self.set(warehouse);
            int moves = round.between("moves", 1, 30);
            Random random = round.random();
            Actor.alone("forklift", "a warehouse call with no other thread around", NESTED, () -> {
                room.fill(warehouse);
                for (int i = 0; i < moves; i++) {
                    Location from = room.bins.get(random.nextInt(room.bins.size()));
                    Location to = room.bins.get(random.nextInt(room.bins.size()));
                    long held = room.expected.get(from);
                    if (held == 0) {
                        continue;
                    }
                    long units = 1 + (long) (random.nextDouble() * held);
                    warehouse.moveStock(from, to, units);
                    room.moved(from, to, units);
                }
                for (Location bin : room.bins) {
                    assertThat(warehouse.stockOf(bin)).as("rule 7: stockOf(%s) after %d moves", bin, moves)
                            .isEqualTo(room.expected.get(bin));
                }
                for (String aisle : room.aisles()) {
                    assertThat(warehouse.totalOf(aisle)).as("rule 7: totalOf(%s)", aisle)
                            .isEqualTo(room.totalOf(aisle));
                }
                assertThat(warehouse.total()).as("rule 7: total()").isEqualTo(room.total());
                assertThat(warehouse.stockOf(new Location("nowhere", "none"))).as("rule 7: an unknown bin").isZero();
                assertThat(mutex.getHoldCount()).as("rule 8: holds of the calling thread after its warehouse calls "
                        + "returned").isZero();
            });
            assertThat(seenInAudit).as("rule 7: what the audit saw inside moveStock").isEmpty();
        });
    }

    @Test
    @Tag("rule-7")
    @DisplayName("waits in every method while another thread holds the warehouse's lock")
    void waitsWhileAnotherThreadHoldsTheLock(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            Mutex mutex = new Mutex();
            Stockroom room = Stockroom.draw(round, 5, 50);
            Warehouse warehouse = new Warehouse(mutex, MoveAudit.APPROVE_ALL);
            room.fill(warehouse);
            Location from = room.bins.get(0);
            Location to = room.bins.get(room.bins.size() - 1);
            List<String> calls = round.shuffled("calls", List.of("restock", "stockOf", "totalOf", "total", "moveStock"));
            for (String call : calls) {
                mutex.lock();
                Actor actor = Actor.start("clerk-" + call, () -> {
                    switch (call) {
                        case "restock" -> warehouse.restock(to, 1);
                        case "stockOf" -> warehouse.stockOf(from);
                        case "totalOf" -> warehouse.totalOf(from.aisle());
                        case "total" -> warehouse.total();
                        default -> warehouse.moveStock(from, to, 1);
                    }
                });
                actor.awaitWaiting("rule 7: " + call + "() while another thread holds the warehouse's lock");
                boolean early = actor.isDone();
                mutex.unlock();
                assertThat(early).as("rule 7: %s() returned while another thread held the warehouse's lock: every "
                        + "method must take it", call).isFalse();
                actor.mustFinish("rule 7: " + call + "() never went on after the warehouse's lock was freed");
                actor.rethrowFailure();
            }
        });
    }

    @Test
    @Tag("rule-7")
    @Tag("rule-1")
    @DisplayName("keeps the total while threads move stock around, as seen from inside every move")
    void keepsTheTotalUnderConcurrentMoves(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            // A pause after each unlock that frees the lock: a move that lets go between its check and its change
            // is overtaken there.
            Mutex mutex = new PausingMutex(20_000);
            Stockroom room = Stockroom.draw(round, 0, 40, 2);
            int threads = round.between("threads", 3, 6);
            int moves = round.between("moves each", 100, 600);
            AtomicReference<Warehouse> self = new AtomicReference<>();
            AtomicReference<String> broken = new AtomicReference<>();
            AtomicInteger inside = new AtomicInteger();
            Warehouse warehouse = new Warehouse(mutex, (from, to, units) -> {
                if (inside.incrementAndGet() > 1) {
                    broken.compareAndSet(null, "rule 1: two moves were inside the lock at once");
                }
                long total = self.get().total();
                if (total != room.total()) {
                    broken.compareAndSet(null, "rule 7: total() inside a move was " + total + ", expected "
                            + room.total() + ": another move was half done (units in both bins or in neither)");
                }
                if (self.get().stockOf(from) < units) {
                    broken.compareAndSet(null, "rule 7: the audit was asked to approve moving " + units
                            + " units from " + from + ", which holds " + self.get().stockOf(from));
                }
                // The lock is held a moment longer: a stock check made before taking it goes stale meanwhile.
                LockSupport.parkNanos(30_000);
                inside.decrementAndGet();
            });
            self.set(warehouse);
            room.fill(warehouse);
            List<Location> bins = room.bins;
            AtomicLong refused = new AtomicLong();
            Contention.threads(threads).callsEach(moves).named("forklift").within(Duration.ofSeconds(10))
                    .run((thread, call) -> {
                        // One hot bin, kept near empty: two of every three moves take one or two units from it, the
                        // third refills it from another bin. A stock check that is not part of the move lets two
                        // moves take the same units there.
                        boolean refill = call % 3 == 0;
                        Location hot = bins.get(0);
                        Location other = bins.get((thread * 7 + call * 3) % bins.size());
                        try {
                            warehouse.moveStock(refill ? other : hot, refill ? hot : other,
                                    refill ? 1 + (thread + call) % 9 : 1 + (thread + call) % 2);
                        } catch (OutOfStockException shortOfStock) {
                            refused.incrementAndGet();
                        }
                    });
            assertThat(broken.get()).as("what the audit saw inside the moves").isNull();
            assertThat(warehouse.total()).as("rule 7: total() after %d threads x %d moves (%d refused for lack of "
                    + "stock)", threads, moves, refused.get()).isEqualTo(room.total());
            for (Location bin : bins) {
                assertThat(warehouse.stockOf(bin)).as("rule 7: stockOf(%s) after the moves", bin)
                        .isGreaterThanOrEqualTo(0);
            }
        });
    }

    @Test
    @Tag("rule-7")
    @DisplayName("moves as one step: another move that gets the lock as soon as it is free cannot take the same units")
    void movesAsOneStep(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            OvertakingMutex mutex = new OvertakingMutex();
            Stockroom room = Stockroom.draw(round, 1, 500, 2);
            Location from = room.bins.get(0);
            Location to = room.bins.get(room.bins.size() - 1);
            Location rival = room.bins.get(round.between("rival's bin", 1, room.bins.size() - 1));
            long units = room.expected.get(from);
            List<String> seen = new ArrayList<>();
            AtomicReference<Warehouse> self = new AtomicReference<>();
            Warehouse warehouse = new Warehouse(mutex, (f, t, u) -> {
                long held = self.get().stockOf(f);
                if (held < u) {
                    seen.add("the audit was asked to approve moving " + u + " units from " + f + ", which holds "
                            + held + ": the stock was checked under another hold than the move's, and a move of "
                            + "another thread took the units in between");
                }
            });
            self.set(warehouse);
            room.fill(warehouse);
            boolean[] rivalMoved = {false};
            Actor.alone("picker", "moveStock on one thread", NESTED, () -> {
                // As soon as this move first frees the lock, a rival move of all the same units runs to its end.
                mutex.overtake(Thread.currentThread(), () -> {
                    try {
                        warehouse.moveStock(from, rival, units);
                        rivalMoved[0] = true;
                    } catch (OutOfStockException refused) {
                        // the first move was done: nothing left to take
                    }
                });
                try {
                    warehouse.moveStock(from, to, units);
                } catch (OutOfStockException refused) {
                    // the rival came first, and this move saw it under its own hold: fine
                }
            });
            assertThat(seen).as("rule 7: what the audit saw").isEmpty();
            assertThat(warehouse.stockOf(from)).as("rule 7: %s held %d units, and two moves of %d each were asked for "
                    + "(the second %s): one of them must be refused", from, units, units, rivalMoved[0]
                    ? "overtook the first between its check and its change" : "came after the first").isZero();
            assertThat(warehouse.total()).as("rule 7: total() after two moves").isEqualTo(room.total());
        });
    }

    @Test
    @Tag("rule-8")
    @DisplayName("gives the lock back when a move fails, whatever the failure, and changes nothing")
    void givesTheLockBackWhenAMoveFails(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            Stockroom room = Stockroom.draw(round, 1, 100);
            List<Throwable> vetoes = round.shuffled("the audit's vetoes, one of each kind", List.of(
                    round.failure("runtime veto", "move not approved: bin under inventory count", 0),
                    round.failure("error veto", "move not approved: scanner lost", 1),
                    round.failure("checked veto", "move not approved: bin blocked for inspection", 2)));
            Throwable[] veto = {null};
            Warehouse warehouse = new Warehouse(mutex, (from, to, units) -> {
                if (veto[0] == null) {
                    throw new AssertionError("rule 7: the audit was asked about a move of " + units + " units that the "
                            + "stock of " + from + " does not cover: check the stock first, then ask the audit");
                }
                throw Sneaky.raise(veto[0]);
            });
            int heldBefore = round.between("holds of the caller before the calls", 0, 2);
            Location from = room.bins.get(0);
            Location to = room.bins.get(room.bins.size() - 1);
            Actor.alone("auditor", "a warehouse call on one thread", NESTED, () -> {
                room.fill(warehouse);
                MutexTest.lockTimes(mutex, heldBefore);
                long held = room.expected.get(from);
                try {
                    warehouse.moveStock(from, to, held + 1);
                    throw new AssertionError("rule 8: moveStock of " + (held + 1) + " units from a bin of " + held
                            + " did not throw OutOfStockException");
                } catch (OutOfStockException expected) {
                    assertThat(expected.getMessage()).as("rule 8: the message of OutOfStockException names the bin")
                            .contains(from.aisle() + "/" + from.bin());
                    assertThat(mutex.getHoldCount()).as("rule 8: the caller's holds after moveStock threw "
                            + "OutOfStockException (it held %d before)", heldBefore).isEqualTo(heldBefore);
                }
                for (Throwable each : vetoes) {
                    veto[0] = each;
                    try {
                        warehouse.moveStock(from, to, held);
                        throw new AssertionError("rule 8: moveStock returned although the audit vetoed it");
                    } catch (Throwable thrown) {
                        assertThat(thrown).as("rule 8: what moveStock threw when the audit threw %s: the audit's "
                                + "failure passed on as it is, not wrapped", each).isSameAs(each);
                        assertThat(mutex.getHoldCount()).as("rule 8: the caller's holds after the audit threw %s in "
                                + "moveStock (it held %d before)", each.getClass().getSimpleName(), heldBefore)
                                .isEqualTo(heldBefore);
                    }
                }
                for (int i = 0; i < heldBefore; i++) {
                    mutex.unlock();
                }
            });
            Actor.alone("next-shift", "a move by another thread after the failed ones", "the failed moves left "
                    + "the warehouse's lock held (rule 8: release it in finally)", () -> {
                        assertThat(mutex.tryLock(0, TimeUnit.SECONDS)).as("rule 8: the warehouse's lock is free after "
                                + "failed moves").isTrue();
                        mutex.unlock();
                        assertThat(warehouse.total()).as("rule 8: total() after failed moves changed nothing")
                                .isEqualTo(room.total());
                        assertThat(warehouse.stockOf(from)).as("rule 8: stockOf(%s) after failed moves", from)
                                .isEqualTo(room.expected.get(from));
                    });
        });
    }
}

package katas.reentrantlock;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import katas.testkit.Contention;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Sneaky;
import katas.testkit.Watch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: the warehouse with many threads. Moves race for one bin while the audit holds the lock a little
 * longer (so that a stock check made outside the lock is stale by the time the move happens), readers watch the
 * total while movers work, and audits veto moves with every kind of failure (rules 7 and 8).
 */
@DisplayName("Warehouse under contention")
@KataTest
class WarehouseStressTest {

    @Test
    @Tag("rule-7")
    @DisplayName("never moves more than a bin holds when many moves race for it")
    void neverOverdrawsABin(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            Location busy = new Location("A" + round.between("aisle", 1, 40), "pick-face");
            Location overflow = new Location("B" + round.between("overflow aisle", 1, 40), "reserve");
            long stock = round.between("units in the busy bin", 5, 60);
            int threads = round.between("threads", 3, 8);
            AtomicReference<String> broken = new AtomicReference<>();
            AtomicReference<Warehouse> self = new AtomicReference<>();
            Warehouse warehouse = new Warehouse(mutex, (from, to, units) -> {
                long held = self.get().stockOf(from);
                if (held < units) {
                    broken.compareAndSet(null, "the audit was asked to approve moving " + units + " units from "
                            + from + ", which holds " + held + ": the stock was checked before the move took the "
                            + "lock, and another move emptied the bin meanwhile");
                }
                LockSupport.parkNanos(50_000); // the lock is held a while: checks made outside it go stale
            });
            self.set(warehouse);
            warehouse.restock(busy, stock);
            AtomicLong moved = new AtomicLong();
            Contention.threads(threads).callsEach((int) stock).named("picker").within(Duration.ofSeconds(10))
                    .run((thread, call) -> {
                        try {
                            warehouse.moveStock(busy, overflow, 1 + (thread + call) % 2);
                            moved.addAndGet(1 + (thread + call) % 2);
                        } catch (OutOfStockException empty) {
                            // expected once the bin runs low
                        }
                    });
            assertThat(broken.get()).as("rule 7: what the audit saw").isNull();
            assertThat(warehouse.stockOf(busy)).as("rule 7: the busy bin after %d threads moved from it", threads)
                    .isBetween(0L, 1L).isEqualTo(stock - moved.get());
            assertThat(warehouse.total()).as("rule 7: total() after the moves").isEqualTo(stock);
        });
    }

    @Test
    @Tag("rule-7")
    @DisplayName("shows readers the same total at every instant while movers work")
    void showsReadersTheSameTotal(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            Mutex mutex = new PausingMutex(10_000);
            Stockroom room = Stockroom.draw(round, 10, 200, 2);
            int movers = round.between("movers", 1, 4);
            int readers = round.between("readers", 1, 3);
            int calls = round.between("calls each", 300, 1_500);
            // Each move holds the lock a moment: a total() that reads the aisles under separate holds is then
            // caught between two of them.
            Warehouse warehouse = new Warehouse(mutex, (from, to, units) -> LockSupport.parkNanos(20_000));
            room.fill(warehouse);
            long total = room.total();
            List<Location> bins = room.bins;
            AtomicReference<String> seen = new AtomicReference<>();
            try (Watch watch = Watch.of("rule 7: every total() read while stock moves equals the stock",
                    seen::get)) {
                Contention.threads(movers + readers).callsEach(calls).named("floor").within(Duration.ofSeconds(10))
                        .run((thread, call) -> {
                            if (thread < movers) {
                                Location from = bins.get((thread * 5 + call) % bins.size());
                                Location to = bins.stream().filter(b -> !b.aisle().equals(from.aisle()))
                                        .skip(call % 3).findFirst().orElse(bins.get(0));
                                try {
                                    warehouse.moveStock(from, to, 1 + call % 7);
                                } catch (OutOfStockException low) {
                                    // a bin ran low: nothing moved
                                }
                            } else {
                                long read = warehouse.total();
                                if (read != total) {
                                    seen.compareAndSet(null, "total() returned " + read + " while the warehouse "
                                            + "holds " + total + ": it read a move half done (units in both bins "
                                            + "or in neither)");
                                }
                            }
                        });
            }
            assertThat(warehouse.total()).as("rule 7: total() after the moves").isEqualTo(total);
        });
    }

    @Test
    @Tag("rule-8")
    @Tag("rule-7")
    @DisplayName("gives the lock back after every vetoed move, of every kind, while other threads wait for it")
    void givesTheLockBackAfterVetoes(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            Stockroom room = Stockroom.draw(round, 20, 100);
            int threads = round.between("threads", 2, 6);
            int calls = round.between("calls each", 50, 300);
            int vetoEvery = round.between("a veto every n-th move", 2, 5);
            int withinEvery = round.between("a move within one bin every n-th call", 2, 4);
            Throwable[] vetoes = {
                round.failure("veto 0", "cycle count in progress", 0),
                round.failure("veto 1", "scanner offline", 1),
                round.failure("veto 2", "bin blocked for inspection", 2)};
            AtomicLong approved = new AtomicLong();
            // What the audit was asked on each thread: how many times, and what it threw the last time.
            ThreadLocal<long[]> asked = ThreadLocal.withInitial(() -> new long[1]);
            ThreadLocal<Throwable[]> vetoed = ThreadLocal.withInitial(() -> new Throwable[1]);
            Warehouse warehouse = new Warehouse(mutex, (from, to, units) -> {
                asked.get()[0]++;
                vetoed.get()[0] = null;
                long n = approved.incrementAndGet();
                if (n % vetoEvery == 0) {
                    vetoed.get()[0] = vetoes[(int) (n / vetoEvery % 3)];
                    throw Sneaky.raise(vetoes[(int) (n / vetoEvery % 3)]);
                }
            });
            room.fill(warehouse);
            List<Location> bins = room.bins;
            Contention.threads(threads).callsEach(calls).named("mover").within(Duration.ofSeconds(10))
                    .run((thread, call) -> {
                        Location from = bins.get((thread * 3 + call) % bins.size());
                        // A move within one bin now and then: it changes nothing, but it is a move all the same
                        // (the lock, the stock check, the audit).
                        boolean within = call % withinEvery == thread % withinEvery;
                        Location to = within ? from : bins.get((thread + call * 7) % bins.size());
                        long units = 1 + call % 4;
                        int before = call % 3 == 0 ? 1 : 0;
                        if (before == 1) {
                            mutex.lock(); // a caller that already holds the lock: its hold must survive the failure
                        }
                        long askedBefore = asked.get()[0];
                        vetoed.get()[0] = null;
                        Throwable thrown = null;
                        try {
                            warehouse.moveStock(from, to, units);
                        } catch (OutOfStockException | IllegalStateException | Shapes.KataError e) {
                            thrown = e;
                        } catch (Exception checked) {
                            thrown = checked;
                        }
                        int holds = mutex.getHoldCount();
                        String move = "moveStock(" + from + ", " + to + ", " + units + ")" + (within ? " (a move "
                                + "within one bin)" : "");
                        if (!(thrown instanceof OutOfStockException) && asked.get()[0] == askedBefore) {
                            if (before == 1) {
                                mutex.unlock();
                            }
                            throw new AssertionError("rule 7: " + move + (thrown == null ? " returned"
                                    : " threw " + thrown) + " without asking the audit: a move, also one within "
                                    + "one bin, is the stock check, the audit and then the change");
                        }
                        Throwable veto = vetoed.get()[0];
                        if (veto != null && thrown != veto) {
                            if (before == 1) {
                                mutex.unlock();
                            }
                            throw new AssertionError("rule 8: the audit vetoed " + move + " with " + veto + ", and "
                                    + "moveStock " + (thrown == null ? "returned" : "threw " + thrown) + ": what the "
                                    + "audit throws is passed on as it is");
                        }
                        if (before == 1) {
                            mutex.unlock();
                        }
                        if (holds != before) {
                            throw new AssertionError("rule 8: a thread that held the lock " + before + " times called "
                                    + "moveStock, which " + (thrown == null ? "returned" : "threw " + thrown)
                                    + ", and then held it " + holds + " times: release it in finally");
                        }
                    });
            Actor.alone("night-audit", "total() after the vetoes", "a vetoed move left the lock held (rule 8)", () -> {
                assertThat(mutex.tryLock(0, TimeUnit.SECONDS)).as("rule 8: the lock is free after the moves")
                        .isTrue();
                mutex.unlock();
                assertThat(warehouse.total()).as("rule 8: total() after moves of which every %d-th was vetoed",
                        vetoEvery).isEqualTo(room.total());
            });
        });
    }

    @Test
    @Tag("rule-8")
    @DisplayName("gives the lock back when a restock or a move overflows a bin or a count is below one, and changes nothing")
    void givesTheLockBackWhenArgumentsAreWrong(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            Mutex mutex = new Mutex();
            AtomicLong audited = new AtomicLong();
            Warehouse warehouse = new Warehouse(mutex, (from, to, units) -> {
                audited.incrementAndGet();
                if (units < 1) {
                    throw new AssertionError("rule 7: the audit was asked to approve a move of " + units + " units: "
                            + "a count below one is refused before anything else");
                }
            });
            Location bin = new Location("Z" + round.between("aisle", 1, 9), "bulk");
            Location other = new Location("Z0", "floor");
            long huge = round.between("units near the limit", Long.MAX_VALUE - 1_000, Long.MAX_VALUE);
            long more = round.between("units more than fit", Long.MAX_VALUE - huge + 1, Long.MAX_VALUE);
            long notAUnit = round.oneOf("units below one", 0L, -1L, Long.MIN_VALUE);
            // Moves within the full bin, of all its units and of amounts drawn from the whole range: each changes
            // nothing, so none overflows it (a move that adds before it takes would).
            List<Long> within = round.shuffled("units moved within the full bin", List.of(huge,
                    round.between("some of its units", 1L, huge), round.between("many of its units", huge / 2, huge),
                    round.between("a few of its units", 1L, 1_000L)));
            Actor.alone("receiving", "warehouse calls on one thread", WarehouseTest.NESTED, () -> {
                warehouse.restock(bin, huge);
                for (long units : within) {
                    long asked = audited.get();
                    try {
                        warehouse.moveStock(bin, bin, units);
                    } catch (ArithmeticException overflow) {
                        throw new AssertionError("rule 7: a move of " + units + " units within one bin of " + huge
                                + " threw " + overflow + ": a move within one bin changes nothing, so it fills no "
                                + "bin past Long.MAX_VALUE (add before you take, and the bin overflows on the way)",
                                overflow);
                    }
                    assertThat(audited.get()).as("rule 7: audits asked by a move of %d units within one bin of %d "
                            + "(a move within one bin is a move: the check, the audit, the change)", units, huge)
                            .isEqualTo(asked + 1);
                    assertThat(warehouse.stockOf(bin)).as("rule 7: a bin of %d after a move of %d units within it",
                            huge, units).isEqualTo(huge);
                    assertThat(mutex.getHoldCount()).as("rule 8: holds after a move within one bin").isZero();
                }
                // A move within one bin of more than it holds is refused like any other: the stock check comes
                // first, before the audit (red team N: one that only asks the audit got through a seed in three).
                Location small = new Location("Y" + round.between("the small bin's aisle", 1, 9), "shelf");
                long few = round.oneOf("units in the small bin", 0L, round.between("a few units", 1L, 1_000L));
                if (few > 0) {
                    warehouse.restock(small, few);
                }
                long tooMany = round.oneOf("units moved within the small bin, more than it holds", few + 1,
                        round.between("many more units", few + 2, Long.MAX_VALUE));
                long askedBefore = audited.get();
                try {
                    warehouse.moveStock(small, small, tooMany);
                    throw new AssertionError("rule 7: a move of " + tooMany + " units within a bin of " + few
                            + " returned: a move within one bin is a move all the same, and its stock check comes "
                            + "first (OutOfStockException, before the audit is asked)");
                } catch (OutOfStockException expected) {
                    assertThat(mutex.getHoldCount()).as("rule 8: holds after a move within one bin threw "
                            + "OutOfStockException").isZero();
                }
                assertThat(audited.get()).as("rule 7: audits asked by a move of %d units within a bin of %d (the "
                        + "stock check comes before the audit)", tooMany, few).isEqualTo(askedBefore);
                assertThat(warehouse.stockOf(small)).as("rule 7: a bin of %d after a refused move of %d units "
                        + "within it", few, tooMany).isEqualTo(few);
                warehouse.restock(other, 1);
                try {
                    warehouse.restock(bin, more);
                    throw new AssertionError("rule 8: restock of " + more + " units onto " + huge + " returned "
                            + "(it must throw ArithmeticException: the bin cannot hold more than Long.MAX_VALUE)");
                } catch (ArithmeticException expected) {
                    assertThat(mutex.getHoldCount()).as("rule 8: holds after restock threw ArithmeticException")
                            .isZero();
                }
                for (String call : List.of("restock", "moveStock")) {
                    try {
                        if (call.equals("restock")) {
                            warehouse.restock(other, notAUnit);
                        } else {
                            warehouse.moveStock(other, bin, notAUnit);
                        }
                        throw new AssertionError("rule 7: " + call + " of " + notAUnit + " units returned; it must "
                                + "throw IllegalArgumentException");
                    } catch (IllegalArgumentException expected) {
                        assertThat(mutex.getHoldCount()).as("rule 8: holds after %s threw "
                                + "IllegalArgumentException", call).isZero();
                    }
                }
                long spare = round.between("units moved onto the full bin", 1_001L, Long.MAX_VALUE - 1);
                Location source = new Location("Z0", "dock");
                warehouse.restock(source, spare);
                try {
                    warehouse.moveStock(source, bin, spare);
                    throw new AssertionError("rule 8: a move of " + spare + " units onto a bin of " + huge
                            + " returned (it must throw ArithmeticException: the bin cannot hold more than "
                            + "Long.MAX_VALUE)");
                } catch (ArithmeticException expected) {
                    assertThat(mutex.getHoldCount()).as("rule 8: holds after moveStock threw ArithmeticException")
                            .isZero();
                }
                assertThat(warehouse.stockOf(source)).as("rule 8: the source bin after a move that overflowed its "
                        + "target: a failed move changes nothing (units taken before the target overflowed are "
                        + "lost)").isEqualTo(spare);
                assertThat(warehouse.stockOf(bin)).as("rule 8: a failed restock changed nothing").isEqualTo(huge);
                assertThat(warehouse.stockOf(other)).as("rule 7: a move of %d units changed nothing", notAUnit)
                        .isEqualTo(1);
            });
            Actor.alone("dispatch", "stockOf() on another thread", "the failed calls left the lock held (rule 8)",
                    () -> assertThat(warehouse.stockOf(bin)).isEqualTo(huge));
        });
    }

    @Test
    @Tag("rule-7")
    @DisplayName("waits in every method while another thread holds the lock, for bins and aisles it has or not, and "
            + "an interrupt does not stop the wait")
    void waitsInEveryMethodForEveryBin(Shapes shapes) throws Exception {
        // A method that answers some calls without the lock (an aisle it does not have "holds nothing", an empty
        // warehouse "totals 0") reads the map while other threads change it, and does not wait while another
        // thread holds the lock to keep the stock still. A method that takes the lock with a timeout, or
        // interruptibly, gives up where it must wait: an interrupt does not stop lock(), nor a warehouse call.
        shapes.check(2, round -> {
            Mutex mutex = new Mutex();
            boolean empty = round.chance("an empty warehouse", 0.3);
            Stockroom room = Stockroom.draw(round, 5, 50);
            Warehouse warehouse = new Warehouse(mutex, MoveAudit.APPROVE_ALL);
            if (!empty) {
                room.fill(warehouse);
            }
            Location known = room.bins.get(0);
            Location newBin = new Location(known.aisle(), "new-" + round.between("new bin", 1, 99));
            // Two aisles it does not have: one only asked about (it stays unknown), one that a restock and a move
            // bring in.
            int n = round.between("new aisle", 1, 99);
            Location newAisle = new Location("N" + n + "-unknown", "floor-1");
            Location incoming = new Location("N" + n + "-incoming", "floor-1");
            String where = empty ? " of an empty warehouse" : "";
            List<String> calls = round.shuffled("calls", List.of(
                    "stockOf(a bin of the layout)", "stockOf(a new bin of an aisle of the layout)",
                    "stockOf(a bin of an aisle it does not have)", "totalOf(an aisle of the layout)",
                    "totalOf(an aisle it does not have)", "total()", "restock(a bin of the layout)",
                    "restock(a bin of an aisle it does not have)", "moveStock(into an aisle it does not have)",
                    "moveStock(within a bin of the layout)", "moveStock(within a bin of an aisle it does not have)"));
            long withinUnits = round.between("units moved within a bin", 1L, 60L);
            int surely = round.between("the call surely interrupted", 0, calls.size() - 1);
            for (int i = 0; i < calls.size(); i++) {
                String which = calls.get(i);
                String call = which + where;
                boolean interrupt = i == surely || round.chance("interrupt " + which, 0.4);
                boolean[] interruptKept = {false};
                mutex.lock();
                Actor clerk = Actor.start("clerk-" + i, () -> {
                    try {
                        switch (which) {
                            case "stockOf(a bin of the layout)" -> warehouse.stockOf(known);
                            case "stockOf(a new bin of an aisle of the layout)" -> warehouse.stockOf(newBin);
                            case "stockOf(a bin of an aisle it does not have)" -> warehouse.stockOf(newAisle);
                            case "totalOf(an aisle of the layout)" -> warehouse.totalOf(known.aisle());
                            case "totalOf(an aisle it does not have)" -> warehouse.totalOf(newAisle.aisle());
                            case "total()" -> warehouse.total();
                            case "restock(a bin of the layout)" -> warehouse.restock(known, 1);
                            case "restock(a bin of an aisle it does not have)" -> warehouse.restock(incoming, 1);
                            case "moveStock(within a bin of the layout)" -> warehouse.moveStock(known, known,
                                    withinUnits);
                            case "moveStock(within a bin of an aisle it does not have)" -> warehouse.moveStock(
                                    newAisle, newAisle, withinUnits);
                            default -> warehouse.moveStock(known, incoming, 1);
                        }
                    } catch (OutOfStockException nothingThere) {
                        // a move out of a bin that is empty (or not there): refused, under the lock
                    }
                    interruptKept[0] = Thread.currentThread().isInterrupted();
                });
                clerk.awaitWaiting("rule 7: " + call + " while another thread holds the warehouse's lock");
                boolean early = clerk.isDone();
                if (interrupt && !early) {
                    clerk.thread().interrupt();
                    early = clerk.awaitDone(Duration.ofMillis(20));
                }
                mutex.unlock();
                if (early) {
                    throw new AssertionError("rule 7: " + call + " " + (clerk.thrown() == null ? "returned"
                            : "threw " + clerk.thrown()) + " while another thread held the warehouse's lock"
                            + (interrupt ? " (its thread was interrupted meanwhile)" : "") + ": every "
                            + "method takes the lock and waits for it, whatever it is asked about"
                            + (interrupt ? ", and an interrupt does not stop that wait (like lock())" : ""));
                }
                clerk.mustFinish("rule 7: " + call + " never went on after the warehouse's lock was freed");
                if (clerk.thrown() != null) {
                    throw new AssertionError("rule 7: " + call + (interrupt ? ", interrupted while it waited for "
                            + "the warehouse's lock," : "") + " threw " + clerk.thrown() + " once the lock was "
                            + "freed: a warehouse call waits as long as the lock is held"
                            + (interrupt ? ", and an interrupt does not stop that wait (like lock())" : ""),
                            clerk.thrown());
                }
                if (interrupt) {
                    assertThat(interruptKept[0]).as("rule 7: %s, interrupted while it waited for the warehouse's "
                            + "lock, returned with the interrupt cleared: like lock(), it waits on and keeps the "
                            + "interrupt", call).isTrue();
                }
            }
        });
    }
}

package katas.readwritecache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The visible tests of read-write-cache, one or more per rule of the README. The cache gets a {@link SeenLock} (the
 * JDK's read-write lock, which tells who holds it and who waits for it), a {@link Store} that counts and holds loads,
 * and {@link Key}s whose hash code reports from inside the lock. Calls that may wait run on threads of their own
 * ({@link Call}); nothing is judged by a clock.
 */
@DisplayName("ReadWriteCache")
@KataTest
class ReadWriteCacheTest {

    /** A fresh cache on a fresh lock, fair or not as the shape says. */
    static ReadWriteCache<Key, String> cache(Store store, SeenLock lock) {
        return new ReadWriteCache<>(store, lock);
    }

    static SeenLock lock(Shapes shapes) {
        return new SeenLock(shapes.chance("fair lock", 0.5));
    }

    /** Names of keys, not in any order a cache could lean on. */
    static List<Key> keys(Shapes shapes, String prefix, int count, boolean oneHash) {
        List<Key> keys = new ArrayList<>();
        int shared = shapes.random().nextInt();
        for (int i = 0; i < count; i++) {
            String name = prefix + (i * 7 + 3);
            keys.add(new Key(name, oneHash ? shared : name.hashCode(), Key.Hook.NONE));
        }
        return shapes.shuffled(prefix + " keys", keys);
    }

    @Nested
    @DisplayName("on one thread")
    class OnOneThread {

        @Test
        @Tag("rule-1")
        @Tag("rule-2")
        @DisplayName("keeps what it loaded or was given, forgets what was invalidated, and counts and copies what it holds")
        void behavesLikeAMapInFrontOfTheStore(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                SeenLock lock = lock(round);
                Store store = new Store(lock);
                ReadWriteCache<Key, String> cache = cache(store, lock);
                List<Key> keys = keys(round, "k", round.between("keys", 2, 11), round.chance("one hash code", 0.3));
                int steps = round.between("steps", 60, 260);
                Random random = round.random();
                Call<Void> run = Call.start("a lone thread's gets, puts and invalidations", lock, () -> {
                    Map<String, String> model = new HashMap<>();
                    List<String> done = new ArrayList<>();
                    for (int step = 0; step < steps; step++) {
                        Key key = keys.get(random.nextInt(keys.size()));
                        int dice = random.nextInt(20);
                        if (dice < 11) {
                            String expected = model.containsKey(key.name()) ? model.get(key.name())
                                    : Store.value(key.name(), store.loads(key.name()) + 1);
                            String got = cache.get(key.with(Key.Hook.NONE));
                            done.add("get(" + key + ")=" + got);
                            assertThat(got).as("get(%s) after %s (rule 1: a kept value, or one new load)", key,
                                    tail(done)).isEqualTo(expected);
                            model.put(key.name(), got);
                        } else if (dice < 15) {
                            String value = key + "=put" + step;
                            cache.put(key, value);
                            done.add("put(" + key + "," + value + ")");
                            model.put(key.name(), value);
                        } else if (dice < 18) {
                            cache.invalidate(key);
                            done.add("invalidate(" + key + ")");
                            model.remove(key.name());
                        } else {
                            assertThat(cache.size()).as("size() after %s (rule 1)", tail(done)).isEqualTo(model.size());
                            Map<String, String> copy = new HashMap<>();
                            cache.snapshot().forEach((k, v) -> copy.put(k.name(), v));
                            assertThat(copy).as("snapshot() after %s (rule 1)", tail(done)).isEqualTo(model);
                        }
                        assertThat(lock.free()).as("the lock after %s (rule 2: every call gives it back)",
                                tail(done)).isTrue();
                    }
                    return null;
                });
                run.awaitEndedAlone("gets, puts and invalidations on one thread must never wait");
                if (run.thrown() instanceof AssertionError wrong) {
                    throw new AssertionError(wrong.getMessage(), wrong);
                }
                run.value("");
            });
        }
    }

    @Nested
    @DisplayName("the lock")
    class TheLock {

        /** How many looks in a row must find every reader inside, queued or done before the test stops waiting. */
        private static final int SETTLED_LOOKS = 200;

        @Test
        @Tag("rule-2")
        @DisplayName("lets gets of kept values hold the read lock together")
        void readersShareTheReadLock(Shapes shapes) throws Exception {
            shapes.check(Integer.getInteger("rwc.rounds", 3), round -> {
                SeenLock lock = lock(round);
                Store store = new Store(lock);
                ReadWriteCache<Key, String> cache = cache(store, lock);
                List<Key> kept = keys(round, "kept", round.between("kept keys", 1, 5), false);
                kept.forEach(key -> cache.put(key, key + "=v"));
                int readers = round.between("readers", 2, 7);
                AtomicInteger inside = new AtomicInteger();
                AtomicInteger most = new AtomicInteger();
                AtomicInteger hashedWithoutTheReadLock = new AtomicInteger();
                CountDownLatch leave = new CountDownLatch(1);
                // Holds each reader where the cache hashes the key, as long as its thread holds the read lock.
                Key.Hook holdReaders = key -> {
                    if (lock.getReadHoldCount() > 0 && leave.getCount() > 0) {
                        most.accumulateAndGet(inside.incrementAndGet(), Math::max);
                        try {
                            leave.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            inside.decrementAndGet();
                        }
                    } else if (lock.getReadHoldCount() == 0) {
                        hashedWithoutTheReadLock.incrementAndGet();
                    }
                };
                List<Call<String>> calls = new ArrayList<>();
                for (int r = 0; r < readers; r++) {
                    Key key = kept.get(r % kept.size()).with(holdReaders);
                    calls.add(Call.start("get(" + key + ") #" + r, lock, () -> cache.get(key)));
                }
                // Wrong code ends this loop early (every reader inside, queued or done); only readers that have not
                // run yet keep it going, so a long bound costs nothing but spares a crowded machine a false failure.
                long deadline = System.nanoTime() + Call.PATIENCE.multipliedBy(4).toNanos();
                int settledLooks = 0;
                while (most.get() < readers && System.nanoTime() < deadline) {
                    int settled = inside.get() + (int) calls.stream()
                            .filter(c -> c.ended() || lock.hasQueuedThread(c.thread())).count();
                    // Every reader inside, queued for the lock or done, look after look: no more will come in. (A
                    // reader can pass through the lock's queue for a moment on its way in: one look is not enough.)
                    settledLooks = settled >= readers ? settledLooks + 1 : 0;
                    if (settledLooks >= SETTLED_LOOKS) {
                        break;
                    }
                    LockSupport.parkNanos(50_000);
                }
                int together = most.get();
                leave.countDown();
                for (int r = 0; r < readers; r++) {
                    assertThat(calls.get(r).value("a get of a kept value")).as("what %s returned", calls.get(r))
                            .isEqualTo(kept.get(r % kept.size()) + "=v");
                }
                assertThat(together).as("how many of %d gets of kept values held the read lock at the same moment "
                        + "while looking the key up (rule 2: readers share the read lock; 0 means none held the "
                        + "read lock, 1 that they took turns; %d lookups without the read lock)", readers,
                        hashedWithoutTheReadLock.get()).isEqualTo(readers);
            });
        }

        @Test
        @Tag("rule-2")
        @DisplayName("makes gets, size and snapshot wait for a writer, and puts and invalidations wait for readers")
        void readersWaitForAWriterAndWritersForReaders(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                SeenLock lock = lock(round);
                Store store = new Store(lock);
                ReadWriteCache<Key, String> cache = cache(store, lock);
                List<Key> kept = keys(round, "kept", round.between("kept keys", 2, 6), false);
                kept.forEach(key -> cache.put(key, key + "=v"));
                Key some = kept.get(0);
                Key other = kept.get(1);

                lock.writeLock().lock();
                List<Call<?>> reads;
                try {
                    reads = round.shuffled("reads", List.of("get", "size", "snapshot")).stream()
                            .<Call<?>>map(read -> switch (read) {
                                case "get" -> Call.start("get(" + some + ")", lock, () -> cache.get(some));
                                case "size" -> Call.start("size()", lock, cache::size);
                                default -> Call.start("snapshot()", lock, cache::snapshot);
                            }).toList();
                    for (Call<?> read : reads) {
                        read.awaitQueued("a read takes the read lock, so it waits while a writer (the test) holds "
                                + "the write lock; without it, it reads entries in the middle of a change (rule 2)");
                    }
                } finally {
                    lock.writeLock().unlock();
                }
                for (Call<?> read : reads) {
                    read.value("the writer let the lock go");
                }

                // The test holds the read lock and nobody else uses the cache: a read that queues for the lock now
                // asked for the write lock, and would wait for as long as the test reads.
                lock.readLock().lock();
                try {
                    for (String read : round.shuffled("reads beside a reader", List.of("get", "size", "snapshot"))) {
                        Call<?> call = switch (read) {
                            case "get" -> Call.start("get(" + other + ") while another reader holds the read lock",
                                    lock, () -> cache.get(other));
                            case "size" -> Call.start("size() while another reader holds the read lock", lock,
                                    cache::size);
                            default -> Call.start("snapshot() while another reader holds the read lock", lock,
                                    cache::snapshot);
                        };
                        call.awaitEndedBesideAReader("get, size() and snapshot() are reads: they take the read lock, "
                                + "which readers share, so a read ends while another reader (the test) holds it "
                                + "(rule 2)");
                        call.value("");
                    }
                } finally {
                    lock.readLock().unlock();
                }
                // One write at a time: a writer already queued would make any later call wait, right or wrong.
                for (String write : round.shuffled("writes", List.of("put", "invalidate"))) {
                    lock.readLock().lock();
                    Call<Void> call;
                    try {
                        call = Call.start(write + "(" + (write.equals("put") ? some : other) + ")", lock, () -> {
                            if (write.equals("put")) {
                                cache.put(some, some + "=new");
                            } else {
                                cache.invalidate(other);
                            }
                            return null;
                        });
                        call.awaitQueued("a " + write + " takes the write lock, so it waits while a reader (the "
                                + "test) holds the read lock; under the read lock it would change the map while "
                                + "others read it (rule 2)");
                    } finally {
                        lock.readLock().unlock();
                    }
                    call.value("the reader let the lock go");
                }
                assertThat(cache.get(some)).as("get(%s) after put (rule 1)", some).isEqualTo(some + "=new");
                assertThat(cache.snapshot()).as("snapshot() after invalidate(%s) (rule 1)", other)
                        .doesNotContainKey(other).hasSize(kept.size() - 1);
            });
        }

        @Test
        @Tag("rule-2")
        @DisplayName("gives the lock back when a key throws from its hash code, and works on")
        void givesTheLockBackWhenAKeyThrows(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                SeenLock lock = lock(round);
                Store store = new Store(lock);
                ReadWriteCache<Key, String> cache = cache(store, lock);
                Key kept = Key.of("kept5");
                cache.put(kept, "kept5=v");
                Throwable failure = round.failure("failure", "the key's hash code broke");
                for (String call : round.shuffled("calls", List.of("get of a kept key", "get of a missing key", "put",
                        "invalidate"))) {
                    // The first hash call is the first look, the second the change after it (if the call makes one).
                    for (int throwOn = 1; throwOn <= 2; throwOn++) {
                        int on = throwOn;
                        AtomicInteger hashes = new AtomicInteger();
                        Key.Hook breaking = key -> {
                            if (hashes.incrementAndGet() == on) {
                                throw katas.testkit.Sneaky.raise(failure);
                            }
                        };
                        Key broken = (call.equals("get of a missing key") ? Key.of("miss" + on) : kept).with(breaking);
                        Call<Object> attempt = Call.start(call + ", the key throwing on hash call #" + on, lock, () -> {
                            switch (call) {
                                case "put" -> cache.put(broken, "kept5=v");
                                case "invalidate" -> cache.invalidate(broken);
                                default -> {
                                    return cache.get(broken);
                                }
                            }
                            return null;
                        });
                        attempt.awaitEndedAlone("a call whose key throws ends");
                        assertThat(lock.holders()).as("the cache's lock after %s (rule 2: unlock in finally)", attempt)
                                .isEqualTo("free");
                        cache.put(kept, "kept5=v");
                    }
                }
                Call<String> after = Call.start("get(miss9) after it", lock, () -> cache.get(Key.of("miss9")));
                assertThat(after.awaitEndedAlone("the cache works on").value("")).isEqualTo("miss9#1");
            });
        }
    }

    @Nested
    @DisplayName("under a stampede")
    class Stampede {

        @Test
        @Tag("rule-3")
        @DisplayName("loads a missing key once however many threads ask for it at the same moment")
        void loadsEachKeyOnceUnderAStampede(Shapes shapes) throws Exception {
            shapes.check(4, round -> {
                SeenLock lock = lock(round);
                Store store = new Store(lock);
                ReadWriteCache<Key, String> cache = cache(store, lock);
                List<Key> keys = keys(round, "hot", round.between("keys", 1, 3), round.chance("one hash code", 0.3));
                int threads = round.between("threads", keys.size() + 2, 9);
                List<Store.Step> loads = keys.stream().map(k -> store.hold(k.name())).toList();
                CountDownLatch go = new CountDownLatch(1);
                List<AtomicBoolean> asked = new ArrayList<>();
                List<Call<String>> calls = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    Key key = keys.get(t % keys.size()).with(Key.Hook.NONE);
                    AtomicBoolean mine = new AtomicBoolean();
                    asked.add(mine);
                    calls.add(Call.start("get(" + key + ") #" + t, lock, () -> {
                        go.await();
                        mine.set(true);
                        return cache.get(key);
                    }));
                }
                go.countDown();
                for (Store.Step load : loads) {
                    load.awaitStarted("many threads asked for a missing key", calls);
                }
                // Every asker settles: waiting for the load, or loading itself (a second load is the mistake).
                long deadline = System.nanoTime() + Call.PATIENCE.toNanos();
                for (int t = 0; t < threads; t++) {
                    Call<String> call = calls.get(t);
                    while (!(asked.get(t).get() && (call.ended() || call.waitsForALoad()))
                            && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                }
                loads.forEach(Store.Step::release);
                for (int t = 0; t < threads; t++) {
                    Key key = keys.get(t % keys.size());
                    assertThat(calls.get(t).value("the load it waited for ended")).as("what %s returned (rule 3: "
                            + "every asker gets the one load's value)", calls.get(t)).isEqualTo(key + "#1");
                }
                for (Key key : keys) {
                    assertThat(store.loads(key.name())).as("loads of %s while %d threads asked for it at once "
                            + "(rule 3: the first asker loads, the others wait for that load; two loads mean two "
                            + "threads both saw the key missing and both loaded it)", key,
                            (threads + keys.size() - 1 - keys.indexOf(key)) / keys.size()).isEqualTo(1);
                }
            });
        }
    }

    @Nested
    @DisplayName("a slow load")
    class ASlowLoad {

        @Test
        @Tag("rule-4")
        @DisplayName("holds no lock and keeps no other key, kept value or change waiting")
        void blocksNothingElse(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                SeenLock lock = lock(round);
                Store store = new Store(lock);
                ReadWriteCache<Key, String> cache = cache(store, lock);
                List<Key> keys = keys(round, "k", 4, round.chance("one hash code", 0.5));
                Key slow = keys.get(0);
                Key kept = keys.get(1);
                Key other = keys.get(2);
                Key fresh = keys.get(3);
                cache.put(kept, kept + "=v");
                Store.Step load = store.hold(slow.name());
                Call<String> loading = Call.start("get(" + slow + ")", lock, () -> cache.get(slow));
                load.awaitStarted("get of a missing key", loading);
                assertThat(store.lockHeldDuringALoad()).as("the lock during the load of %s", slow).isNull();
                for (String what : round.shuffled("calls during the load",
                        List.of("get kept", "get other", "put", "size", "snapshot", "invalidate"))) {
                    Call<Object> call = Call.start(what + " while " + slow + " loads", lock, () -> switch (what) {
                        case "get kept" -> cache.get(kept);
                        case "get other" -> cache.get(other);
                        case "put" -> {
                            cache.put(fresh, fresh + "=new");
                            yield null;
                        }
                        case "size" -> cache.size();
                        case "snapshot" -> cache.snapshot().size();
                        default -> {
                            cache.invalidate(other);
                            yield null;
                        }
                    });
                    call.awaitEnded("a slow load of another key must keep nothing waiting (rule 4)");
                    assertThat(call.thrown()).as("what %s threw", call).isNull();
                }
                assertThat(loading.ended()).as("the held load of %s ended before the test let it go", slow).isFalse();
                load.release();
                assertThat(loading.value("its load was let go")).isEqualTo(slow + "#1");
                assertThat(store.lockHeldDuringALoad()).as("the lock during the loads").isNull();
            });
        }
    }

    @Nested
    @DisplayName("changes during a load")
    class ChangesDuringALoad {

        @Test
        @Tag("rule-5")
        @DisplayName("never let a load that started before a put or an invalidation hide it")
        void aLoadInFlightNeverWinsOverALaterChange(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                // Every way each round: a put or an invalidation, with a get between the change and the end of the
                // old load (which then finds the newer value or load in place), and without one (the old load ends
                // into an empty place after an invalidation).
                for (String change : round.shuffled("changes", List.of("put", "invalidate"))) {
                for (boolean askBetween : round.shuffled("ask between", List.of(true, false))) {
                    SeenLock lock = lock(round);
                    Store store = new Store(lock);
                    ReadWriteCache<Key, String> cache = cache(store, lock);
                    Key key = Key.of("doc" + round.between("doc", 10, 99));
                    Store.Step load = store.hold(key.name());
                    Call<String> first = Call.start("get(" + key + ") before the " + change, lock,
                            () -> cache.get(key));
                    load.awaitStarted("get of a missing key", first);
                    Call.start(change + "(" + key + ") during the load", lock, () -> {
                        if (change.equals("put")) {
                            cache.put(key, key + "=new");
                        } else {
                            cache.invalidate(key);
                        }
                        return null;
                    }).value("a change must not wait for a load (rule 4)");
                    String newer = change.equals("put") ? key + "=new" : Store.value(key.name(), 2);
                    if (askBetween) {
                        assertThat(Call.start("get(" + key + ") after the " + change, lock, () -> cache.get(key))
                                .value("a get after the " + change + " must not wait for a load that started "
                                        + "before it"))
                                .as("get(%s) after %s(%s) returned, while the load before it was still running "
                                        + "(rule 5)", key, change, key).isEqualTo(newer);
                    }
                    load.release();
                    assertThat(first.value("its load was let go")).as("what %s returned (it asked before the %s)",
                            first, change).isEqualTo(key + "#1");
                    assertThat(Call.start("get(" + key + ") once the old load ended", lock, () -> cache.get(key))
                            .value("a kept value")).as("get(%s) after %s(%s) and after the load that started before "
                            + "it ended, %s (rule 5: the old load's value must never replace or fill in for the "
                            + "newer one)", key, change, key, askBetween ? "with a get between"
                                    : "with no get between").isEqualTo(newer);
                    assertThat(cache.snapshot()).as("snapshot() at the end (rule 5)").containsEntry(key, newer);
                }
                }
            });
        }
    }

    @Nested
    @DisplayName("a failed load")
    class AFailedLoad {

        @Test
        @Tag("rule-6")
        @DisplayName("reaches every thread that waited for it with the loader's own exception, and is not kept")
        void reachesEveryWaiterAndIsNotKept(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                SeenLock lock = lock(round);
                Store store = new Store(lock);
                ReadWriteCache<Key, String> cache = cache(store, lock);
                Key key = Key.of("flaky" + round.between("flaky", 10, 99));
                Throwable failure = round.failure("failure", "the store is down for " + key);
                Store.Step load = store.fail(key.name(), failure, true);
                List<Call<String>> calls = new ArrayList<>();
                calls.add(Call.start("get(" + key + ") #0", lock, () -> cache.get(key)));
                load.awaitStarted("get of a missing key", calls.get(0));
                int waiters = round.between("waiters", 1, 6);
                for (int w = 1; w <= waiters; w++) {
                    Call<String> waiter = Call.start("get(" + key + ") #" + w, lock, () -> cache.get(key));
                    waiter.awaitWaitingForALoad("a load of the key is in flight (rule 3)");
                    calls.add(waiter);
                }
                load.release();
                for (Call<String> call : calls) {
                    call.awaitEnded("the load it waited for failed: the failure must reach every waiter (rule 6)");
                    assertThat(call.thrown()).as("what %s threw when the load failed with %s (rule 6)", call, failure)
                            .isInstanceOf(ExecutionException.class);
                    assertThat(call.thrown().getCause()).as("the cause of what %s threw (rule 6: the loader's own "
                            + "exception, not a copy or a wrapper)", call).isSameAs(failure);
                }
                assertThat(lock.holders()).as("the lock after the failure (rule 2)").isEqualTo("free");
                assertThat(cache.size()).as("size() after the load failed (rule 6: a failure is not kept)").isZero();
                Call<String> again = Call.start("get(" + key + ") after the failure", lock, () -> cache.get(key));
                again.awaitEndedAlone("the next get loads again (rule 6)");
                assertThat(again.thrown()).as("what the get after the failure threw (rule 6: the failure must not "
                        + "be kept; the next get loads again)").isNull();
                assertThat(again.returned()).isEqualTo(Store.value(key.name(), 2));
            });
        }
    }

    @Nested
    @DisplayName("an interrupt")
    class AnInterrupt {

        @Test
        @Tag("rule-7")
        @DisplayName("ends the wait of the interrupted thread alone; the load and the other waiters go on")
        void endsOnlyTheInterruptedWait(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                SeenLock lock = lock(round);
                Store store = new Store(lock);
                ReadWriteCache<Key, String> cache = cache(store, lock);
                Key key = Key.of("slow" + round.between("slow", 10, 99));
                Store.Step load = store.hold(key.name());
                Call<String> loading = Call.start("get(" + key + ") #0", lock, () -> cache.get(key));
                load.awaitStarted("get of a missing key", loading);
                int waiters = round.between("waiters", 2, 6);
                List<Call<String>> calls = new ArrayList<>();
                for (int w = 1; w <= waiters; w++) {
                    Call<String> waiter = Call.start("get(" + key + ") #" + w, lock, () -> cache.get(key));
                    waiter.awaitWaitingForALoad("a load of the key is in flight (rule 3)");
                    calls.add(waiter);
                }
                Call<String> victim = calls.remove(round.between("interrupted waiter", 0, waiters - 1));
                victim.interrupt();
                victim.awaitEnded("an interrupted wait for a load ends (rule 7)");
                assertThat(victim.thrown()).as("what %s threw when interrupted while it waited (rule 7)", victim)
                        .isInstanceOf(InterruptedException.class);
                for (Call<String> other : calls) {
                    assertThat(other.ended()).as("%s ended (it %s) when another waiter was interrupted (rule 7)",
                            other, other.outcome()).isFalse();
                }
                assertThat(loading.ended()).as("the load ended when a waiter was interrupted (rule 7)").isFalse();
                load.release();
                assertThat(loading.value("its load was let go")).isEqualTo(key + "#1");
                for (Call<String> other : calls) {
                    assertThat(other.value("the load ended")).as("what %s returned", other).isEqualTo(key + "#1");
                }
                assertThat(store.loads(key.name())).as("loads of %s (rule 7: the interrupt ends a wait, not the "
                        + "load)", key).isEqualTo(1);
            });
        }
    }

    /** The last few calls, enough to see what led to a failure. */
    static String tail(List<String> done) {
        int from = Math.max(0, done.size() - 8);
        return (from > 0 ? "... " : "") + String.join(", ", done.subList(from, done.size()));
    }
}

package katas.readwritecache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Sneaky;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden tests of read-write-cache at its edges: a writer among a relay of readers that never lets the read lock go
 * free, every kind of failure and the gets after it, changes during a load that then fails, keys that throw in
 * every call, loads of different keys at once, several interrupted waiters.
 */
@DisplayName("ReadWriteCache at its edges")
@KataTest
class ReadWriteCacheEdgeTest {

    @Nested
    @DisplayName("a writer among readers")
    class AWriterAmongReaders {

        /** How many times in a row a reader must be seen parked, not in, to count as kept out by the waiting writer. */
        private static final int PARKED_LOOKS = 50;

        @Test
        @Tag("rule-8")
        @DisplayName("gets in while readers keep coming, each arriving before the last one left (the cache's own lock)")
        void isNotStarvedByAStreamOfReaders(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                Store store = new Store(null);
                ReadWriteCache<Key, String> cache = new ReadWriteCache<>(store);
                Key kept = Key.of("hot" + round.between("hot", 10, 99));
                cache.put(kept, kept + "=v");
                int relay = round.between("readers in the relay", 5, 9);
                List<CountDownLatch> entered = new ArrayList<>();
                List<CountDownLatch> leave = new ArrayList<>();
                List<Call<String>> readers = new ArrayList<>();
                Call<Void> writer = null;
                int cameInAfterTheWriter = 0;
                try {
                    for (int r = 0; r < relay; r++) {
                        CountDownLatch in = new CountDownLatch(1);
                        CountDownLatch out = new CountDownLatch(1);
                        entered.add(in);
                        leave.add(out);
                        AtomicBoolean first = new AtomicBoolean(true);
                        // The reader stays where the cache hashes the key (inside the read lock) until let go.
                        Key probe = kept.with(key -> {
                            if (first.getAndSet(false)) {
                                in.countDown();
                                try {
                                    out.await(Call.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            }
                        });
                        readers.add(Call.start("get(" + kept + ") #" + r + " of the relay", null, () -> cache.get(probe)));
                        if (r == 0) {
                            assertThat(in.await(Call.PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                                    .as("the first reader looked the key up").isTrue();
                            writer = Call.start("put(" + kept + ") while readers keep coming", null, () -> {
                                cache.put(kept, kept + "=new");
                                return null;
                            });
                            awaitParked(writer, "a put while a get holds the read lock waits (rule 2)");
                            continue;
                        }
                        if (!cameIn(readers.get(r), in)) {
                            break; // this reader waits behind the writer: the relay is broken, as it must be
                        }
                        cameInAfterTheWriter++;
                        leave.get(r - 1).countDown();
                    }
                } finally {
                    leave.forEach(CountDownLatch::countDown);
                }
                writer.value("the readers left");
                for (Call<String> reader : readers) {
                    assertThat(reader.value("a get of a kept value")).as("what %s returned", reader)
                            .isIn(kept + "=v", kept + "=new");
                }
                assertThat(cameInAfterTheWriter).as("gets that took the read lock after put() had asked for the write "
                        + "lock, each arriving while the one before still held it, of %d in the relay (rule 8: a "
                        + "waiting writer must get in before new readers; a lock that always lets new readers in "
                        + "starves it)", relay - 1).isLessThan(relay - 1);
            });
        }

        /** True when the reader got in; false when it was seen parked, not in, many times in a row. */
        private boolean cameIn(Call<String> reader, CountDownLatch in) throws InterruptedException {
            long deadline = System.nanoTime() + Call.PATIENCE.toNanos();
            int parked = 0;
            while (System.nanoTime() < deadline) {
                if (in.getCount() == 0) {
                    return true;
                }
                parked = reader.waitsForALoad() ? parked + 1 : 0;
                if (parked >= PARKED_LOOKS) {
                    return in.getCount() == 0;
                }
                LockSupport.parkNanos(100_000);
            }
            throw new AssertionError(reader + " neither got in nor waited within " + Call.PATIENCE.toSeconds()
                    + " s (it " + reader.outcome() + ")");
        }

        private void awaitParked(Call<?> call, String why) {
            long deadline = System.nanoTime() + Call.PATIENCE.toNanos();
            while (!call.ended() && !call.waitsForALoad()) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(call + " neither ended nor waited within " + Call.PATIENCE.toSeconds()
                            + " s: " + why);
                }
                Thread.onSpinWait();
            }
            if (call.ended()) {
                throw new AssertionError(call + " " + call.outcome() + " while a get held the read lock: " + why);
            }
        }
    }

    @Nested
    @DisplayName("failures")
    class Failures {

        @Test
        @Tag("rule-6")
        @DisplayName("of every kind reach every waiter, and the key loads again afterwards, and is then kept")
        void everyKindReachesEveryWaiterAndIsForgotten(Shapes shapes) throws Exception {
            for (int kind = 0; kind < Shapes.FAILURE_KINDS; kind++) {
                int k = kind;
                shapes.check(1, round -> {
                    SeenLock lock = ReadWriteCacheTest.lock(round);
                    Store store = new Store(lock);
                    ReadWriteCache<Key, String> cache = new ReadWriteCache<>(store, lock);
                    Key key = Key.of("down" + round.between("down", 10, 99));
                    Throwable failure = round.failure("failure", "no answer for " + key, k);
                    int failures = round.between("failed loads in a row", 1, 3);
                    for (int attempt = 1; attempt <= failures; attempt++) {
                        Store.Step load = store.fail(key.name(), failure, true);
                        List<Call<String>> calls = new ArrayList<>();
                        calls.add(Call.start("get(" + key + ") #0 of attempt " + attempt, lock, () -> cache.get(key)));
                        load.awaitStarted("get of a key whose last load failed (rule 6: a failure is not kept)", calls.get(0));
                        for (int w = round.between("waiters", 1, 5); w > 0; w--) {
                            Call<String> waiter = Call.start("get(" + key + ") #" + w + " of attempt " + attempt, lock,
                                    () -> cache.get(key));
                            waiter.awaitWaitingForALoad("a load of the key is in flight (rule 3)");
                            calls.add(waiter);
                        }
                        assertThat(cache.size()).as("size() while the only key's load is in flight (rule 1: loads "
                                + "in flight are not counted)").isZero();
                        assertThat(cache.snapshot()).as("snapshot() while the only key's load is in flight (rule 1)")
                                .isEmpty();
                        load.release();
                        for (Call<String> call : calls) {
                            call.awaitEnded("the load failed: every waiter gets the failure (rule 6)");
                            assertThat(call.thrown()).as("what %s threw (rule 6)", call)
                                    .isInstanceOf(ExecutionException.class);
                            assertThat(call.thrown().getCause()).as("the cause of what %s threw (rule 6)", call)
                                    .isSameAs(failure);
                        }
                        assertThat(lock.holders()).as("the lock after failure #%d (rule 2)", attempt).isEqualTo("free");
                    }
                    for (int again = 0; again < 2; again++) {
                        Call<String> get = Call.start("get(" + key + ") after " + failures + " failures", lock,
                                () -> cache.get(key));
                        assertThat(get.awaitEndedAlone("the key loads again").value("(rule 6)"))
                                .as("get #%d after the failures (rule 6: loaded again once, then kept)", again + 1)
                                .isEqualTo(Store.value(key.name(), failures + 1));
                    }
                    assertThat(cache.size()).as("size() at the end").isEqualTo(1);
                });
            }
        }

        @Test
        @Tag("rule-5")
        @Tag("rule-6")
        @DisplayName("of a load during which the key was put keep the value put")
        void aFailedLoadLeavesALaterPutInPlace(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                SeenLock lock = ReadWriteCacheTest.lock(round);
                Store store = new Store(lock);
                ReadWriteCache<Key, String> cache = new ReadWriteCache<>(store, lock);
                Key key = Key.of("rate" + round.between("rate", 10, 99));
                Throwable failure = round.failure("failure", "the rate service timed out");
                Store.Step load = store.fail(key.name(), failure, true);
                Call<String> first = Call.start("get(" + key + ")", lock, () -> cache.get(key));
                load.awaitStarted("get of a missing key", first);
                cache.put(key, key + "=put");
                load.release();
                first.awaitEnded("its load failed");
                assertThat(first.thrown()).as("what %s threw", first).isInstanceOf(ExecutionException.class);
                assertThat(cache.get(key)).as("get(%s) after a put made while the load that then failed ran (rule 5: "
                        + "the put is newer; forgetting the failed load must not forget it)", key).isEqualTo(key + "=put");
                assertThat(store.loads(key.name())).as("loads of %s", key).isEqualTo(1);
            });
        }
    }

    @Nested
    @DisplayName("a thread that saw the key missing")
    class AThreadThatSawTheKeyMissing {

        @Test
        @Tag("rule-3")
        @DisplayName("and then finds another thread's load in place when it takes the write lock, waits for that load")
        void waitsForTheLoadThatGotInFirst(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                SeenLock lock = ReadWriteCacheTest.lock(round);
                Store store = new Store(lock);
                ReadWriteCache<Key, String> cache = new ReadWriteCache<>(store, lock);
                Key key = Key.of("late" + round.between("late", 10, 99));
                // Another key kept, so that the map is not empty: an empty HashMap answers without hashing the key.
                cache.put(Key.of("anchor"), "anchor=v");
                Store.Step load = store.hold(key.name());
                CountDownLatch looking = new CountDownLatch(1);
                CountDownLatch goOn = new CountDownLatch(1);
                AtomicBoolean first = new AtomicBoolean(true);
                // Holds one asker where it looks the key up under the read lock, so that the other sees the key
                // missing too and queues for the write lock: both saw it missing, only one may load it.
                Key held = key.with(k -> {
                    if (lock.getReadHoldCount() > 0 && first.getAndSet(false)) {
                        looking.countDown();
                        try {
                            goOn.await(Call.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
                Call<String> slow = Call.start("get(" + key + ") held while it looks", lock, () -> cache.get(held));
                assertThat(looking.await(Call.PATIENCE.toMillis(), TimeUnit.MILLISECONDS))
                        .as("%s looked the key up under the read lock (rule 2)", slow).isTrue();
                Call<String> other = Call.start("get(" + key + ")", lock, () -> cache.get(key));
                other.awaitQueued("it saw the key missing and asks for the write lock, which waits for the reader");
                goOn.countDown();
                List<Call<String>> both = List.of(slow, other);
                load.awaitStarted("both asked for a missing key", both);
                long deadline = System.nanoTime() + Call.PATIENCE.toNanos();
                while (!both.stream().allMatch(c -> c.ended() || c.waitsForALoad()) && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                load.release();
                for (Call<String> call : both) {
                    assertThat(call.value("the load ended")).as("what %s returned (rule 3)", call)
                            .isEqualTo(key + "#1");
                }
                assertThat(store.loads(key.name())).as("loads of %s by two threads that both saw it missing (rule 3: "
                        + "the one that finds the other's load in place when it takes the write lock must wait for "
                        + "it, not load again)", key).isEqualTo(1);
            });
        }
    }

    @Nested
    @DisplayName("an invalidation during loads")
    class AnInvalidationDuringLoads {

        @Test
        @Tag("rule-5")
        @DisplayName("makes the next get load again, even when nobody asked before the old loads ended")
        void makesTheNextGetLoadAgain(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                SeenLock lock = ReadWriteCacheTest.lock(round);
                Store store = new Store(lock);
                ReadWriteCache<Key, String> cache = new ReadWriteCache<>(store, lock);
                List<Key> keys = ReadWriteCacheTest.keys(round, "inv", round.between("keys", 1, 4),
                        round.chance("one hash code", 0.5));
                List<Store.Step> loads = new ArrayList<>();
                List<Call<String>> askers = new ArrayList<>();
                for (Key key : keys) {
                    Store.Step load = store.hold(key.name());
                    Call<String> asker = Call.start("get(" + key + ") before the invalidation", lock,
                            () -> cache.get(key));
                    load.awaitStarted("get of a missing key", asker);
                    loads.add(load);
                    askers.add(asker);
                }
                keys.forEach(cache::invalidate);
                loads.forEach(Store.Step::release);
                for (int i = 0; i < keys.size(); i++) {
                    assertThat(askers.get(i).value("its load was let go")).as("what %s returned (it asked before the "
                            + "invalidation)", askers.get(i)).isEqualTo(keys.get(i) + "#1");
                }
                assertThat(cache.size()).as("size() after every key was invalidated during its load and nobody asked "
                        + "since (rule 5: the old loads are not kept)").isZero();
                for (Key key : keys) {
                    assertThat(Call.start("get(" + key + ") after the invalidation", lock, () -> cache.get(key))
                            .awaitEndedAlone("a new load").value("")).as("get(%s) after invalidate(%s) during its "
                            + "load (rule 5: a new load, never the old one's value)", key, key)
                            .isEqualTo(Store.value(key.name(), 2));
                }
            });
        }
    }

    @Nested
    @DisplayName("keys that throw")
    class KeysThatThrow {

        @Test
        @Tag("rule-2")
        @DisplayName("leave the lock free in every call, and the cache works on")
        void leaveTheLockFreeInEveryCall(Shapes shapes) throws Exception {
            shapes.check(2, round -> {
                SeenLock lock = ReadWriteCacheTest.lock(round);
                Store store = new Store(lock);
                ReadWriteCache<Key, String> cache = new ReadWriteCache<>(store, lock);
                Key kept = Key.of("kept" + round.between("kept", 10, 99));
                cache.put(kept, kept + "=v");
                Throwable failure = round.failure("failure", "a broken key");
                for (String call : round.shuffled("calls", List.of("get kept", "get missing", "put", "invalidate"))) {
                    for (int throwOn = 1; throwOn <= 2; throwOn++) {
                        AtomicInteger hashes = new AtomicInteger();
                        int on = throwOn;
                        Key.Hook breaking = key -> {
                            if (hashes.incrementAndGet() == on) {
                                throw Sneaky.raise(failure);
                            }
                        };
                        Key broken = (call.equals("get missing") ? Key.of("gone" + throwOn) : kept).with(breaking);
                        Call<Object> attempt = Call.start(call + ", throwing on hash call #" + throwOn, lock, () -> {
                            switch (call) {
                                case "put" -> cache.put(broken, kept + "=v");
                                case "invalidate" -> cache.invalidate(broken);
                                default -> {
                                    return cache.get(broken);
                                }
                            }
                            return null;
                        });
                        attempt.awaitEndedAlone("a call whose key throws ends");
                        assertThat(lock.holders()).as("the lock after %s (rule 2)", attempt).isEqualTo("free");
                        cache.put(kept, kept + "=v");
                    }
                }
                Call<String> after = Call.start("get(fine) at the end", lock, () -> cache.get(Key.of("fine")));
                assertThat(after.awaitEndedAlone("the cache works on").value("")).isEqualTo("fine#1");
            });
        }
    }

    @Nested
    @DisplayName("loads of different keys")
    class LoadsOfDifferentKeys {

        @Test
        @Tag("rule-4")
        @DisplayName("run at the same time, also when the keys share a hash code")
        void runAtTheSameTime(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                SeenLock lock = ReadWriteCacheTest.lock(round);
                Store store = new Store(lock);
                ReadWriteCache<Key, String> cache = new ReadWriteCache<>(store, lock);
                List<Key> keys = ReadWriteCacheTest.keys(round, "slow", round.between("keys", 2, 5),
                        round.chance("one hash code", 0.7));
                List<Store.Step> loads = new ArrayList<>();
                List<Call<String>> calls = new ArrayList<>();
                for (Key key : keys) {
                    Store.Step load = store.hold(key.name());
                    loads.add(load);
                    calls.add(Call.start("get(" + key + ")", lock, () -> cache.get(key)));
                    load.awaitStarted("a load of " + key + " while " + (keys.indexOf(key)) + " other key(s) load, "
                            + "each held by the test (rule 4: loads of different keys run at the same time)",
                            calls.get(calls.size() - 1));
                }
                assertThat(store.lockHeldDuringALoad()).as("the lock during the loads").isNull();
                loads.forEach(Store.Step::release);
                for (int i = 0; i < keys.size(); i++) {
                    assertThat(calls.get(i).value("its load was let go")).isEqualTo(keys.get(i) + "#1");
                }
            });
        }
    }

    @Nested
    @DisplayName("interrupts")
    class Interrupts {

        @Test
        @Tag("rule-7")
        @DisplayName("of several waiters end their waits alone; the others and later gets get the value")
        void ofSeveralWaitersEndOnlyTheirWaits(Shapes shapes) throws Exception {
            shapes.check(3, round -> {
                SeenLock lock = ReadWriteCacheTest.lock(round);
                Store store = new Store(lock);
                ReadWriteCache<Key, String> cache = new ReadWriteCache<>(store, lock);
                Key key = Key.of("big" + round.between("big", 10, 99));
                Store.Step load = store.hold(key.name());
                Call<String> loading = Call.start("get(" + key + ") #0", lock, () -> cache.get(key));
                load.awaitStarted("get of a missing key", loading);
                int waiters = round.between("waiters", 3, 7);
                List<Call<String>> calls = new ArrayList<>();
                for (int w = 1; w <= waiters; w++) {
                    Call<String> waiter = Call.start("get(" + key + ") #" + w, lock, () -> cache.get(key));
                    waiter.awaitWaitingForALoad("a load of the key is in flight (rule 3)");
                    calls.add(waiter);
                }
                List<Call<String>> victims = round.shuffled("waiters", calls).subList(0,
                        round.between("interrupted", 2, waiters - 1));
                victims.forEach(Call::interrupt);
                for (Call<String> victim : victims) {
                    victim.awaitEnded("an interrupted wait ends (rule 7)");
                    assertThat(victim.thrown()).as("what %s threw (rule 7)", victim)
                            .isInstanceOf(InterruptedException.class);
                }
                load.release();
                assertThat(loading.value("its load was let go")).isEqualTo(key + "#1");
                for (Call<String> call : calls) {
                    if (!victims.contains(call)) {
                        assertThat(call.value("the load ended")).as("what %s returned (rule 7)", call)
                                .isEqualTo(key + "#1");
                    }
                }
                assertThat(Call.start("get(" + key + ") afterwards", lock, () -> cache.get(key))
                        .awaitEndedAlone("a kept value").value("")).isEqualTo(key + "#1");
                assertThat(store.loads(key.name())).as("loads of %s (rule 7)", key).isEqualTo(1);
            });
        }
    }
}

package katas.readwritecache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import katas.testkit.Contention;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Watch;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden stress tests of read-write-cache: many threads released at once by a start gate ({@link Contention}) on a
 * few keys, loads that fail now and then, and a {@link Watch} on the loads in flight while the threads run.
 */
@DisplayName("ReadWriteCache under stress")
@KataTest
class ReadWriteCacheStressTest {

    @Test
    @Tag("rule-3")
    @Tag("rule-6")
    @DisplayName("never runs two loads of one key at once, and keeps one value per key, while loads fail now and then")
    void oneLoadAtATimePerKeyWhileLoadsFail(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            SeenLock lock = ReadWriteCacheTest.lock(round);
            Store store = new Store(lock);
            ReadWriteCache<Key, String> cache = new ReadWriteCache<>(store, lock);
            List<Key> keys = ReadWriteCacheTest.keys(round, "s", round.between("keys", 3, 13),
                    round.chance("one hash code", 0.3));
            Throwable failure = round.failure("failure", "the store hiccuped");
            store.failSometimes(round.oneOf("failure rate", 0.02, 0.1, 0.3), () -> failure);
            int threads = round.between("threads", 2, 7);
            int calls = round.between("calls each", 300, 1_500);
            Map<String, Set<String>> seen = new ConcurrentHashMap<>();
            Queue<String> wrong = new ConcurrentLinkedQueue<>();
            AtomicInteger failed = new AtomicInteger();
            try (Watch watch = Watch.of("at most one load of a key at a time (rule 3)", () -> {
                for (Key key : keys) {
                    if (store.inFlight(key.name()) > 1) {
                        return store.inFlight(key.name()) + " loads of " + key + " ran at once";
                    }
                }
                return null;
            })) {
                long seed = round.random().nextLong();
                Contention.threads(threads).callsEach(calls).named("getter").run((t, i) -> {
                    Key key = keys.get(new Random(seed + 31L * t + i).nextInt(keys.size()));
                    try {
                        String value = cache.get(key.with(Key.Hook.NONE));
                        seen.computeIfAbsent(key.name(), k -> ConcurrentHashMap.newKeySet()).add(value);
                    } catch (ExecutionException failedLoad) {
                        failed.incrementAndGet();
                        if (failedLoad.getCause() != failure) {
                            wrong.add("get(" + key + ") threw " + failedLoad + " with the cause "
                                    + failedLoad.getCause() + ", not the loader's own " + failure + " (rule 6)");
                        }
                    }
                });
            }
            assertThat(wrong).as("failures that reached a get").isEmpty();
            for (Key key : keys) {
                Set<String> values = seen.getOrDefault(key.name(), Set.of());
                assertThat(values.size()).as("the values gets of %s returned: %s (rule 3: a key loaded once is kept; "
                        + "a failed load is not)", key, values).isLessThanOrEqualTo(1);
                values.forEach(value -> assertThat(value).as("a value of %s", key).startsWith(key.name() + "#"));
            }
            assertThat(lock.holders()).as("the lock at the end (rule 2)").isEqualTo("free");
            assertThat(cache.size()).as("size() at the end: keys that returned a value (rule 1)")
                    .isEqualTo((int) seen.values().stream().filter(v -> !v.isEmpty()).count());
        });
    }

    @Test
    @Tag("rule-1")
    @Tag("rule-2")
    @DisplayName("keeps every key's own values while gets, puts, invalidations, sizes and snapshots run together")
    void keepsEveryKeysOwnValuesUnderMixedTraffic(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            boolean ownLock = round.chance("the cache's own lock", 0.3);
            SeenLock lock = ReadWriteCacheTest.lock(round);
            Store store = new Store(ownLock ? null : lock);
            ReadWriteCache<Key, String> cache = ownLock ? new ReadWriteCache<>(store)
                    : new ReadWriteCache<>(store, lock);
            List<Key> keys = ReadWriteCacheTest.keys(round, "m", round.between("keys", 3, 11),
                    round.chance("one hash code", 0.3));
            int threads = round.between("threads", 2, 6);
            int calls = round.between("calls each", 300, 1_200);
            Queue<String> wrong = new ConcurrentLinkedQueue<>();
            long seed = round.random().nextLong();
            Contention.threads(threads).callsEach(calls).named("mixer").run((t, i) -> {
                Random random = new Random(seed * 17 + 1_000_003L * t + i);
                Key key = keys.get(random.nextInt(keys.size()));
                int dice = random.nextInt(20);
                if (dice < 10) {
                    String value = cache.get(key.with(Key.Hook.NONE));
                    if (!value.startsWith(key.name() + "#") && !value.startsWith(key.name() + "=")) {
                        wrong.add("get(" + key + ") returned " + value);
                    }
                } else if (dice < 13) {
                    cache.put(key, key + "=" + t + "." + i);
                } else if (dice < 16) {
                    cache.invalidate(key);
                } else if (dice < 18) {
                    int size = cache.size();
                    if (size < 0 || size > keys.size()) {
                        wrong.add("size() returned " + size + " with " + keys.size() + " keys");
                    }
                } else {
                    cache.snapshot().forEach((k, v) -> {
                        if (!v.startsWith(k.name() + "#") && !v.startsWith(k.name() + "=")) {
                            wrong.add("snapshot() held " + k + " -> " + v);
                        }
                    });
                }
            });
            assertThat(wrong).as("values seen under another key's name (rule 1)").isEmpty();
            if (!ownLock) {
                assertThat(lock.holders()).as("the lock at the end (rule 2)").isEqualTo("free");
            }
            Map<Key, String> snapshot = cache.snapshot();
            assertThat(cache.size()).as("size() and snapshot() when all is quiet (rule 1)").isEqualTo(snapshot.size());
            for (Map.Entry<Key, String> entry : snapshot.entrySet()) {
                assertThat(cache.get(entry.getKey())).as("get(%s) when all is quiet", entry.getKey())
                        .isEqualTo(entry.getValue());
            }
        });
    }
}

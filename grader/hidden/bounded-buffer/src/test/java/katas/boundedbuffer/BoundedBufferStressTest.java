package katas.boundedbuffer;

import java.util.Random;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: producers and consumers of every count on buffers of every size ({@link Traffic}), with a watch on the
 * capacity while they run, a hang seen the moment every running thread waits, and, in some rounds, every waiter
 * woken for no reason over and over.
 */
@DisplayName("BoundedBuffer under load")
@KataTest
class BoundedBufferStressTest {

    private static int capacity(Shapes round) {
        return round.oneOf("capacity", 1, 1, 2, 3, 5, 6, 7, 11, 12, 19, 31);
    }

    @Test
    @Tag("rule-1")
    @Tag("rule-2")
    @Tag("rule-3")
    @DisplayName("moves every item once, in each producer's order, between any numbers of producers and consumers")
    void movesEveryItemOnceInEachProducersOrder(Shapes shapes) throws Exception {
        shapes.check(4, round -> {
            int producers = round.between("producers", 1, 6);
            int consumers = round.between("consumers", 1, 6);
            int total = round.between("items", producers + consumers, 5_000);
            Random random = round.random();
            new Traffic(capacity(round), Traffic.split(total, producers, random), Traffic.split(total, consumers, random),
                    round.oneOf("style", Traffic.Style.values())).run().check();
        });
    }

    @Test
    @Tag("rule-1")
    @Tag("rule-3")
    @DisplayName("hands one producer's items to many consumers, each seeing them in the order they were put")
    void oneProducerManyConsumers(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int consumers = round.between("consumers", 2, 7);
            int total = round.between("items", consumers, 4_000);
            new Traffic(capacity(round), new int[] {total}, Traffic.split(total, consumers, round.random()),
                    round.oneOf("style", Traffic.Style.values())).run().check();
        });
    }

    @Test
    @Tag("rule-4")
    @DisplayName("never hangs with many producers and many consumers waiting on a tiny buffer")
    void neverHangsWithManyWaitersOfBothKinds(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int producers = round.between("producers", 3, 8);
            int consumers = round.between("consumers", 3, 8);
            int total = round.between("items", 800, 3_000);
            Random random = round.random();
            new Traffic(round.oneOf("capacity", 1, 2, 3), Traffic.split(total, producers, random),
                    Traffic.split(total, consumers, random), round.oneOf("style", Traffic.Style.values()))
                    .run().check();
        });
    }

    @Test
    @Tag("rule-2")
    @Tag("rule-3")
    @Tag("rule-5")
    @DisplayName("never overfills or hands out nothing while every waiter is woken for no reason over and over")
    void wakeupsForNothingChangeNothing(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int producers = round.between("producers", 1, 5);
            int consumers = round.between("consumers", 1, 5);
            int total = round.between("items", 300, 2_000);
            Random random = round.random();
            new Traffic(round.oneOf("capacity", 1, 2, 3, 5), Traffic.split(total, producers, random),
                    Traffic.split(total, consumers, random), round.oneOf("style", Traffic.Style.values()))
                    .wakingForNothing(true).run().check();
        });
    }
}

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

/** Hidden: rule 2, reads racing with writes, with more readers than the visible tests, and stale copies. */
@DisplayName("HitCounter read by many threads")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HitCounterReadsTest {

    @BeforeAll
    static void compileTheReadingLoops() {
        StaleReads.warmUp();
    }

    @Test
    @Order(1)
    @Tag("rule-2")
    @DisplayName("shows a new hit to a thread that keeps reading, after any number of earlier hits")
    void showsANewHitAtOnce(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            HitCounter counter = new HitCounter();
            int hits = round.between("hits before", 0, 40_000);
            for (int i = 0; i < hits; i++) {
                counter.increment();
            }
            assertThat(StaleReads.probe(counter, 3)).as("rule 2, a hit shows at once").isNull();
        });
    }

    @Test
    @Order(2)
    @Tag("rule-1")
    @Tag("rule-2")
    @DisplayName("shows every finished hit to readers racing with the writers, and never a count that goes back")
    void readersRacingWithWriters(Shapes shapes) throws Exception {
        shapes.check(3, round -> HitCounterTest.countTogether(round, new HitCounter(), 3, 16, 8));
        HitCounter counter = new HitCounter();
        assertThat(StaleReads.probe(counter, 2)).as("rule 2, a hit shows at once").isNull();
    }
}

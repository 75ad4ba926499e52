package katas.fixtherace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: rule 3. The count is moved on near the limits of the types a count could be kept in (a signed
 * and an unsigned 32-bit int, a double's exact whole numbers) by changing the counter's own field, then
 * counted on past them, wherever the count is kept (see {@link DeepFastForward}: a count it finds and cannot move
 * on fails rather than passing unchecked). The untouched stub keeps a long, so it passes: a precondition.
 */
@DisplayName("HitCounter near the limits of its count")
@KataTest
@Tag("precondition")
class HitCounterLimitsTest {

    @Test
    @Tag("rule-3")
    @DisplayName("keeps counting past 2,147,483,647, past 4,294,967,295 and past 2^53 hits")
    void countsPastTheLimitsOfSmallerTypes(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            for (long limit : List.of((long) Integer.MAX_VALUE, 0xFFFF_FFFFL, 1L << 53)) {
                int hits = round.between("hits before moving the count on", 1_000, 9_999);
                long target = limit - round.between("hits short of the limit", 0, 300);
                int more = round.between("hits after", 302, 1_500);
                assertThat(DeepFastForward.countPast(hits, target, more)).as("rule 3, the count goes past %,d", limit)
                        .isNull();
            }
        });
    }
}

package katas.grader;

import java.time.Instant;
import java.util.List;
import katas.grader.scoring.KataResult;

/**
 * Everything one grading run found.
 *
 * @param hiddenPresent whether the instructor's hidden tests were in the checkout
 * @param coresOverride the KATA_CORES the speedup targets assumed, or 0 when none was set
 * @param seed the seed the tests drew their shapes from ({@code ./grade --seed} replays it)
 */
public record GradeResult(Instant startedAt, long durationMillis, Machine machine, String subject,
        boolean hiddenPresent, int coresOverride, long seed, List<KataResult> katas) {

    public int points() {
        return katas.stream().mapToInt(KataResult::points).sum();
    }

    public int max() {
        return katas.stream().mapToInt(KataResult::max).sum();
    }
}

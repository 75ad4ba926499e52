package katas.grader;

import java.time.Instant;
import java.util.List;
import katas.grader.scoring.KataResult;

/**
 * Everything one grading run found.
 *
 * @param hiddenPresent whether the instructor's hidden tests were in the checkout
 * @param coresOverride the KATA_CORES the speedup targets assumed, or 0 when none was set
 */
public record GradeResult(Instant startedAt, long durationMillis, Machine machine, String subject,
        boolean hiddenPresent, int coresOverride, List<KataResult> katas) {

    public double points() {
        return katas.stream().mapToDouble(KataResult::points).sum();
    }

    public double max() {
        return katas.stream().mapToDouble(KataResult::max).sum();
    }
}

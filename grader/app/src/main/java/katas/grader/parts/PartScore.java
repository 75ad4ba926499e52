package katas.grader.parts;

import java.util.List;
import katas.grader.execution.TestRecord;

/**
 * One part's points.
 *
 * @param reason why points were lost (or why the part does not count), in the learner's terms; null when full
 * @param tests the tests of a tests part
 * @param speedup the measurement of a speedup part, or null
 */
public record PartScore(Part part, PartStatus status, int points, String reason, List<TestRecord> tests,
        SpeedupVerdict speedup) {

    /** The part's maximum, 0 when it does not count. */
    public int max() {
        return status.counts() ? part.points() : 0;
    }

    public boolean full() {
        return status == PartStatus.FULL;
    }
}

package katas.grader.scoring;

import java.util.List;
import katas.grader.execution.Incident;

/**
 * A kata's grade.
 *
 * @param subject what was graded: "exercises", "solution", "mutant <id>", "alternative <id>"
 * @param notes things the learner should know that cost no points (unverifiable tests, stopped orphans)
 */
public record KataResult(String id, String title, String subject, KataStatus status, String message,
        List<PartScore> parts, List<Incident> incidents, List<String> notes, long durationMillis) {

    public double points() {
        return parts.stream().mapToDouble(PartScore::points).sum();
    }

    public double max() {
        return parts.stream().mapToDouble(PartScore::max).sum();
    }

    /** The part with this id, if the kata has it. */
    public java.util.Optional<PartScore> part(String partId) {
        return parts.stream().filter(p -> p.part().id().equals(partId)).findFirst();
    }

    /** The first reason a point was lost, for a one-line summary. */
    public String firstReason() {
        if (message != null) {
            return message.lines().findFirst().orElse("");
        }
        return parts.stream().filter(p -> p.reason() != null && p.status() != PartStatus.FULL)
                .map(PartScore::reason).findFirst().orElse(null);
    }
}

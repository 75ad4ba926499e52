package katas.grader.scoring;

import java.util.List;
import katas.grader.discovery.Part;
import katas.grader.discovery.PartKind;
import katas.grader.discovery.TestSource;
import katas.grader.execution.Incident;

/**
 * A kata's grade.
 *
 * @param subject what was graded: "exercises", "solution", "mutant <id>", "alternative <id>"
 * @param notes things the learner should know that cost no points (unverifiable tests, stopped orphans)
 */
public record KataResult(String id, String title, String subject, KataStatus status, String message,
        List<PartScore> parts, List<Incident> incidents, List<String> notes, long durationMillis) {

    /** What a kata is worth when its own manifest cannot be trusted: every kata of the kit is worth 100. */
    public static final int STANDARD_POINTS = 100;

    /**
     * A kata whose manifest cannot be read or was edited: 0 of {@value #STANDARD_POINTS}, never 0 of 0, so that
     * breaking a manifest can never raise a percentage.
     */
    public static KataResult untrusted(String id, String subject, KataStatus status, String message, long millis) {
        Part manifest = new Part("manifest", "A readable, unedited kata.json", PartKind.TESTS, TestSource.VISIBLE, null,
                STANDARD_POINTS, null, 0);
        return new KataResult(id, id, subject, status, message,
                List.of(new PartScore(manifest, PartStatus.NONE, 0, message.lines().findFirst().orElse(message),
                        List.of(), null)), List.of(), List.of(), millis);
    }

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

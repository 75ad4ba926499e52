package katas.grader.scoring;

import java.util.List;
import katas.grader.discovery.Rule;
import katas.grader.execution.Incident;
import katas.grader.execution.TestRecord;
import katas.grader.parts.PartScore;
import katas.grader.parts.PartStatus;
import katas.grader.parts.TestSource;
import katas.grader.parts.TestsPart;

/**
 * A kata's grade.
 *
 * @param subject what was graded: "exercises", "solution", "mutant <id>", "alternative <id>"
 * @param notes things the learner should know that cost no points (unverifiable tests, stopped orphans)
 * @param rules the kata's numbered rules, so that a failed test can name the rule it checks
 */
public record KataResult(String id, String title, String subject, KataStatus status, String message,
        List<PartScore> parts, List<Incident> incidents, List<String> notes, long durationMillis, List<Rule> rules) {

    /** What a kata is worth when its own manifest cannot be trusted: every kata of the kit is worth 100. */
    public static final int STANDARD_POINTS = 100;

    /**
     * A kata whose manifest cannot be read or was edited: 0 of {@value #STANDARD_POINTS}, never 0 of 0, so that
     * breaking a manifest can never raise a percentage.
     */
    public static KataResult untrusted(String id, String subject, KataStatus status, String message, long millis) {
        TestsPart manifest = new TestsPart("manifest", "A readable, unedited kata.json", STANDARD_POINTS,
                TestSource.VISIBLE, null);
        return new KataResult(id, id, subject, status, message,
                List.of(new PartScore(manifest, PartStatus.NONE, 0, message.lines().findFirst().orElse(message),
                        List.of(), null)), List.of(), List.of(), millis, List.of());
    }

    public int points() {
        return parts.stream().mapToInt(PartScore::points).sum();
    }

    public int max() {
        return parts.stream().mapToInt(PartScore::max).sum();
    }

    /** Full points: every part that counts is full (and there is one). */
    public boolean complete() {
        return status == KataStatus.GRADED && max() > 0 && points() == max();
    }

    /** Full points in every part that could be graded here (the hidden tests may not be in the checkout). */
    public boolean completeHere() {
        return status == KataStatus.GRADED && parts.stream().anyMatch(p -> p.status().graded())
                && parts.stream().filter(p -> p.status().graded()).allMatch(PartScore::full);
    }

    /** "rule 2, no hit is lost" for a test that checks rule 2; empty for a test that names no rule. */
    public String ruleOf(TestRecord test) {
        return test.tags().stream().mapToInt(Rule::numberOf).filter(n -> n > 0).boxed()
                .map(n -> rules.stream().filter(r -> r.number() == n).findFirst()
                        .map(r -> "rule " + n + ", " + r.title()).orElse("rule " + n))
                .reduce((a, b) -> a + "; " + b).orElse("");
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

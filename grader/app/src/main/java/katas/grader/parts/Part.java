package katas.grader.parts;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Set;
import katas.grader.execution.ForkPlan;
import katas.grader.execution.RunRecord;
import katas.grader.execution.TestRecord;

/**
 * One graded part of a kata, as its {@code kata.json} declares it ({@code "kind"} names the type).
 * Each kind knows its whole life: what in its manifest entry is wrong, what the kata's fork must run
 * for it, how it scores, and what a report says about it beyond its points. Adding a kind means one
 * new type here and a line in {@link JsonSubTypes}; no other class asks which kind a part is.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(value = TestsPart.class, name = TestsPart.KIND),
    @JsonSubTypes.Type(value = StructurePart.class, name = StructurePart.KIND),
    @JsonSubTypes.Type(value = SpeedupPart.class, name = SpeedupPart.KIND)})
public sealed interface Part permits TestsPart, StructurePart, SpeedupPart {

    String id();

    String title();

    /** The part's full points: a whole number, never negative. */
    int points();

    /** Its kind as {@code kata.json} names it. */
    String kind();

    /** What is wrong with this part's own fields, in words; empty when nothing is. */
    List<String> problems();

    /** Adds what this part needs to the kata's fork: which tests to compile and run, what to measure. */
    void plan(ForkPlan plan);

    /**
     * Whether a test belongs to this part.
     *
     * @param partTags every tag that some part of the kata routes its tests by
     */
    default boolean claims(TestRecord test, Set<String> partTags) {
        return false;
    }

    /** The tag that routes tests to this part, or null. */
    default String tag() {
        return null;
    }

    /** This part's points from what the fork reported. */
    PartScore score(RunRecord run, ScoringContext context);

    /** What earns the full points, when the title does not say it ("full points at 0.9x per core"); or empty. */
    default String goal() {
        return "";
    }

    /** One line for reports beyond the points ("1.93x on 2 cores (target 1.80x, ...)"), or null. */
    default String detail(PartScore score) {
        return null;
    }
}

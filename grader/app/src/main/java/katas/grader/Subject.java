package katas.grader;

import java.util.List;
import java.util.Optional;
import katas.grader.compile.SourceSet;
import katas.grader.discovery.Kata;
import katas.grader.discovery.Mutant;

/**
 * What code is graded for a kata: the learner's exercise, the reference solution, or the solution
 * with a mutant's or an alternative's files laid over it.
 */
public record Subject(Kind kind, String overlayId) {

    public enum Kind { EXERCISE, SOLUTION, MUTANT, ALTERNATIVE }

    public static final Subject EXERCISE = new Subject(Kind.EXERCISE, null);
    public static final Subject SOLUTION = new Subject(Kind.SOLUTION, null);

    public static Subject mutant(String id) {
        return new Subject(Kind.MUTANT, id);
    }

    public static Subject alternative(String id) {
        return new Subject(Kind.ALTERNATIVE, id);
    }

    /** The sources to compile for {@code kata}, or empty when they are not in this checkout. */
    public Optional<SourceSet> sources(Kata kata) {
        return switch (kind) {
            case EXERCISE -> Optional.of(SourceSet.of(kata.stubSources()));
            case SOLUTION -> kata.hasSolution() ? Optional.of(SourceSet.of(kata.solutionSources())) : Optional.empty();
            case MUTANT -> overlay(kata, kata.mutants());
            case ALTERNATIVE -> overlay(kata, kata.alternatives());
        };
    }

    private Optional<SourceSet> overlay(Kata kata, List<Mutant> overlays) {
        return overlays.stream().filter(m -> m.id().equals(overlayId)).findFirst()
                .map(m -> SourceSet.of(kata.solutionSources(), m.sources()));
    }

    @Override
    public String toString() {
        return switch (kind) {
            case EXERCISE -> "exercise";
            case SOLUTION -> "solution";
            case MUTANT -> "mutant " + overlayId;
            case ALTERNATIVE -> "alternative " + overlayId;
        };
    }
}

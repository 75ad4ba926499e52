package katas.grader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import katas.grader.compile.PatchedSources;
import katas.grader.compile.SourceSet;
import katas.grader.discovery.Kata;
import katas.grader.discovery.Overlay;

/**
 * What code is graded for a kata: the learner's exercise, the reference solution, or the solution
 * with a mutant's or an alternative's patch applied.
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

    /**
     * The sources to compile for {@code kata}, or empty when they are not in this checkout. A patched
     * subject is written under {@code work}.
     */
    public Optional<SourceSet> sources(Kata kata, Path work) throws IOException, PatchedSources.PatchException {
        return switch (kind) {
            case EXERCISE -> Optional.of(SourceSet.of(kata.stubSources()));
            case SOLUTION -> kata.hasSolution() ? Optional.of(SourceSet.of(kata.solutionSources())) : Optional.empty();
            case MUTANT -> patched(kata, kata.mutants(), work);
            case ALTERNATIVE -> patched(kata, kata.alternatives(), work);
        };
    }

    private Optional<SourceSet> patched(Kata kata, List<Overlay> overlays, Path work)
            throws IOException, PatchedSources.PatchException {
        Optional<Overlay> overlay = overlays.stream().filter(m -> m.id().equals(overlayId)).findFirst();
        if (overlay.isEmpty() || !kata.hasSolution()) {
            return Optional.empty();
        }
        return Optional.of(PatchedSources.apply(kata.solutionSources(), overlay.get().patch(), work));
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

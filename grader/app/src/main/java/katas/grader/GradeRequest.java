package katas.grader;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import katas.grader.discovery.KitLayout;
import katas.grader.execution.SharedClasses;

/**
 * What to grade, built fluently:
 * {@code GradeRequest.builder().layout(KitLayout.of(root)).katas(List.of("fix-the-race")).build()}.
 *
 * @param katas kata ids; empty means every kata
 * @param parts part ids to grade; empty means every part (the self-check grades a mutant's target parts only)
 * @param cores the core count the speedup target assumes; empty means what the forked JVM sees
 * @param failFast stop a kata at its first test that does not pass (the self-check, grading a mutant)
 * @param seed the seed the tests draw their shapes from; empty: a new one for this grade
 * @param fairPlay refuse code that breaks the rule of fair play before any test runs; only the grader's
 *     own tests turn it off, to prove the fork's defences against the code it would refuse
 * @param firstTests unique ids of tests to run before all others, when they exist: the self-check's guess at
 *     the test that stops a mutant, so that a fail-fast grade stops at once
 * @param shared classes the forks may map from an archive instead of loading them (the self-check's, made
 *     from the kit's own code); {@link SharedClasses#NONE} otherwise
 */
public record GradeRequest(KitLayout layout, List<String> katas, Subject subject, Set<String> parts,
        OptionalInt cores, boolean failFast, OptionalLong seed, boolean fairPlay, List<String> firstTests,
        SharedClasses shared) {

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link GradeRequest}; every setting but the layout has a default. */
    public static final class Builder {
        private KitLayout layout;
        private List<String> katas = List.of();
        private Subject subject = Subject.EXERCISE;
        private Set<String> parts = Set.of();
        private OptionalInt cores = OptionalInt.empty();
        private boolean failFast;
        private OptionalLong seed = OptionalLong.empty();
        private boolean fairPlay = true;
        private List<String> firstTests = List.of();
        private SharedClasses shared = SharedClasses.NONE;

        public Builder layout(KitLayout layout) {
            this.layout = layout;
            return this;
        }

        public Builder katas(List<String> katas) {
            this.katas = List.copyOf(katas);
            return this;
        }

        public Builder subject(Subject subject) {
            this.subject = subject;
            return this;
        }

        public Builder parts(Set<String> parts) {
            this.parts = Set.copyOf(parts);
            return this;
        }

        public Builder cores(OptionalInt cores) {
            this.cores = cores;
            return this;
        }

        public Builder failFast(boolean failFast) {
            this.failFast = failFast;
            return this;
        }

        public Builder seed(OptionalLong seed) {
            this.seed = seed;
            return this;
        }

        /** Off only in the grader's own tests of the fork's defences (see {@link GradeRequest}). */
        public Builder fairPlay(boolean fairPlay) {
            this.fairPlay = fairPlay;
            return this;
        }

        /** Tests to run before all others (see {@link GradeRequest}); the order of the rest is unchanged. */
        public Builder firstTests(List<String> firstTests) {
            this.firstTests = List.copyOf(firstTests);
            return this;
        }

        /** Only for grades of the kit's own code (see {@link GradeRequest}). */
        public Builder shared(SharedClasses shared) {
            this.shared = Objects.requireNonNull(shared, "shared");
            return this;
        }

        public GradeRequest build() {
            return new GradeRequest(Objects.requireNonNull(layout, "layout"), katas, subject, parts, cores, failFast,
                    seed, fairPlay, firstTests, shared);
        }
    }
}

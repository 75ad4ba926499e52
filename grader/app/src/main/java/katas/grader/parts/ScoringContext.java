package katas.grader.parts;

import java.util.OptionalInt;
import java.util.Set;

/**
 * What a part needs to know, besides the run, to score itself.
 *
 * @param hiddenPresent whether the instructor's hidden tests are in this checkout
 * @param visibleTampered why the visible tests cannot be trusted (edited), or null
 * @param visibleBroken why the visible tests could not be compiled against the code, or null
 * @param hiddenBroken why the hidden tests could not be compiled against the code, or null
 * @param cores the cores a speedup target assumes ({@code KATA_CORES}); empty: what the fork saw
 * @param partTags every tag some part of the kata routes its tests by
 */
public record ScoringContext(boolean hiddenPresent, String visibleTampered, String visibleBroken, String hiddenBroken,
        OptionalInt cores, Set<String> partTags) {

    /** Why tests from {@code source} could not run against the code, or null. */
    String broken(TestSource source) {
        return source == TestSource.VISIBLE ? visibleBroken : hiddenBroken;
    }
}

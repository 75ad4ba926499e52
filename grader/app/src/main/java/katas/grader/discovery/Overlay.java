package katas.grader.discovery;

import java.nio.file.Path;
import java.util.List;

/**
 * A variant of the reference solution, kept as a small patch against it ({@code <id>.diff}, paths
 * relative to {@code src/main/java}): a mutant (a known mistake the tests must reject) or an
 * alternative (another correct technique the tests must accept). The patch shows the mistake at a
 * glance and follows the reference when it changes.
 *
 * @param about for a mutant, the mistake it makes; for an alternative, the technique it uses
 * @param mustLose for a mutant, the parts that must lose points because of it
 * @param origin how the mutant came to be: "natural" (a learner's mistake), "adversarial" (written to get
 *     past the tests), or empty
 * @param patch the {@code .diff} file
 */
public record Overlay(String id, Kind kind, String about, List<String> mustLose, String origin, Path patch) {

    public enum Kind { MUTANT, ALTERNATIVE }
}

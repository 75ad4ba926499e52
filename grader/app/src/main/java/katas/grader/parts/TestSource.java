package katas.grader.parts;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Locale;

/** Where a part's tests come from. */
public enum TestSource {
    /** {@code exercises/<kata>/src/test/java}: the learner runs them. */
    @JsonProperty("visible") VISIBLE,
    /** {@code grader/hidden/<kata>/src/test/java}: only the grader runs them. */
    @JsonProperty("hidden") HIDDEN;

    /** As the fork reports a test's origin: "visible" or "hidden". */
    public String origin() {
        return name().toLowerCase(Locale.ROOT);
    }
}

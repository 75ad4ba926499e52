package katas.grader.discovery;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Where a part's tests come from. */
public enum TestSource {
    /** {@code exercises/<kata>/src/test/java}: the learner runs them. */
    @JsonProperty("visible") VISIBLE,
    /** {@code grader/hidden/<kata>/src/test/java}: only the grader runs them. */
    @JsonProperty("hidden") HIDDEN
}

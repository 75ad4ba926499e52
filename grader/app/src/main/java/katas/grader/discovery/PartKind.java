package katas.grader.discovery;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a part of a kata earns its points. */
public enum PartKind {
    /** The fraction of a set of tests that pass. */
    @JsonProperty("tests") TESTS,
    /** The measured speedup against the hidden suite's sequential baseline. */
    @JsonProperty("speedup") SPEEDUP
}

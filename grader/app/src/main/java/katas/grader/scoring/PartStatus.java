package katas.grader.scoring;

/** How a part scored. */
public enum PartStatus {
    FULL,
    PARTIAL,
    NONE,
    /** Its tests are not in this checkout (a student template without the hidden tests); not in the maximum. */
    NOT_AVAILABLE,
    /** Speedup cannot be measured on one core; not in the maximum. */
    NOT_MEASURABLE,
    /** Its files were edited, so its result cannot be trusted. */
    TAMPERED;

    /** Whether the part's points count in the kata's maximum. */
    public boolean counts() {
        return this != NOT_AVAILABLE && this != NOT_MEASURABLE;
    }
}

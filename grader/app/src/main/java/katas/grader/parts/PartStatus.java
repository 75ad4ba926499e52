package katas.grader.parts;

/** How a part scored. */
public enum PartStatus {
    FULL,
    PARTIAL,
    NONE,
    /**
     * Its tests are not in this checkout (a student template without the hidden tests): 0 points, still in
     * the maximum, so that a kata's maximum never depends on what the checkout holds.
     */
    NOT_AVAILABLE,
    /** Speedup cannot be measured here (one core, or cores that work like one): not in the maximum. */
    NOT_MEASURABLE,
    /** Its files were edited, so its result cannot be trusted. */
    TAMPERED;

    /** Whether the part's points count in the kata's maximum. */
    public boolean counts() {
        return this != NOT_MEASURABLE;
    }

    /** Whether the part was graded here at all (its points could have been earned). */
    public boolean graded() {
        return this != NOT_AVAILABLE && this != NOT_MEASURABLE;
    }
}

/**
 * The graded parts of a kata, one type per kind (tests, structure, speedup): each validates its
 * manifest entry, adds to the kata's fork plan, scores itself from the run, and describes itself
 * for reports. {@link katas.grader.parts.Points} holds the one rounding rule.
 */
package katas.grader.parts;

/**
 * The learner's loop between grades: the progress this checkout remembers ({@code .grade-state/}),
 * progressive hints from a kata's README, and putting a kata's stub back. Nothing here changes a grade.
 */
package katas.grader.learner;

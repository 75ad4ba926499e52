/**
 * Reports are {@link katas.grader.GradeListener}s: the console scoreboard, results.json, JUnit XML,
 * Markdown for the GitHub job summary, and the GitHub Classroom runner results.
 */
package katas.grader.report;

/**
 * The grader: a pipeline that discovers katas, compiles the learner's code with the tests, runs
 * each kata in its own forked JVM, measures speedup, scores, and reports. {@link katas.grader.Grader}
 * drives it from an immutable {@link katas.grader.GradeRequest}.
 */
package katas.grader;

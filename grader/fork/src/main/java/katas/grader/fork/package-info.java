/**
 * The channel between the grader and a kata's forked JVM: what a fork is asked to do
 * ({@link katas.grader.fork.ForkSpec}) and the typed events it sends back. The runtime that runs
 * inside the fork lives in {@code katas.grader.fork.internal}, which this module does not export:
 * learner code in the same JVM cannot reach its token, socket or guard.
 */
package katas.grader.fork;

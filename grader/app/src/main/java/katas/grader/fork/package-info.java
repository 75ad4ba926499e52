/**
 * What runs inside a kata's forked JVM, beside the learner's code: the entry point, the JUnit
 * launcher and its result listener, the guards, and the sending end of the results channel with
 * the types that travel on it. It depends on nothing of the grader above it.
 */
package katas.grader.fork;

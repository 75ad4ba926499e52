/**
 * What runs inside the forked JVM beside the learner's code: the entry point, the JUnit launcher with
 * nothing registered but Jupiter, the guards, and the sending end of the channel. Not exported.
 */
package katas.grader.fork.internal;

/** What runs inside the forked JVM: the JUnit launcher, the guards, and the sending end of the channel. */
package katas.grader.execution.fork;

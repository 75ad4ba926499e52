/**
 * Runs a kata's tests and measurements in forked JVMs: learner code never runs in the grader's
 * JVM. A watchdog bounds each fork, a fork that dies or hangs is killed and the remaining tests go
 * on in a fresh one, and results travel over a loopback socket that printing cannot forge.
 */
package katas.grader.execution;

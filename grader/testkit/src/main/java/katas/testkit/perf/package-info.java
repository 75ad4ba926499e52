/** The contract between a hidden suite and the grader's speedup measurement. */
package katas.testkit.perf;

/**
 * Speedup: times the hidden suite's sequential baseline against the learner's code on the same
 * fresh inputs, alternated after a warm-up; the median of per-pair ratios is the speedup, and the
 * target scales with the cores present.
 */
package katas.grader.perf;

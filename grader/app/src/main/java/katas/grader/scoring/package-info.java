/** Turns what the forks reported into points per part, with a reason in the learner's terms for every point lost. */
package katas.grader.scoring;

/**
 * The kit's self-check: grades every kata's stub, reference solution, alternatives and mutants
 * through the same grader learners use, repeatedly, and reports any kata that breaks the contract.
 */
package katas.grader.selfcheck;

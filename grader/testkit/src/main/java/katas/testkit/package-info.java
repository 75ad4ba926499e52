/**
 * What kata tests share: a start-gate contention harness, a per-test hang guard that explains
 * deadlocks and stalls in the learner's terms, and the contract of a speedup workload.
 */
package katas.testkit;

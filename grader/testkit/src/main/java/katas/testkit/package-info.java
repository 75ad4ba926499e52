/**
 * What kata tests share: {@link katas.testkit.KataTest} (every test bounded, hangs explained, shapes
 * seeded and replayable), {@link katas.testkit.Shapes} to draw thread counts, sizes and failures from a
 * seed, {@link katas.testkit.Contention} to release many threads at once, {@link katas.testkit.Watch}
 * to check invariants while they run, {@link katas.testkit.WakeableLock} to see and wake threads waiting on
 * a lock's conditions (spurious wakeups on purpose), and the contract of a speedup workload.
 */
package katas.testkit;

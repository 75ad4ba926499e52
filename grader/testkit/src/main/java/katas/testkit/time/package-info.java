/**
 * Virtual time for time-based katas (rate limits, timeouts, retries): a scheduler and clock that
 * move only when the test advances them, so that tests are exact and never sleep.
 */
package katas.testkit.time;

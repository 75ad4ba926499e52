package katas.asyncratelimiter;

import katas.asyncratelimiter.Simulation.Features;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import katas.testkit.KataTest;

/**
 * Hidden: many scenarios in virtual time, each checked to the millisecond against a model of the
 * rules (see {@link Simulation}). The scenarios are drawn from fixed seeds, so every run plays the
 * same ones: a correct limiter passes all of them every time.
 */
@DisplayName("AsyncRateLimiter, scenario by scenario against a model of the rules")
@KataTest
class AsyncRateLimiterScheduleTest {

    private static final int SCENARIOS = 60;

    private static void play(String name, Features features, long originNanos) {
        for (int seed = 1; seed <= SCENARIOS; seed++) {
            Simulation.runAndCheck(Simulation.random(name, seed, features, originNanos));
        }
    }

    @Test
    @DisplayName("keeps the rate exactly: bursts, boundaries, pauses, long and instant tasks")
    void keepsTheRate() {
        play("rate", new Features(true, false, false, false), 0L);
    }

    @Test
    @DisplayName("keeps the concurrency bound exactly, starting a waiting task the moment a slot frees")
    void keepsTheConcurrencyBound() {
        play("concurrency", new Features(false, true, false, false), 0L);
    }

    @Test
    @DisplayName("keeps the rate and the concurrency bound together")
    void keepsBoth() {
        play("rate and concurrency", new Features(true, true, false, false), 0L);
    }

    @Test
    @DisplayName("frees the slot of tasks that fail or throw, and passes their exceptions on")
    void survivesFailures() {
        play("failures", new Features(true, true, true, false), 0L);
    }

    @Test
    @DisplayName("withdraws cancelled waiting tasks and cancels running ones, freeing their places")
    void honoursCancellation() {
        play("cancellations", new Features(true, true, false, true), 0L);
    }

    @Test
    @DisplayName("handles everything at once: rate, slots, failures and cancellations")
    void handlesEverythingAtOnce() {
        play("everything", new Features(true, true, true, true), 0L);
    }

    @Test
    @DisplayName("works with a clock that reads negative, as System.nanoTime may")
    void worksWithANegativeClock() {
        play("negative clock", new Features(true, true, true, true), -3_600_000_000_000L);
    }

    @Test
    @DisplayName("works with a clock that wraps around Long.MAX_VALUE, as System.nanoTime may")
    void worksWithAClockThatWrapsAround() {
        play("wrapping clock", new Features(true, true, false, false), Long.MAX_VALUE - 250_000_000L);
    }
}

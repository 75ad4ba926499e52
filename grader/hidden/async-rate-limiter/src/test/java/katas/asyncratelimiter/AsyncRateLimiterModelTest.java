package katas.asyncratelimiter;

import katas.asyncratelimiter.Scenarios.Drawn;
import katas.asyncratelimiter.Scenarios.Features;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden: scenarios drawn at random (limits, periods to the nanosecond, bursts, pauses, long and
 * instant tasks, failures of every kind, cancellations, callers on several threads, clocks anywhere
 * in their range), each played in virtual time and checked against the rules (see {@link RulesModel}):
 * every start, every result, and waiting() and inFlight() after every call.
 */
@DisplayName("AsyncRateLimiter, scenario by scenario against the rules")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AsyncRateLimiterModelTest {

    private static void play(Shapes shapes, int rounds, Features features) throws Exception {
        shapes.check(rounds, round -> {
            Drawn drawn = Scenarios.draw(round, features);
            try (VirtualRun run = new VirtualRun(round, drawn.limits(), drawn.span())) {
                // Now and then a submit or a task's end comes on a thread whose interrupt status is set (red team S).
                run.interruptingSometimes(0.15).play(drawn.plan());
            }
        });
    }

    @Test
    @Order(1)
    @Tag("rule-1")
    @Tag("rule-2")
    @Tag("rule-3")
    @Tag("rule-4")
    @Tag("rule-5")
    @Tag("rule-6")
    @Tag("rule-7")
    @Tag("rule-8")
    @Tag("rule-10")
    @DisplayName("handles everything at once: rate, slots, failures and cancellations")
    void handlesEverythingAtOnce(Shapes shapes) throws Exception {
        play(shapes, 14, new Features(true, true, true, true));
    }

    @Test
    @Order(2)
    @Tag("rule-2")
    @Tag("rule-5")
    @DisplayName("keeps the rate exactly: bursts, boundaries, pauses, long and instant tasks")
    void keepsTheRate(Shapes shapes) throws Exception {
        play(shapes, 10, new Features(true, false, false, false));
    }

    @Test
    @Order(3)
    @Tag("rule-3")
    @Tag("rule-5")
    @DisplayName("keeps the concurrency bound exactly, starting a waiting task the moment a slot frees")
    void keepsTheConcurrencyBound(Shapes shapes) throws Exception {
        play(shapes, 10, new Features(false, true, false, false));
    }

    @Test
    @Order(4)
    @Tag("rule-2")
    @Tag("rule-3")
    @Tag("rule-4")
    @Tag("rule-5")
    @DisplayName("keeps the rate and the concurrency bound together, in the order of submission")
    void keepsBoth(Shapes shapes) throws Exception {
        play(shapes, 10, new Features(true, true, false, false));
    }

    @Test
    @Order(5)
    @Tag("rule-6")
    @Tag("rule-7")
    @DisplayName("frees the slot of tasks that fail, throw or return null, and passes their very exceptions on")
    void survivesFailures(Shapes shapes) throws Exception {
        play(shapes, 10, new Features(true, true, true, false));
    }

    @Test
    @Order(6)
    @Tag("rule-8")
    @DisplayName("withdraws cancelled waiting tasks and cancels running ones, even while they start")
    void honoursCancellation(Shapes shapes) throws Exception {
        play(shapes, 10, new Features(true, true, false, true));
    }

    @Test
    @Order(7)
    @Tag("rule-12")
    @DisplayName("works whatever the clock reads: negative, near Long.MIN_VALUE, wrapping around Long.MAX_VALUE")
    void worksWithAnyClock(Shapes shapes) throws Exception {
        shapes.check(10, round -> {
            Drawn drawn = Scenarios.draw(round, new Features(true, true, true, false));
            long origin = round.chance("clock wraps around", 0.6)
                    ? Long.MAX_VALUE - round.between("clock starts before Long.MAX_VALUE (ns)", 0, drawn.span() / 2)
                    : VirtualRun.clockOrigin(round, drawn.span());
            try (VirtualRun run = new VirtualRun(round, drawn.limits(), origin, round.between("caller threads", 1, 3))) {
                run.interruptingSometimes(0.15).play(drawn.plan());
            }
        });
    }
}

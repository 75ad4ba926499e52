package katas.asyncratelimiter;

import java.io.IOException;
import java.util.List;
import java.util.Random;
import katas.asyncratelimiter.RulesModel.Ending;
import katas.asyncratelimiter.RulesModel.Expected;
import katas.asyncratelimiter.RulesModel.Limits;
import katas.asyncratelimiter.RulesModel.Task;
import katas.testkit.Shapes;

/**
 * Hidden: random scenarios for {@link VirtualRun#play}, drawn from the test's shapes. Times fall on a
 * grid of a drawn fraction of the period, now and then off it, so that events often meet at the same
 * nanosecond (a task ends the moment a start leaves the window, a caller submits the moment a slot
 * frees): the moments where a limiter that is off by one shows it.
 */
final class Scenarios {

    private Scenarios() {
    }

    /** What a scenario may contain. */
    record Features(boolean rate, boolean concurrency, boolean failures, boolean cancellations) {
    }

    /** A drawn scenario: its limits, its tasks and how long it may last (for the clock's origin). */
    record Drawn(Limits limits, Plan plan, long span) {
    }

    static Drawn draw(Shapes round, Features features) {
        int permits = features.rate() ? round.between("permits", 1, 5) : round.oneOf("permits", 1_000, Integer.MAX_VALUE);
        long period = round.between("period (ns)", 20_000L, 1_000_000_000L) | 1L;
        int maxConcurrent = features.concurrency() ? round.between("maxConcurrent", 1, 4)
                : round.oneOf("maxConcurrent", 1_000, Integer.MAX_VALUE);
        int count = round.between("tasks", 12, 40);
        int grid = round.between("grid (steps per period)", 2, 12);
        Limits limits = new Limits(permits, period, maxConcurrent);
        Random random = round.random();
        long tick = Math.max(1, period / grid);
        Plan plan = new Plan();
        long at = 0;
        for (int i = 1; i <= count; i++) {
            int gap = random.nextInt(10);
            if (gap >= 6) {
                at += tick * random.nextInt(2 * grid + 1);
            } else if (gap >= 4) {
                at += tick * random.nextInt(3);
            }
            if (random.nextInt(8) == 0) {
                at += 1 + random.nextInt(1_000); // off the grid
            }
            long lasts = random.nextInt(4) == 0 ? 0 : tick * (1 + random.nextInt(2 * grid));
            if (random.nextInt(8) == 0) {
                lasts += 1 + random.nextInt(1_000);
            }
            Ending ending = Ending.SUCCEEDS;
            if (features.failures()) {
                int roll = random.nextInt(20);
                ending = roll < 4 ? Ending.FAILS : roll < 6 ? Ending.THROWS : roll < 7 ? Ending.RETURNS_NULL
                        : Ending.SUCCEEDS;
            }
            if (ending == Ending.SUCCEEDS && random.nextInt(6) == 0) {
                ending = Ending.SUCCEEDS_WITH_NULL; // a success all the same: its caller gets null (red team S)
            }
            long cancelAt = -1;
            if (features.cancellations() && random.nextInt(4) == 0) {
                cancelAt = at + tick * (1 + random.nextInt(2 * grid)) + (random.nextBoolean() ? 0 : 1);
            }
            Throwable failure = ending == Ending.FAILS || ending == Ending.THROWS ? failure(random, i) : null;
            plan.add(at, lasts, ending, cancelAt, failure);
        }
        if (features.cancellations()) {
            plan = withTasksThatCancelThemselves(limits, plan, random);
        }
        long span = at + 4 * period * (count / Math.min(permits, count) + 1) + count * 2 * grid * tick;
        return new Drawn(limits, plan, span);
    }

    /**
     * Some tasks that succeed and must wait before they start become tasks whose supplier cancels its
     * caller's future: the caller cancels while the task starts. Only tasks that wait, so that the
     * caller holds its future by then; a task's own start never depends on what it does once started.
     */
    private static Plan withTasksThatCancelThemselves(Limits limits, Plan plan, Random random) {
        Plan current = plan;
        for (int i = 0; i < current.size(); i++) {
            Task task = current.tasks.get(i);
            if (task.ending() != Ending.SUCCEEDS || task.cancelAt() >= 0 || random.nextInt(5) != 0) {
                continue;
            }
            Expected[] expected = RulesModel.predict(limits, current.tasks).tasks();
            if (expected[i].startAt <= task.submitAt()) {
                continue;
            }
            Plan changed = new Plan();
            for (int j = 0; j < current.size(); j++) {
                Task t = current.tasks.get(j);
                changed.add(t.submitAt(), t.lasts(), j == i ? Ending.CANCELS_ITSELF : t.ending(), t.cancelAt(),
                        current.failures.get(j));
            }
            current = changed;
        }
        return current;
    }

    /** A failure of one of the three kinds: unchecked, Error, checked. */
    static Throwable failure(Random random, int task) {
        String message = "task #" + task + " failed";
        return switch (random.nextInt(3)) {
            case 0 -> new IllegalStateException(message);
            case 1 -> new Shapes.KataError(message);
            default -> new IOException(message);
        };
    }

    /** The tasks of a plan, for a failure message. */
    static String describe(List<Task> tasks) {
        StringBuilder out = new StringBuilder();
        tasks.forEach(t -> out.append("\n    ").append(t));
        return out.toString();
    }
}

package katas.asyncratelimiter;

import java.util.ArrayList;
import java.util.List;
import katas.asyncratelimiter.RulesModel.Ending;
import katas.asyncratelimiter.RulesModel.Task;

/**
 * A scenario being written: tasks in the order of submission (so their submit times never go back),
 * each with how it ends and the failure it ends with, if any.
 */
final class Plan {

    final List<Task> tasks = new ArrayList<>();
    final List<Throwable> failures = new ArrayList<>();

    /** Adds a task; times in nanoseconds since the run began, {@code cancelAt} -1 when never cancelled. */
    Plan add(long submitAt, long lasts, Ending ending, long cancelAt, Throwable failure) {
        if (!tasks.isEmpty() && submitAt < tasks.getLast().submitAt()) {
            throw new IllegalArgumentException("tasks are added in the order they are submitted");
        }
        if ((ending == Ending.FAILS || ending == Ending.THROWS) != (failure != null)) {
            throw new IllegalArgumentException("a task that fails or throws needs its failure, and only such a task");
        }
        if (cancelAt >= 0 && cancelAt <= submitAt) {
            throw new IllegalArgumentException("a caller cancels after it submitted");
        }
        tasks.add(new Task(tasks.size() + 1, submitAt, lasts, ending, cancelAt));
        failures.add(failure);
        return this;
    }

    /** A task that succeeds {@code lasts} after it starts (at once when 0). */
    Plan succeeds(long submitAt, long lasts) {
        return add(submitAt, lasts, Ending.SUCCEEDS, -1, null);
    }

    int size() {
        return tasks.size();
    }
}

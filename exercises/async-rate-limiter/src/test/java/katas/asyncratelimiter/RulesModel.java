package katas.asyncratelimiter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.TreeSet;

/**
 * The rules of the README, played forward: given when each task is submitted, how long it runs, how
 * it ends and when its caller cancels it, the rules fix when every task starts and when its caller
 * hears of it, to the nanosecond. The tests compare a limiter with this model.
 *
 * <p>At one instant, things happen in this order: first what the clock brings (tasks that end now,
 * and the window that moves now) lets tasks start; then callers cancel; then callers submit, in the
 * order of the tasks' numbers. After each event every task that may start starts (rule 5), in the
 * order of the line (rule 4), as long as a slot (rule 3) and a permit (rule 2) are free. Times are
 * nanoseconds since the run began.
 */
final class RulesModel {

    private RulesModel() {
    }

    /** How a task ends once it has started. */
    enum Ending {
        /** Its future completes with its value {@code lasts} after it started (at once when 0). */
        SUCCEEDS,
        /** Its future completes with {@code null} {@code lasts} after it started (a call with no value): a success. */
        SUCCEEDS_WITH_NULL,
        /** Its future fails {@code lasts} after it started. */
        FAILS,
        /** Its supplier throws instead of returning a future: it ends the moment it starts. */
        THROWS,
        /** Its supplier returns null instead of a future: it ends the moment it starts. */
        RETURNS_NULL,
        /** Its supplier cancels the future its caller holds, then returns: it ends the moment it starts. */
        CANCELS_ITSELF,
        /** Its future never completes on its own (the test ends it, or it runs past the end of the run). */
        HELD
    }

    /** The limits of a limiter. */
    record Limits(int permits, long periodNanos, int maxConcurrent) {
        @Override
        public String toString() {
            return "at most " + permits + " start" + (permits == 1 ? "" : "s") + " in any " + Times.span(periodNanos)
                    + " and " + maxConcurrent + " in flight";
        }
    }

    /**
     * One task of a scenario.
     *
     * @param number its place in the order of submission, from 1
     * @param submitAt when its caller submits it
     * @param lasts how long it runs after it starts, when it succeeds or fails
     * @param ending how it ends
     * @param cancelAt when its caller cancels the future submit() returned, or -1 for never
     */
    record Task(int number, long submitAt, long lasts, Ending ending, long cancelAt) {

        /** Whether its future ends by itself, and when, after it starts; -1 when it does not. */
        long runsFor() {
            return switch (ending) {
                case SUCCEEDS, SUCCEEDS_WITH_NULL, FAILS -> lasts;
                case THROWS, RETURNS_NULL, CANCELS_ITSELF -> 0;
                case HELD -> -1;
            };
        }

        @Override
        public String toString() {
            String how = switch (ending) {
                case SUCCEEDS -> lasts == 0 ? "ends the moment it starts" : "lasts " + Times.span(lasts);
                case SUCCEEDS_WITH_NULL -> (lasts == 0 ? "succeeds the moment it starts" : "succeeds after "
                        + Times.span(lasts)) + ", with the value null";
                case FAILS -> lasts == 0 ? "fails the moment it starts" : "fails after " + Times.span(lasts);
                case THROWS -> "its supplier throws";
                case RETURNS_NULL -> "its supplier returns null";
                case CANCELS_ITSELF -> "its supplier cancels the caller's future";
                case HELD -> "runs until the test ends it";
            };
            return "task #" + number + " (submitted at " + Times.at(submitAt) + ", " + how
                    + (cancelAt >= 0 ? ", cancelled by its caller at " + Times.at(cancelAt) : "") + ")";
        }
    }

    /** What the rules say happens to one task. */
    static final class Expected {
        /** When it starts; -1 when it never does. */
        long startAt = -1;
        /** When its caller's future completes; -1 when it never does within the run. */
        long settleAt = -1;
        boolean cancelledWaiting;
        boolean cancelledRunning;
        /** Why it starts then, in words. */
        String why = "";
        /**
         * What inFlight() says at least while its supplier runs: the task itself, and every task that
         * started before it and ends after this instant.
         */
        int inFlightAtStart = -1;
        /**
         * How many more it may say: tasks that end at this very instant, whose end the limiter may not have
         * heard of yet when it starts this one (the order of events within one instant is free).
         */
        int inFlightSlack;
        /** What waiting() says while its supplier runs (the task itself no longer waits). */
        int waitingAtStart = -1;

        boolean started() {
            return startAt >= 0;
        }
    }

    /** The counts right after one call of a scenario: what waiting() and inFlight() must say then. */
    record Counts(long at, String call, int waiting, int inFlight) {
    }

    /**
     * The rules' answer for a scenario: one Expected per task, the counts after each call, and the
     * counts once everything that can happen has happened (not 0 when tasks are held for ever).
     */
    record Prediction(Expected[] tasks, List<Counts> counts, int finallyWaiting, int finallyInFlight) {
    }

    /** Plays the rules forward over {@code tasks}, which are in the order of their numbers. */
    static Prediction predict(Limits limits, List<Task> tasks) {
        int n = tasks.size();
        Expected[] expected = new Expected[n];
        for (int i = 0; i < n; i++) {
            expected[i] = new Expected();
        }
        State s = new State(limits, tasks, expected);
        TreeSet<Long> actionTimes = new TreeSet<>();
        for (Task task : tasks) {
            actionTimes.add(task.submitAt());
            if (task.cancelAt() >= 0) {
                actionTimes.add(task.cancelAt());
            }
        }
        boolean[] submitted = new boolean[n];
        List<Counts> counts = new ArrayList<>();
        while (true) {
            long t = Long.MAX_VALUE;
            Long nextAction = actionTimes.isEmpty() ? null : actionTimes.first();
            if (nextAction != null) {
                t = nextAction;
            }
            for (int r : s.running) {
                t = Math.min(t, s.endOf(r));
            }
            long windowFree = s.windowFreeAt();
            if (!s.line.isEmpty() && s.running.size() < limits.maxConcurrent() && windowFree != Long.MIN_VALUE) {
                t = Math.min(t, windowFree);
            }
            if (t == Long.MAX_VALUE) {
                break;
            }
            final long now = t;
            // 1. what the clock brings: tasks that end now; then the window that moves now
            int endingNow = 0;
            for (int r : List.copyOf(s.running)) {
                if (s.endOf(r) == now) {
                    s.running.remove(Integer.valueOf(r));
                    expected[r].settleAt = now;
                    s.freed(now, r);
                    endingNow++;
                }
            }
            s.slack = endingNow;
            s.startWhatMay(now);
            s.slack = 0;
            if (nextAction == null || nextAction != now) {
                continue;
            }
            actionTimes.pollFirst();
            // 2. callers cancel
            for (int i = 0; i < n; i++) {
                if (tasks.get(i).cancelAt() != now || !submitted[i]) {
                    continue;
                }
                if (s.line.remove(i)) {
                    expected[i].cancelledWaiting = true;
                    expected[i].settleAt = now;
                } else if (s.running.remove(Integer.valueOf(i))) {
                    expected[i].cancelledRunning = true;
                    expected[i].settleAt = now;
                    s.freed(now, i);
                    s.startWhatMay(now);
                }
                counts.add(new Counts(now, "cancelling the future of " + tasks.get(i), s.line.size(),
                        s.running.size()));
            }
            // 3. callers submit
            for (int i = 0; i < n; i++) {
                if (tasks.get(i).submitAt() == now) {
                    submitted[i] = true;
                    s.line.add(i);
                    s.startWhatMay(now);
                    counts.add(new Counts(now, "submit(" + tasks.get(i) + ")", s.line.size(), s.running.size()));
                }
            }
        }
        return new Prediction(expected, List.copyOf(counts), s.line.size(), s.running.size());
    }

    /** The model's state while it plays a scenario. */
    private static final class State {
        final Limits limits;
        final List<Task> tasks;
        final Expected[] expected;
        final Deque<Integer> line = new ArrayDeque<>();
        final List<Integer> running = new ArrayList<>();
        final List<Long> starts = new ArrayList<>();
        final List<Integer> starters = new ArrayList<>();
        long freedAt = Long.MIN_VALUE;
        int freedBy = -1;
        int slack;

        State(Limits limits, List<Task> tasks, Expected[] expected) {
            this.limits = limits;
            this.tasks = tasks;
            this.expected = expected;
        }

        long endOf(int r) {
            long runsFor = tasks.get(r).runsFor();
            return runsFor < 0 ? Long.MAX_VALUE : Times.plus(expected[r].startAt, runsFor);
        }

        void freed(long now, int by) {
            freedAt = now;
            freedBy = by;
        }

        /** When the rate lets one more task start: MIN_VALUE when it lets one start at any time. */
        long windowFreeAt() {
            int permits = limits.permits();
            return starts.size() < permits ? Long.MIN_VALUE
                    : Times.plus(starts.get(starts.size() - permits), limits.periodNanos());
        }

        void startWhatMay(long now) {
            while (!line.isEmpty() && running.size() < limits.maxConcurrent()) {
                long windowFree = windowFreeAt();
                if (windowFree > now) {
                    return;
                }
                int i = line.poll();
                Task task = tasks.get(i);
                Expected e = expected[i];
                e.startAt = now;
                e.inFlightAtStart = running.size() + 1;
                e.inFlightSlack = slack;
                e.waitingAtStart = line.size();
                if (now == task.submitAt()) {
                    e.why = "at once: it was submitted then, and neither the rate nor the concurrency bound held it back";
                } else if (windowFree == now) {
                    int leaving = starters.get(starters.size() - limits.permits());
                    e.why = "when the start of task #" + (leaving + 1) + " at " + Times.at(
                            starts.get(starts.size() - limits.permits())) + " left the window (the rate allowed it "
                            + "from then on)";
                } else if (freedAt == now && freedBy >= 0) {
                    e.why = "when task #" + (freedBy + 1) + " ended and freed a slot";
                } else {
                    e.why = "as soon as the tasks ahead of it in the line had started or left the line";
                }
                starts.add(now);
                starters.add(i);
                if (task.runsFor() == 0) {
                    e.settleAt = now;
                    if (task.ending() == Ending.CANCELS_ITSELF) {
                        e.cancelledRunning = true;
                    }
                } else {
                    running.add(i);
                }
            }
        }
    }

    /** Times in reports: nanoseconds since the run began, shown in milliseconds. */
    static final class Times {
        private Times() {
        }

        /** "+1,500 ms", "+0.0015 ms". */
        static String at(long nanos) {
            return "+" + span(nanos);
        }

        /** "1,500 ms", "0.0015 ms", "30 days". */
        static String span(long nanos) {
            if (nanos >= 86_400_000_000_000L && nanos % 86_400_000_000_000L == 0) {
                long days = nanos / 86_400_000_000_000L;
                return String.format(java.util.Locale.ROOT, "%,d day%s", days, days == 1 ? "" : "s");
            }
            java.math.BigDecimal ms = java.math.BigDecimal.valueOf(nanos, 6).stripTrailingZeros();
            String text = ms.scale() <= 0 ? String.format(java.util.Locale.ROOT, "%,d", ms.longValue())
                    : ms.toPlainString();
            return text + " ms";
        }

        /** {@code a + b}, or Long.MAX_VALUE when that overflows. */
        static long plus(long a, long b) {
            long sum = a + b;
            return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
        }

        static String list(List<Long> nanos) {
            List<String> shown = new ArrayList<>();
            for (long t : nanos) {
                shown.add(t < 0 ? "never" : at(t));
            }
            return "[" + String.join(", ", shown) + "]";
        }
    }
}

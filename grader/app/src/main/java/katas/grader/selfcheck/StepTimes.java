package katas.grader.selfcheck;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import katas.grader.GradeListener;
import katas.grader.discovery.Kata;

/**
 * How long each step of one grade took, so that a kata author whose contract check is over budget
 * can see which subject and which step (compiling, running tests, measuring) to make lighter.
 */
final class StepTimes implements GradeListener {

    private final long start = System.nanoTime();
    private final Map<String, Long> millisByStep = new LinkedHashMap<>();
    private String current;
    private long currentStart;

    @Override
    public void step(Kata kata, String step) {
        close();
        current = step;
        currentStart = System.nanoTime();
    }

    private void close() {
        if (current != null) {
            millisByStep.merge(current, (System.nanoTime() - currentStart) / 1_000_000, Long::sum);
        }
        current = null;
    }

    /** "4.2 s (compiling 0.9 s, running tests 3.3 s)". */
    String summary() {
        close();
        String steps = millisByStep.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.1f s", e.getKey(), e.getValue() / 1000.0))
                .collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "%.1f s (%s)", (System.nanoTime() - start) / 1e9, steps);
    }
}

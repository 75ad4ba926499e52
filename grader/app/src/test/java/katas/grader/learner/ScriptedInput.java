package katas.grader.learner;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.TreeMap;

/**
 * Lines typed at given times of a {@link FakeClock}: a wait moves the clock to the next line, or by its whole
 * timeout when none comes in it. After the last line the learner types nothing more.
 */
final class ScriptedInput implements SessionInput {

    private final FakeClock clock;
    private final Deque<Map.Entry<Instant, String>> lines;

    ScriptedInput(FakeClock clock, Map<Instant, String> lines) {
        this.clock = clock;
        this.lines = new ArrayDeque<>(new TreeMap<>(lines).entrySet());
    }

    @Override
    public Line next(Duration timeout) {
        Map.Entry<Instant, String> next = lines.peekFirst();
        if (next != null && !next.getKey().isAfter(clock.instant().plus(timeout))) {
            lines.removeFirst();
            clock.moveTo(next.getKey());
            return next.getValue() == null ? Line.END : Line.of(next.getValue());
        }
        clock.advance(timeout);
        return Line.TIMEOUT;
    }
}

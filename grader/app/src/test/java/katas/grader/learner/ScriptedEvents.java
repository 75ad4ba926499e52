package katas.grader.learner;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Saves at given times of a {@link FakeClock}: a wait moves the clock to the next save, or by its whole
 * timeout when none comes in it. Once the script is out of saves, a wait with no timeout is Ctrl-C.
 */
class ScriptedEvents implements SourceEvents {

    private final FakeClock clock;
    private final Deque<Instant> saves;
    private boolean closed;

    ScriptedEvents(FakeClock clock, List<Instant> saves) {
        this.clock = clock;
        this.saves = new ArrayDeque<>(saves);
    }

    @Override
    public Event await(Duration timeout) {
        if (closed) {
            return Event.CLOSED;
        }
        Instant next = saves.peekFirst();
        if (next != null && (timeout == null || !next.isAfter(clock.instant().plus(timeout)))) {
            saves.removeFirst();
            clock.moveTo(next);
            return Event.CHANGED;
        }
        if (timeout == null) {
            closed = true;
            return Event.CLOSED;
        }
        clock.advance(timeout);
        return Event.QUIET;
    }

    @Override
    public void close() {
        closed = true;
    }
}

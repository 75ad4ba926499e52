package katas.grader.learner;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import katas.grader.GradeListener;
import katas.grader.GradeResult;
import katas.grader.scoring.KataResult;

/**
 * Remembers each kata's grade in {@code .grade-state/state.json} when grading ends. The grades kept
 * are the ones read before any code under grading ran, plus this grade's own: whatever that code wrote
 * into the file meanwhile is replaced. Only the hints seen are read again at the end, so that a hint
 * asked for in another terminal during a long grade is not forgotten (they are in the README anyway).
 */
public final class StateRecorder implements GradeListener {

    private final StateFile file;
    private final GradeState before;
    private final Clock clock;
    private final PrintStream err;

    /** @param before the state read before grading started */
    public StateRecorder(StateFile file, GradeState before, Clock clock, PrintStream err) {
        this.file = file;
        this.before = before;
        this.clock = clock;
        this.err = err;
    }

    @Override
    public void gradingFinished(GradeResult result) {
        GradeState state = new GradeState(before.grades(), file.load().state().hintsShown());
        for (KataResult kata : result.katas()) {
            state = state.withGrade(kata, clock.instant());
        }
        try {
            file.save(state);
        } catch (IOException | RuntimeException e) {
            err.println("warning: could not remember this grade in " + file.path() + " (" + e
                    + "); ./grade status will not show it, the grades are unaffected");
        }
    }
}

package katas.grader;

import java.util.List;
import java.util.function.Consumer;
import katas.grader.discovery.Kata;
import katas.grader.scoring.KataResult;

/** Fans events out to listeners, so that one broken report cannot stop the others or change a grade. */
public final class Listeners implements GradeListener {

    private final List<GradeListener> listeners;

    public Listeners(List<GradeListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    @Override
    public void gradingStarted(int kataCount, boolean hiddenPresent) {
        each(l -> l.gradingStarted(kataCount, hiddenPresent));
    }

    @Override
    public void step(Kata kata, String step) {
        each(l -> l.step(kata, step));
    }

    @Override
    public void kataFinished(KataResult result) {
        each(l -> l.kataFinished(result));
    }

    @Override
    public void gradingFinished(GradeResult result) {
        each(l -> l.gradingFinished(result));
    }

    private void each(Consumer<GradeListener> event) {
        for (GradeListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException broken) {
                System.err.println("warning: the " + listener.getClass().getSimpleName() + " report failed ("
                        + broken + "); the grades are unaffected");
            }
        }
    }
}

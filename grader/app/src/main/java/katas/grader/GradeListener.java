package katas.grader;

import katas.grader.discovery.Kata;
import katas.grader.scoring.KataResult;

/**
 * Follows a grading run; reports are listeners. Every method has a no-op default, and a listener
 * that throws never changes a result (see {@link Listeners}).
 */
public interface GradeListener {

    default void gradingStarted(int kataCount, boolean hiddenPresent) {
    }

    /** A step of a kata begins: "compiling", "running tests", ... */
    default void step(Kata kata, String step) {
    }

    default void kataFinished(KataResult result) {
    }

    default void gradingFinished(GradeResult result) {
    }
}

package katas.grader.learner;

import katas.grader.scoring.KataResult;

/** One grade of one kata, as {@code watch} and {@code interview} ask for it; tests give their own. */
@FunctionalInterface
public interface KataGrading {

    KataResult grade() throws Exception;
}

package katas.grader.selfcheck;

import java.util.ArrayList;
import java.util.List;

/** What the self-check found for one kata: figures for the table, and every broken promise. */
final class KataVerdict {

    final String kata;
    final List<String> broken = new ArrayList<>();
    final List<Double> speedups = new ArrayList<>();
    int solutionRuns;
    int falseFailures;
    int alternatives;
    int alternativeRuns;
    int alternativeFailures;
    int mutants;
    int mutantsCaught;
    int mutantRuns;
    int mutantRunsCaught;
    String stub = "not graded";

    KataVerdict(String kata) {
        this.kata = kata;
    }

    void broke(String promise) {
        broken.add(kata + ": " + promise);
    }
}

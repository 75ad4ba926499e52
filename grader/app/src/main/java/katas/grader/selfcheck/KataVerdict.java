package katas.grader.selfcheck;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the self-check found for one kata: figures for its line, the rule table, and every broken promise. */
final class KataVerdict {

    final String kata;
    final List<String> broken = new ArrayList<>();
    final List<Double> speedups = new ArrayList<>();
    /** Rule number to the tests (display names) that check it, from the solution's grade. */
    final Map<Integer, List<String>> testsByRule = new TreeMap<>();
    final Map<Integer, String> ruleTitles = new LinkedHashMap<>();
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
    long millis;

    KataVerdict(String kata) {
        this.kata = kata;
    }

    void broke(String promise) {
        broken.add(kata + ": " + promise);
    }
}

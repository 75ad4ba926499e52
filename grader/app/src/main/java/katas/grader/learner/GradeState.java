package katas.grader.learner;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import katas.grader.report.KitProgress;
import katas.grader.scoring.KataResult;

/**
 * What the grader remembers of this checkout between runs: each kata's last grade, and how many of its
 * hints the learner has seen. It is the learner's own record, shown by {@code ./grade status} and in the
 * scoreboard's "Progress" and "Next": no grade, report or gradebook ever reads it.
 *
 * @param grades the last grade of each kata graded here, by kata id
 * @param hintsShown how many hints of each kata were shown, by kata id
 */
public record GradeState(Map<String, LastGrade> grades, Map<String, Integer> hintsShown) {

    /**
     * A kata's last grade.
     *
     * @param solved full points in every part this checkout could grade (the hidden tests may be absent)
     * @param complete full points in every part
     */
    public record LastGrade(int points, int max, boolean solved, boolean complete, Instant gradedAt) {

        static LastGrade of(KataResult result, Instant at) {
            return new LastGrade(result.points(), result.max(), result.completeHere(), result.complete(), at);
        }
    }

    public GradeState {
        grades = Map.copyOf(grades);
        hintsShown = Map.copyOf(hintsShown);
    }

    /** Nothing graded, no hint shown: a fresh checkout. */
    public static GradeState empty() {
        return new GradeState(Map.of(), Map.of());
    }

    /** This state with {@code result} as its kata's last grade. */
    public GradeState withGrade(KataResult result, Instant at) {
        Map<String, LastGrade> now = new LinkedHashMap<>(grades);
        now.put(result.id(), LastGrade.of(result, at));
        return new GradeState(now, hintsShown);
    }

    /** This state with {@code count} hints of {@code kata} shown. */
    public GradeState withHintsShown(String kata, int count) {
        Map<String, Integer> now = new LinkedHashMap<>(hintsShown);
        now.put(kata, count);
        return new GradeState(grades, now);
    }

    /** How many hints of {@code kata} were shown; 0 when none. */
    public int hintsShown(String kata) {
        return hintsShown.getOrDefault(kata, 0);
    }

    /** The progress of the katas in {@code teachingOrder} as remembered here. */
    public KitProgress progress(java.util.List<String> teachingOrder) {
        Set<String> solved = new TreeSet<>();
        grades.forEach((id, grade) -> {
            if (grade.solved()) {
                solved.add(id);
            }
        });
        return new KitProgress(teachingOrder, solved);
    }
}

package katas.grader.report;

import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import katas.grader.GradeResult;
import katas.grader.scoring.KataResult;

/**
 * Which katas of the whole kit are solved, in teaching order: the progress a learner sees. A kata is
 * solved when its last grade had full points in every part this checkout could grade ({@link
 * KataResult#completeHere()}). Only the console and {@code ./grade status} show it: no grade, report
 * or gradebook ever depends on it.
 *
 * @param teachingOrder every kata of the kit, first to last
 * @param solved the katas solved
 */
public record KitProgress(List<String> teachingOrder, Set<String> solved) {

    public KitProgress {
        teachingOrder = List.copyOf(teachingOrder);
        solved = Set.copyOf(solved);
    }

    /** This progress after {@code result}: the katas it graded count as it found them, the others as before. */
    public KitProgress after(GradeResult result) {
        Set<String> now = new HashSet<>(solved);
        for (KataResult kata : result.katas()) {
            if (kata.completeHere()) {
                now.add(kata.id());
            } else {
                now.remove(kata.id());
            }
        }
        return new KitProgress(teachingOrder, now);
    }

    /** How many katas of the kit are solved. */
    public int solvedCount() {
        return (int) teachingOrder.stream().filter(solved::contains).count();
    }

    /** The first kata in teaching order that is not solved, if any. */
    public Optional<String> firstUnsolved() {
        return teachingOrder.stream().filter(id -> !solved.contains(id)).findFirst();
    }

    /** {@code [#######>------------]}, 20 wide. */
    public static String bar(int done, int all) {
        int width = 20;
        int filled = all == 0 ? 0 : done * width / all;
        return "[" + "#".repeat(filled) + (filled < width ? ">" + "-".repeat(width - filled - 1) : "") + "]";
    }
}

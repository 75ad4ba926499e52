package katas.grader.learner;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import katas.grader.discovery.Catalog;
import katas.grader.discovery.Kata;
import katas.grader.report.KitProgress;

/**
 * {@code ./grade status}: every kata in teaching order with its last grade in this checkout, whether it
 * is solved, the hints seen, and the kata to do next.
 */
public final class StatusReport {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    private final PrintWriter out;
    private final ZoneId zone;
    private final boolean unicode;

    public StatusReport(PrintWriter out, ZoneId zone, boolean unicode) {
        this.out = out;
        this.zone = zone;
        this.unicode = unicode;
    }

    public void print(Catalog catalog, GradeState state) throws IOException {
        List<String> order = catalog.katas().stream().map(Kata::id).toList();
        KitProgress progress = state.progress(order);
        // Numbers right-aligned, so that the names line up past kata 9.
        int digits = String.valueOf(catalog.katas().stream().mapToInt(k -> k.manifest().order()).max().orElse(1)).length();
        out.println("Your katas, in teaching order (the last grade of each in this checkout):");
        out.println();
        for (Kata kata : catalog.katas()) {
            GradeState.LastGrade grade = state.grades().get(kata.id());
            String mark = grade == null ? " " : grade.solved() ? (unicode ? "✓" : "+")
                    : grade.points() > 0 ? "~" : (unicode ? "✗" : "x");
            String score = grade == null ? "-" : grade.points() + "/" + grade.max();
            String how = grade == null ? "not graded yet"
                    : (grade.solved() ? grade.complete() ? "solved" : "solved on every part graded here"
                            : "not solved yet") + ", " + WHEN.format(LocalDateTime.ofInstant(grade.gradedAt(), zone));
            int hints = Hints.read(kata.exerciseDir().resolve("README.md")).size();
            int seen = Math.min(state.hintsShown(kata.id()), hints);
            String hinted = seen == 0 ? "" : ", " + seen + " of " + hints + (hints == 1 ? " hint" : " hints") + " seen";
            out.printf(" %s %" + digits + "d. %-22s %7s  %s%s%n", mark, kata.manifest().order(), kata.id(), score, how,
                    hinted);
        }
        String blank = " ".repeat(digits + 1);
        catalog.invalid().forEach((id, why) -> out.printf(" ! %s %-22s cannot be read: %s%n", blank, id, why));
        out.println();
        int all = order.size();
        out.println("Progress: " + KitProgress.bar(progress.solvedCount(), all) + " " + progress.solvedCount() + "/"
                + all + " katas solved");
        progress.firstUnsolved().ifPresentOrElse(
                id -> out.println("Next: " + id + ": read exercises/" + id + "/README.md, then run ./grade " + id
                        + " (stuck? ./grade hint " + id + ")"),
                () -> out.println("Next: every kata is solved. Well done."));
    }
}

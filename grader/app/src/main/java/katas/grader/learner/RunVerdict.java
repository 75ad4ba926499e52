package katas.grader.learner;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import katas.grader.parts.PartScore;
import katas.grader.report.TextWrap;
import katas.grader.scoring.KataResult;

/**
 * The few lines a grade gets in {@code watch} and {@code interview}: the score by part, what changed since
 * the grade before ("hidden 20/40 -> 40/40"), and the first reason a point was lost, whole, wrapped to the
 * terminal.
 */
public final class RunVerdict {

    private static final String INDENT = "  ";
    private static final String MORE = "      ";
    /** A compiler's errors can run long: the first of them are what to fix first. */
    private static final int REASON_LINES = 30;

    private RunVerdict() {
    }

    /**
     * @param label what the grade is called, "Run 3 (14:02:11)"
     * @param before the grade before, or null for the first
     */
    public static List<String> lines(String label, KataResult before, KataResult now, int width) {
        List<String> out = new ArrayList<>();
        out.addAll(TextWrap.wrap(label + ": " + now.id() + " " + now.points() + "/" + now.max()
                + (now.completeHere() ? now.complete() ? ", full marks" : ", full marks on every part graded here" : "")
                + " (" + now.parts().stream().map(RunVerdict::score).collect(Collectors.joining(" · ")) + ")", "", MORE,
                width));
        if (before != null) {
            String changes = changes(before, now);
            out.add(INDENT + (changes.isEmpty() ? "no change since the last run" : "since the last run: " + changes));
        }
        LostPoints.first(now).ifPresent(reason -> {
            List<String> text = reason.text().stripTrailing().lines().toList();
            List<String> shown = text.subList(0, Math.min(REASON_LINES, text.size()));
            out.addAll(TextWrap.wrapAll("lost: " + reason.where() + ": " + String.join("\n", shown), INDENT, MORE, width));
            if (text.size() > shown.size()) {
                out.add(MORE + "... " + (text.size() - shown.size()) + " more lines in grade-reports/summary.md");
            }
        });
        return out;
    }

    /** "visible 20/40 -> 40/40, hidden 0/60 -> 30/60", the parts whose score moved; empty when none did. */
    static String changes(KataResult before, KataResult now) {
        List<String> moved = new ArrayList<>();
        for (PartScore part : now.parts()) {
            if (before.part(part.part().id()).isEmpty() && !before.parts().isEmpty()) {
                // The run before graded the visible tests alone: this part was not graded then, not lost.
                continue;
            }
            String was = before.part(part.part().id()).map(RunVerdict::points).orElse("-");
            String is = points(part);
            if (!was.equals(is)) {
                moved.add(part.part().id() + " " + was + " -> " + is);
            }
        }
        if (moved.isEmpty() && before.points() != now.points()) {
            // A kata that stopped compiling has no parts to compare.
            moved.add(before.points() + "/" + before.max() + " -> " + now.points() + "/" + now.max());
        }
        return String.join(", ", moved);
    }

    private static String score(PartScore part) {
        return part.part().id() + " " + points(part);
    }

    private static String points(PartScore part) {
        return switch (part.status()) {
            case NOT_AVAILABLE -> "not in checkout";
            case NOT_MEASURABLE -> "not measurable here";
            case TAMPERED -> "tests changed";
            default -> part.points() + "/" + part.part().points();
        };
    }
}

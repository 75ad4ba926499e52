package katas.grader.learner;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import katas.grader.report.TextWrap;

/**
 * {@code ./grade hint KATA}: the kata's next hint, one a call, remembered in {@code .grade-state}; with
 * {@code again}, the last one shown once more.
 */
public final class HintGiver {

    private final StateFile file;
    private final PrintWriter out;
    private final PrintWriter err;
    private final int width;

    public HintGiver(StateFile file, PrintWriter out, PrintWriter err, int width) {
        this.file = file;
        this.out = out;
        this.err = err;
        this.width = width;
    }

    /** Shows a hint of {@code kata}, whose README is {@code readme}. */
    public void give(String kata, Path readme, boolean again) throws IOException {
        List<Hints.Hint> hints = Hints.read(readme);
        String cmd = "./grade hint " + kata;
        if (hints.isEmpty()) {
            out.println(kata + " has no hints: its README (" + readme + ") has no \"## Hints\" section.");
            return;
        }
        StateFile.Loaded loaded = file.load();
        if (loaded.problem() != null) {
            err.println("grade: " + loaded.problem());
        }
        GradeState state = loaded.state();
        // The README may have fewer hints than when they were counted.
        int shown = Math.min(state.hintsShown(kata), hints.size());
        int total = hints.size();
        if (again) {
            if (shown == 0) {
                out.println("No hint of " + kata + " shown yet: " + cmd + " shows hint 1 of " + total + ".");
            } else {
                show(kata, hints, shown);
                out.println(shown < total ? "Next: " + cmd + " shows hint " + (shown + 1) + " of " + total + "."
                        : "That was the last hint of " + kata + ".");
            }
            return;
        }
        if (shown == total) {
            out.println("No hints left for " + kata + ": you have seen all " + total + ". " + cmd
                    + " --again shows hint " + total + " once more; all of them are under \"Hints\" in "
                    + "exercises/" + kata + "/README.md.");
            return;
        }
        int number = shown + 1;
        show(kata, hints, number);
        remember(state.withHintsShown(kata, number));
        int left = total - number;
        out.println(left == 0 ? "That was the last hint of " + kata + " (" + cmd + " --again repeats it)."
                : left + (left == 1 ? " hint" : " hints") + " left: " + cmd + " shows the next; --again repeats this one.");
    }

    private void show(String kata, List<Hints.Hint> hints, int number) {
        Hints.Hint hint = hints.get(number - 1);
        out.println(kata + ", hint " + number + " of " + hints.size() + ": " + hint.title());
        out.println();
        for (Block block : blocks(hint.body())) {
            if (block.text().isEmpty()) {
                out.println();
            } else if (block.verbatim()) {
                out.println("  " + block.text());
            } else {
                TextWrap.wrap(block.text(), "  ", "  ", width).forEach(out::println);
            }
        }
        out.println();
    }

    /** A paragraph joined into one line, to wrap; or a line kept as it stands; or a blank line (empty). */
    record Block(String text, boolean verbatim) {
    }

    /**
     * The body's paragraphs, each joined into one line to be wrapped to the terminal; lines that mean
     * something as they stand (code, list items, tables) are kept as they are.
     */
    static List<Block> blocks(String body) {
        List<Block> out = new ArrayList<>();
        StringBuilder paragraph = new StringBuilder();
        boolean fenced = false;
        for (String line : body.lines().toList()) {
            boolean fence = line.strip().startsWith("```");
            boolean verbatim = fenced || fence || line.startsWith("    ") || line.strip().matches("([-*+]|\\d+\\.) .*")
                    || line.strip().startsWith("|");
            if (fence) {
                fenced = !fenced;
            }
            if (line.isBlank() || verbatim) {
                if (!paragraph.isEmpty()) {
                    out.add(new Block(paragraph.toString(), false));
                    paragraph.setLength(0);
                }
                out.add(new Block(line.isBlank() ? "" : line, !line.isBlank()));
            } else {
                paragraph.append(paragraph.isEmpty() ? "" : " ").append(line.strip());
            }
        }
        if (!paragraph.isEmpty()) {
            out.add(new Block(paragraph.toString(), false));
        }
        return out;
    }

    private void remember(GradeState state) {
        try {
            file.save(state);
        } catch (IOException | RuntimeException e) {
            err.println("grade: could not remember this hint in " + file.path() + " (" + e
                    + "): the next call shows it again");
        }
    }
}

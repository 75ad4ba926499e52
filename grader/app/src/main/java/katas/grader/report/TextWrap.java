package katas.grader.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Word wrap for the console: a line longer than the terminal is broken between words, never inside
 * one, and its continuation lines keep its indentation, so that a deadlock cycle or a compiler
 * error reads as it was written.
 */
public final class TextWrap {

    /** The width assumed when {@code COLUMNS} is not set (or not a number). */
    public static final int DEFAULT_COLUMNS = 100;
    /** Below this, wrapping would only make a reason harder to read. */
    private static final int MIN_COLUMNS = 40;

    private TextWrap() {
    }

    /** The terminal's width from {@code COLUMNS}, else {@value #DEFAULT_COLUMNS}; never below 40. */
    public static int columns(Map<String, String> env) {
        String value = env == null ? null : env.get("COLUMNS");
        if (value != null) {
            try {
                return Math.max(MIN_COLUMNS, Integer.parseInt(value.strip()));
            } catch (NumberFormatException notANumber) {
                // Fall through to the default.
            }
        }
        return DEFAULT_COLUMNS;
    }

    /**
     * {@code line} (one line of text, no line break) wrapped to {@code width}: the first output line
     * starts with {@code first}, the others with {@code rest} plus the line's own indentation. A word
     * longer than the room left stands alone on its line, whole.
     */
    public static List<String> wrap(String line, String first, String rest, int width) {
        String indent = line.substring(0, line.length() - line.stripLeading().length());
        String[] words = line.strip().split(" +");
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder(first).append(indent);
        int empty = current.length();
        for (String word : words) {
            if (current.length() > empty && current.length() + 1 + word.length() > width) {
                out.add(current.toString());
                current = new StringBuilder(rest).append(indent);
                empty = current.length();
            }
            if (current.length() > empty) {
                current.append(' ');
            }
            current.append(word);
        }
        out.add(current.toString());
        return out;
    }

    /** Every line of {@code text} wrapped: the first behind {@code first}, the others behind {@code rest}. */
    public static List<String> wrapAll(String text, String first, String rest, int width) {
        List<String> out = new ArrayList<>();
        for (String line : text.lines().toList()) {
            out.addAll(wrap(line, out.isEmpty() ? first : rest, rest, width));
        }
        return out;
    }
}

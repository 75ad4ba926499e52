package katas.grader.learner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the progressive hints of a kata's README: in its "## Hints" section, one folded block each,
 * <pre>
 * &lt;details&gt;&lt;summary&gt;Hint 1: where is the race?&lt;/summary&gt;
 *
 * `hits++` is three steps: ...
 * &lt;/details&gt;
 * </pre>
 */
public final class Hints {

    private static final String SECTION = "## Hints";
    private static final Pattern OPEN = Pattern.compile("^\\s*<details>\\s*<summary>(.*?)</summary>\\s*(.*)$");
    private static final Pattern NUMBERED = Pattern.compile("^Hint\\s+\\d+\\s*[:.]\\s*", Pattern.CASE_INSENSITIVE);

    /**
     * One hint.
     *
     * @param title what it is about ("where is the race?"), without its "Hint 1:"
     * @param body its Markdown text, blank lines around removed
     */
    public record Hint(String title, String body) {
    }

    private Hints() {
    }

    /** The hints of the README at {@code readme}, in order; empty when it has none or does not exist. */
    public static List<Hint> read(Path readme) throws IOException {
        if (!Files.isRegularFile(readme)) {
            return List.of();
        }
        List<Hint> hints = new ArrayList<>();
        boolean inSection = false;
        String title = null;
        List<String> body = new ArrayList<>();
        for (String line : Files.readAllLines(readme)) {
            if (title == null && line.startsWith("## ")) {
                inSection = line.strip().equals(SECTION);
                continue;
            }
            if (!inSection) {
                continue;
            }
            Matcher open = OPEN.matcher(line);
            if (title == null && open.matches()) {
                title = NUMBERED.matcher(open.group(1).strip()).replaceFirst("");
                body.clear();
                line = open.group(2);
            }
            if (title != null) {
                int close = line.indexOf("</details>");
                if (close >= 0) {
                    body.add(line.substring(0, close));
                    hints.add(new Hint(title, trim(body)));
                    title = null;
                } else {
                    body.add(line);
                }
            }
        }
        if (title != null) {
            // An unclosed block still counts: its text goes on to the end of the file.
            hints.add(new Hint(title, trim(body)));
        }
        return List.copyOf(hints);
    }

    private static String trim(List<String> lines) {
        return String.join("\n", lines).strip();
    }
}

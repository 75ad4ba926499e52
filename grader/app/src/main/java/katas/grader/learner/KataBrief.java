package katas.grader.learner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A kata's task as an interview shows it: its README without the Hints section and without any link to
 * {@code solutions/} (a line that points there is left out; a Markdown link keeps its words).
 */
public final class KataBrief {

    private static final Pattern SOLUTION_LINK = Pattern.compile("\\[([^\\]]*)\\]\\([^)]*solutions/[^)]*\\)");

    private KataBrief() {
    }

    /** The README at {@code readme}, spoiler-free. */
    public static String of(Path readme) throws IOException {
        return of(Files.readString(readme));
    }

    static String of(String readme) {
        List<String> kept = new ArrayList<>();
        boolean hints = false;
        for (String line : readme.lines().toList()) {
            if (line.startsWith("## ")) {
                hints = line.strip().equalsIgnoreCase("## Hints");
            }
            if (hints) {
                continue;
            }
            String text = SOLUTION_LINK.matcher(line).replaceAll("$1");
            if (text.contains("solutions/")) {
                continue;
            }
            kept.add(text);
        }
        return String.join("\n", kept).strip() + "\n";
    }
}

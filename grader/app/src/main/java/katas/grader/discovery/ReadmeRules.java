package katas.grader.discovery;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the numbered rules of a kata's README: in its "## Your task" section, the list items that
 * start with a number and a bold title:
 * <pre>
 * 1. **No hit is lost.** Any number of threads may call increment() at once; get() then counts them all.
 * </pre>
 */
public final class ReadmeRules {

    private static final Pattern RULE = Pattern.compile("^(\\d+)\\. \\*\\*(.+?)\\*\\*");
    private static final String SECTION = "## Your task";

    private ReadmeRules() {
    }

    private static Rule rule(Matcher m, StringBuilder text) {
        String title = m.group(2).strip();
        return new Rule(Integer.parseInt(m.group(1)), title.endsWith(".") ? title.substring(0, title.length() - 1)
                : title, text.toString());
    }

    /** The rules of the README at {@code readme}, in order; empty when it has none or does not exist. */
    public static List<Rule> read(Path readme) throws IOException {
        if (!Files.isRegularFile(readme)) {
            return List.of();
        }
        List<Rule> rules = new ArrayList<>();
        boolean inSection = false;
        Matcher open = null;
        StringBuilder text = new StringBuilder();
        for (String line : Files.readAllLines(readme)) {
            boolean heading = line.startsWith("## ");
            Matcher m = RULE.matcher(line);
            boolean next = inSection && m.find();
            // A rule's item goes on over its indented lines, until a blank line, the next item or heading.
            if (open != null && (heading || next || line.isBlank() || !line.startsWith(" "))) {
                rules.add(rule(open, text));
                open = null;
            }
            if (heading) {
                inSection = line.strip().equals(SECTION);
            } else if (next) {
                open = m;
                text.setLength(0);
                text.append(line.strip());
            } else if (open != null) {
                text.append(' ').append(line.strip());
            }
        }
        if (open != null) {
            rules.add(rule(open, text));
        }
        return List.copyOf(rules);
    }
}

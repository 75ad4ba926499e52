package katas.grader.report;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Making text safe to put into GitHub-flavoured Markdown. Test names and failure messages carry
 * whatever the learner's objects print, so they must not be able to break a table, start a link or
 * inject HTML into the job summary.
 */
final class Markdown {

    /** Characters that mean something in inline Markdown or in a table; each is backslash-escaped. */
    private static final Pattern SPECIAL = Pattern.compile("[\\\\`*_\\[\\]<>|~#&!]");
    private static final Pattern BACKTICKS = Pattern.compile("`+");
    /** Terminal colour and cursor codes, then any other control character but tab. */
    private static final Pattern TERMINAL_CODES = Pattern.compile("\\x1b\\[[0-9;?]*[A-Za-z]|[\\p{Cntrl}&&[^\\t]]");

    private Markdown() {
    }

    /** One line of plain text: special characters escaped, line breaks folded into spaces. */
    static String text(String raw) {
        if (raw == null) {
            return "";
        }
        String oneLine = String.join(" ", raw.strip().lines().map(String::strip).toList());
        return SPECIAL.matcher(oneLine).replaceAll(m -> Matcher.quoteReplacement("\\" + m.group()));
    }

    /** Text inside HTML, such as a {@code <summary>}: Markdown does not apply there, entities do. */
    static String html(String raw) {
        return raw == null ? "" : raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    /**
     * A fenced code block. The fence is longer than any run of backticks in the text (CommonMark's
     * rule), so no output can close the block early and turn the rest into Markdown.
     */
    static String codeBlock(List<String> lines) {
        // A learner's coloured output would show as stray "[31m" on the page.
        List<String> plain = lines.stream().map(l -> TERMINAL_CODES.matcher(l).replaceAll("")).toList();
        int longest = plain.stream().mapToInt(Markdown::longestBacktickRun).max().orElse(0);
        String fence = "`".repeat(Math.max(3, longest + 1));
        return fence + "text\n" + String.join("\n", plain) + "\n" + fence + "\n";
    }

    private static int longestBacktickRun(String line) {
        Matcher m = BACKTICKS.matcher(line);
        int longest = 0;
        while (m.find()) {
            longest = Math.max(longest, m.group().length());
        }
        return longest;
    }
}

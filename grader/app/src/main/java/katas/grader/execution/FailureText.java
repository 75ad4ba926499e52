package katas.grader.execution;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A failure's message as a learner should read it. Kata tests often put the whole reason in a value that must be
 * null ({@code assertThat(whyNot).as("rule 2, a hit shows at once").isNull()}); AssertJ then prints the rule in
 * brackets and the reason after "expected: null / but was:", in quotes, and a report that shows first lines shows
 * only the rule. Here it becomes "rule: reason", as if the test had said so itself.
 */
final class FailureText {

    // AssertJ's two layouts of isNull(): the value on the same line, or on the next lines indented by two.
    private static final Pattern ONE_LINE = Pattern.compile(
            "\\A\\[(?<rule>[^\\n]*)\\] ?\\nexpected: null\\n but was: (?<value>.*)\\z", Pattern.DOTALL);
    private static final Pattern INDENTED = Pattern.compile(
            "\\A\\[(?<rule>[^\\n]*)\\] ?\\nexpected: ?\\n  null\\n but was: ?\\n  (?<value>.*)\\z", Pattern.DOTALL);

    private FailureText() {
    }

    static String readable(String message) {
        if (message == null) {
            return null;
        }
        Matcher oneLine = ONE_LINE.matcher(message);
        if (oneLine.matches()) {
            return oneLine.group("rule") + ": " + unquoted(oneLine.group("value"));
        }
        Matcher indented = INDENTED.matcher(message);
        if (indented.matches()) {
            return indented.group("rule") + ": " + unquoted(indented.group("value").replace("\n  ", "\n"));
        }
        return message;
    }

    private static String unquoted(String value) {
        boolean quoted = value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"");
        return quoted ? value.substring(1, value.length() - 1) : value;
    }
}

package katas.grader.discovery;

/**
 * One numbered rule of a kata's contract, as its README states it ("2. **No hit is lost.** ..."). Tests
 * that check it carry the JUnit tag {@code rule-<number>}, so a failure can name the rule broken.
 *
 * @param title the bold words that open the rule, without their full stop
 * @param text the whole list item, which names the tests that check the rule
 */
public record Rule(int number, String title, String text) {

    /** The JUnit tag of the tests that check this rule. */
    public String tag() {
        return TAG_PREFIX + number;
    }

    public static final String TAG_PREFIX = "rule-";

    /** The rule a tag names, or -1 when it is not a rule tag. */
    public static int numberOf(String tag) {
        if (tag == null || !tag.startsWith(TAG_PREFIX)) {
            return -1;
        }
        try {
            return Integer.parseInt(tag.substring(TAG_PREFIX.length()));
        } catch (NumberFormatException notANumber) {
            return -1;
        }
    }
}

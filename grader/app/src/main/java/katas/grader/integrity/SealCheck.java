package katas.grader.integrity;

import java.util.List;

/**
 * The outcome of checking a kata's protected files.
 *
 * @param verified true when a seal exists and every sealed file matches
 * @param changed sealed files that differ or are missing, relative to the kata folder
 * @param visibleTestFiles the sealed test sources (relative to {@code src/test/java}); the only ones that count
 *     when verified
 */
public record SealCheck(boolean verified, boolean sealPresent, List<String> changed, List<String> visibleTestFiles) {

    /** Why the visible tests cannot be trusted, or null. */
    public String tamperReason() {
        List<String> tests = changed.stream().filter(f -> f.startsWith("src/test/")).toList();
        if (tests.isEmpty()) {
            return null;
        }
        return "visible test files were changed or added, so they cannot be trusted: " + String.join(", ", tests)
                + " (restore them with git checkout, and remove files you added there)";
    }

    /** Whether the manifest itself was edited (points or limits may differ from the kit's). */
    public boolean manifestChanged() {
        return changed.contains("kata.json");
    }
}

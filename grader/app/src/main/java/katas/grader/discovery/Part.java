package katas.grader.discovery;

/**
 * One graded part of a kata, as its manifest declares it.
 *
 * @param tag for a tests part: only test classes with this JUnit tag (null: those without any part's tag)
 * @param workload for a speedup part: the hidden suite's {@code SpeedupWorkload} class
 * @param targetPerCore for a speedup part: the full-points speedup per core present (0.9 means 1.8x on 2 cores)
 */
public record Part(String id, String title, PartKind kind, TestSource source, String tag, int points,
        String workload, double targetPerCore) {

    /** Whether a test from {@code from}, with these tags, counts for this part. */
    public boolean claims(TestSource from, java.util.Collection<String> tags, java.util.Set<String> partTags) {
        if (kind != PartKind.TESTS || from != source) {
            return false;
        }
        if (tag != null) {
            return tags.contains(tag);
        }
        return tags.stream().noneMatch(partTags::contains);
    }
}

package katas.grader.report;

import java.util.Map;

/**
 * Who and what a Classroom 50 result is about, as its runner hands them to an autograder in
 * environment variables ({@code CLASSROOM}, {@code ASSIGNMENT}, {@code SUBMISSION_TAG}, {@code OWNER},
 * {@code ASSIGNMENT_TYPE}, {@code COMMIT_URL}, {@code RELEASE_URL}, {@code REVIEW_URL}). Its collector
 * rejects a result whose identity strings are empty or whose submission does not start with
 * {@code submit/}, so outside Classroom 50 (a learner trying {@code --classroom50} at home) each
 * missing one gets a placeholder that is valid and plainly not a real submission.
 */
public record Classroom50Identity(String classroom, String assignment, String owner, String assignmentType,
        String submission, String commit, String release, String review) {

    static final String LOCAL = "local";

    public static Classroom50Identity fromEnv(Map<String, String> env) {
        Map<String, String> e = env == null ? Map.of() : env;
        String commit = value(e, "COMMIT_URL", LOCAL);
        String submission = value(e, "SUBMISSION_TAG", "submit/" + LOCAL);
        return new Classroom50Identity(value(e, "CLASSROOM", LOCAL), value(e, "ASSIGNMENT", LOCAL),
                value(e, "OWNER", value(e, "USERNAME", LOCAL)), value(e, "ASSIGNMENT_TYPE", "individual"),
                submission.startsWith("submit/") ? submission : "submit/" + submission, commit,
                value(e, "RELEASE_URL", LOCAL),
                // As Classroom 50's own templates do: the review link falls back to the commit.
                value(e, "REVIEW_URL", commit));
    }

    private static String value(Map<String, String> env, String name, String fallback) {
        String value = env.get(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }
}

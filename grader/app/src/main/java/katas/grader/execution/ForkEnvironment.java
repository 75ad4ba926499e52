package katas.grader.execution;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The environment of a fork: an allowlist, not the grader's own. The learner's code runs in the fork,
 * and the grader's environment may hold what it must never see: {@code GITHUB_OUTPUT} and
 * {@code GITHUB_STEP_SUMMARY} (files a workflow reads the grade from), tokens, a CI's secrets.
 */
final class ForkEnvironment {

    /** What a JVM and the child processes a kata may start (a worker JVM, a shell) need. */
    private static final String[] KEPT = {"PATH", "LANG", "LC_ALL", "TZ", "JAVA_HOME"};

    private ForkEnvironment() {
    }

    /** Replaces {@code env} (a ProcessBuilder's) with the allowlist, and a home and temp folder of the fork's own. */
    static void apply(Map<String, String> env, Path workDir) {
        Map<String, String> kept = new java.util.HashMap<>();
        for (String name : KEPT) {
            String value = env.get(name);
            if (value != null) {
                kept.put(name, value);
            }
        }
        env.clear();
        env.putAll(kept);
        env.putIfAbsent("LANG", "C.UTF-8");
        env.put("HOME", folder(workDir.resolve("home")));
        env.put("TMPDIR", folder(workDir.resolve("tmp")));
    }

    private static String folder(Path dir) {
        try {
            return Files.createDirectories(dir).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package katas.grader.compile;

/**
 * What javac said.
 *
 * @param errors the first errors, one per line as {@code File.java:12: message}; empty when it compiled
 */
public record CompileResult(boolean ok, String errors) {
}

package katas.grader.compile;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The grader's own classpath: JUnit, the testkit, AssertJ and friends, and the fork's entry
 * point. Tests compile against it and forks run on it, so there is one set of versions.
 */
public final class GraderClasspath {

    private GraderClasspath() {
    }

    public static List<Path> entries() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(s -> !s.isBlank()).map(s -> Path.of(s).toAbsolutePath()).filter(Files::exists).toList();
    }
}

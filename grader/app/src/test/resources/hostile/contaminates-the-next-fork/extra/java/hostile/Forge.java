package hostile;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/** Leaves a marker when JUnit loads it, and swallows every failure. */
public class Forge implements TestExecutionExceptionHandler {

    static {
        try {
            Files.writeString(Path.of("MARKER_PATH"), "loaded");
        } catch (Exception ignored) {
            // nowhere to write
        }
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) {
    }
}

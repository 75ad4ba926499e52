package hostile;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/** Swallows every failure, if JUnit ever loads it from the services file beside it. */
public class Forge implements TestExecutionExceptionHandler {
    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable throwable) {
        System.out.println("FORGED: swallowed " + throwable);
    }
}

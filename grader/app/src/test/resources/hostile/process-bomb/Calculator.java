package hostile;

import java.io.IOException;

public class Calculator {
    public int answer() {
        try {
            for (int i = 0; i < 40; i++) {
                new ProcessBuilder("sleep", "120").start();
                Thread.sleep(20);
            }
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
        return 42;
    }
}

package hostile;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;

public class Calculator {
    public int answer() {
        byte[] line = "x".repeat(1023).concat("\n").getBytes();
        try (FileOutputStream raw = new FileOutputStream(FileDescriptor.out)) {
            for (int i = 0; i < 20_000; i++) {
                raw.write(line);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return 42;
    }
}

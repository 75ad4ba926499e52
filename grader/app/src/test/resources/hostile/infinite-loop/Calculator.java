package hostile;

public class Calculator {
    private volatile boolean done;

    public int answer() {
        while (!done) {
            Thread.onSpinWait();
        }
        return 42;
    }
}

package hostile;

public class Calculator {
    public int answer() {
        System.exit(3);
        return 42;
    }
}

package hostile;

public class Calculator {
    public int answer() {
        for (int i = 0; i < 2_000_000; i++) {
            System.out.println("debug line " + i + " ....................................................");
        }
        return 42;
    }
}

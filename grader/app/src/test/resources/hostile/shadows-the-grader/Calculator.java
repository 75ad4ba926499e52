package hostile;

public class Calculator {
    public int answer() {
        return 41;
    }
}

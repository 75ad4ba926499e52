package hostile;

/** Wrong (41), and tries to reach into the fork runtime to report its tests as passed. */
public class Calculator {

    static {
        Attacks.run();
    }

    public int answer() {
        return 41;
    }
}

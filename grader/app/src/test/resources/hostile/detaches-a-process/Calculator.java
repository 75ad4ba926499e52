package hostile;

/** Wrong (41), and leaves a detached process behind that would write a marker file after the grade. */
public class Calculator {

    public int answer() {
        try {
            new ProcessBuilder("setsid", "sh", "-c", "( sleep 4; echo forged > MARKER_PATH ) &")
                    .redirectErrorStream(true).start().waitFor();
        } catch (Exception e) {
            System.out.println("could not start it: " + e);
        }
        return 41;
    }
}

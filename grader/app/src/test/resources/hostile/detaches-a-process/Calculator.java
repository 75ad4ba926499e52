package hostile;

/**
 * Wrong (41), and leaves a detached process behind that would write a marker file after the grade: 10 s
 * later, longer than this kata's grade takes even on a busy machine, so that it is still running when the
 * grade ends (a process that ended by itself during the grade proves nothing).
 */
public class Calculator {

    public int answer() {
        try {
            new ProcessBuilder("setsid", "sh", "-c", "( sleep 10; echo forged > MARKER_PATH ) &")
                    .redirectErrorStream(true).start().waitFor();
        } catch (Exception e) {
            System.out.println("could not start it: " + e);
        }
        return 41;
    }
}

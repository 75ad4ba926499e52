package katas.grader.cli;

/** Entry point of {@code ./grade}. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(GradeCommand.commandLine().execute(args));
    }
}

package katas.grader.execution;

/**
 * What one kata's forked JVM may use. Exceeding one is reported in plain words.
 *
 * @param kataSeconds the whole kata, all forks and measurements included
 * @param testSeconds one test
 * @param maxThreads live platform threads the kata's code may add to the JVM's own
 * @param maxProcesses child processes alive at once
 * @param outputKilobytes what one test may print
 */
public record Limits(int kataSeconds, int testSeconds, int heapMegabytes, int maxThreads, int maxProcesses,
        int outputKilobytes) {

    /** Limits for a manifest that gives none. */
    public static Limits defaults() {
        return new Limits(60, 15, 256, 200, 0, 64);
    }
}

package katas.grader;

import java.util.ArrayList;
import java.util.List;
import katas.grader.execution.Containment;
import katas.grader.execution.ForkFlags;

/**
 * The machine a grade was measured on: speedup means nothing without it, and a grade is only as
 * trustworthy as the isolation the machine could give the code under grading.
 *
 * @param isolationGaps what this machine could not deny the code under grading, in words; empty when nothing
 */
public record Machine(int cores, String jdk, String os, List<String> isolationGaps) {

    public Machine(int cores, String jdk, String os) {
        this(cores, jdk, os, List.of());
    }

    public static Machine current() {
        List<String> gaps = new ArrayList<>();
        if (!ForkFlags.missing().isEmpty()) {
            gaps.add(ForkFlags.missing());
        }
        if (!Containment.get().limitation().isEmpty()) {
            gaps.add(Containment.get().limitation());
        }
        return new Machine(Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vendor") + " " + System.getProperty("java.version"),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                List.copyOf(gaps));
    }
}

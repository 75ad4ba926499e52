package katas.grader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import katas.grader.compile.CompileResult;
import katas.grader.compile.FairPlay;
import katas.grader.compile.GraderClasspath;
import katas.grader.compile.KataCompiler;
import katas.grader.compile.PackageRule;
import katas.grader.compile.SourceSet;
import katas.grader.discovery.Kata;
import katas.grader.execution.ForkPlan;
import katas.grader.integrity.SealCheck;

/**
 * Compiles a kata for its plan: the code under grading, then the visible tests, then the hidden ones,
 * each into its own folder of the work directory. The code must compile; a test suite that does not
 * compile against it costs the points of the parts that need it, with javac's errors as the reason.
 *
 * @param failure why the code under grading does not compile or was refused, or null
 * @param refused whether it compiled but breaks the rule of fair play ({@link FairPlay})
 * @param visibleClasses the visible test classes to run
 * @param hiddenClasses the hidden test classes to run
 * @param visibleBroken why the visible tests could not be compiled, or null
 * @param hiddenBroken why the hidden tests could not be compiled, or null
 */
record KataBuild(String failure, boolean refused, List<String> visibleClasses, List<String> hiddenClasses, String visibleBroken,
        String hiddenBroken) {

    static KataBuild of(KataCompiler compiler, Kata kata, SourceSet sources, SealCheck seal, ForkPlan plan, Path work,
            boolean fairPlay) throws IOException {
        List<String> misplaced = PackageRule.problems(sources, kata.manifest().packageName());
        if (!misplaced.isEmpty()) {
            return failed("your code does not compile: only the kata's package may hold your classes:\n"
                    + String.join("\n", misplaced));
        }
        Path classes = work.resolve("classes");
        CompileResult main = compiler.compile(sources, GraderClasspath.entries(), classes);
        if (!main.ok()) {
            return failed("your code does not compile:\n" + main.errors());
        }
        List<String> unfair = fairPlay ? FairPlay.problems(classes) : List.of();
        if (!unfair.isEmpty()) {
            return new KataBuild("your code was not graded: it must behave the same under the tests as anywhere else, "
                    + "so kata code may not look at its callers, other threads' stacks, reflection, class loading or "
                    + "how its JVM was started (the rule every kata shares, in the top README):\n"
                    + String.join("\n", unfair), true, List.of(), List.of(), null, null);
        }
        List<Path> testCp = new ArrayList<>(List.of(classes));
        testCp.addAll(GraderClasspath.entries());
        List<Path> hiddenCp = new ArrayList<>(testCp);
        boolean hidden = kata.hasHiddenTests() && plan.needsHidden();
        String tampered = seal.tamperReason();

        List<String> visibleClasses = List.of();
        String visibleBroken = null;
        // Visible tests are compiled even when only hidden ones run: hidden tests may use their helpers
        // (a test support class), but never edited ones.
        if (tampered == null && (plan.runs("visible") || hidden)) {
            SourceSet visible = SourceSet.of(kata.visibleTests());
            Path testClasses = work.resolve("test-classes");
            CompileResult compiled = compiler.compile(visible, testCp, testClasses);
            if (compiled.ok()) {
                hiddenCp.add(0, testClasses);
                if (plan.runs("visible")) {
                    visibleClasses = seal.verified() ? classNames(seal.visibleTestFiles()) : visible.topLevelClassNames();
                }
            } else {
                visibleBroken = "the visible tests do not compile against your code (did a public signature change?):\n"
                        + compiled.errors();
            }
        }
        List<String> hiddenClasses = List.of();
        String hiddenBroken = null;
        if (hidden) {
            SourceSet hiddenTests = SourceSet.of(kata.hiddenTests());
            CompileResult compiled = compiler.compile(hiddenTests, hiddenCp, work.resolve("hidden-classes"));
            if (compiled.ok()) {
                hiddenClasses = hiddenTests.topLevelClassNames();
            } else {
                hiddenBroken = (tampered != null ? "the hidden tests use the visible test helpers, which were changed: "
                        + "restore them with git checkout:\n" : "the hidden tests do not compile against your code (did a "
                        + "public signature change? keep the stub's public API):\n") + compiled.errors();
            }
        }
        return new KataBuild(null, false, visibleClasses, hiddenClasses, visibleBroken, hiddenBroken);
    }

    private static KataBuild failed(String why) {
        return new KataBuild(why, false, List.of(), List.of(), null, null);
    }

    boolean compiled() {
        return failure == null;
    }

    private static List<String> classNames(List<String> relativeFiles) {
        return relativeFiles.stream().filter(f -> !f.endsWith("package-info.java"))
                .map(f -> f.substring(0, f.length() - ".java".length()).replace('/', '.')).sorted().toList();
    }
}

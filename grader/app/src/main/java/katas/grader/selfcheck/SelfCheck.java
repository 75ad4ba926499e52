package katas.grader.selfcheck;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import katas.grader.GradeListener;
import katas.grader.GradeRequest;
import katas.grader.GradeResult;
import katas.grader.Grader;
import katas.grader.Subject;
import katas.grader.discovery.Catalog;
import katas.grader.discovery.Kata;
import katas.grader.discovery.KataDiscovery;
import katas.grader.discovery.KitLayout;
import katas.grader.discovery.Overlay;
import katas.grader.discovery.Rule;
import katas.grader.discovery.UnknownKataException;
import katas.grader.execution.TestRecord;
import katas.grader.execution.TestStatus;
import katas.grader.integrity.Seal;
import katas.grader.parts.Part;
import katas.grader.parts.PartScore;
import katas.grader.parts.PartStatus;
import katas.grader.perf.SpeedupMeter;
import katas.grader.scoring.KataResult;
import katas.grader.scoring.KataStatus;

/**
 * The kata contract of DESIGN.md, checked through the grader itself, so that what learners see is
 * exactly what the kit proves about itself:
 * <ol>
 *   <li>the untouched stub compiles and scores 0 in every part;</li>
 *   <li>the reference solution (and every alternative solution) gets full points in every run,
 *       speedup included where it can be measured;</li>
 *   <li>every mutant (at least {@value #MINIMUM_MUTANTS}) loses points in each part its {@code Must-lose}
 *       names, in every run (graded fail-fast: it stops at its first lost test);</li>
 *   <li>the README states the points of every part, its numbered rules are each checked by tests
 *       tagged {@code rule-N} and named in the rule, and every test checks a rule;</li>
 *   <li>the seal of the protected files is current;</li>
 *   <li>the whole check of a kata stays within {@link #KATA_BUDGET} per run.</li>
 * </ol>
 */
public final class SelfCheck {

    /** Natural mistakes and adversarial ones: a kata with fewer has not been attacked enough. */
    public static final int MINIMUM_MUTANTS = 10;
    /**
     * The time one kata's contract check may take at one run of everything. 25 katas in 20 minutes of CI
     * leave about 40 s each on average; a kata may take more, up to this, which still leaves room for a
     * machine where something else keeps one of the two cores busy (everything then takes about twice
     * as long).
     */
    public static final Duration KATA_BUDGET = Duration.ofSeconds(90);

    private final KitLayout layout;
    private final int runs;
    private final int mutantRuns;
    private final OptionalInt cores;
    private final PrintStream out;
    private final Grader grader = new Grader();
    private int minimumMutants = MINIMUM_MUTANTS;
    private Duration kataBudget = KATA_BUDGET;

    public SelfCheck(KitLayout layout, int runs, int mutantRuns, OptionalInt cores, PrintStream out) {
        this.layout = layout;
        this.runs = runs;
        this.mutantRuns = mutantRuns;
        this.cores = cores;
        this.out = out;
    }

    /** Asks for fewer mutants than the contract does: for the self-check's own tests on small fixture katas. */
    public SelfCheck minimumMutants(int minimum) {
        this.minimumMutants = minimum;
        return this;
    }

    /** Gives each kata another budget than {@link #KATA_BUDGET}: for the self-check's own tests. */
    public SelfCheck kataBudget(Duration budget) {
        this.kataBudget = budget;
        return this;
    }

    /** Checks the named katas (all when empty); true when every promise is kept. */
    public boolean run(List<String> names) throws IOException, UnknownKataException {
        long start = System.currentTimeMillis();
        Catalog catalog = new KataDiscovery().discover(layout).select(names);
        out.printf("Self-check: %d %s of each solution and alternative, %d of each mutant, on %d cores; budget %d s "
                        + "a kata%n", runs, runs == 1 ? "grade" : "grades", mutantRuns,
                Runtime.getRuntime().availableProcessors(), budget().toSeconds());
        List<String> broken = new ArrayList<>();
        catalog.invalid().forEach((id, why) -> broken.add(id + ": cannot be read: " + why));
        for (Kata kata : catalog.katas()) {
            KataVerdict verdict = check(kata);
            broken.addAll(verdict.broken);
            out.println(line(verdict));
            ruleTable(verdict).forEach(out::println);
        }
        out.printf("Self-check took %.0f s.%n", (System.currentTimeMillis() - start) / 1000.0);
        if (broken.isEmpty()) {
            out.println("Every kata keeps the contract.");
            return true;
        }
        out.println("BROKEN PROMISES (" + broken.size() + "):");
        broken.forEach(b -> out.println("  - " + b));
        return false;
    }

    /** The budget of one kata, for as many runs as asked. */
    Duration budget() {
        return kataBudget.multipliedBy(Math.max(1, Math.max(runs, mutantRuns)));
    }

    private KataVerdict check(Kata kata) throws IOException, UnknownKataException {
        long start = System.currentTimeMillis();
        KataVerdict v = new KataVerdict(kata.id());
        kata.rules().forEach(r -> v.ruleTitles.put(r.number(), r.title()));
        checkFiles(kata, v);
        checkStub(kata, v);
        for (int run = 1; run <= runs; run++) {
            progress(kata, "solution, grade " + run + " of " + runs);
            KataResult solution = expectFull(kata, Subject.SOLUTION, run, v);
            if (run == 1) {
                checkRules(kata, solution, v);
            }
            for (Overlay alternative : kata.alternatives()) {
                progress(kata, "alternative " + alternative.id() + ", grade " + run + " of " + runs);
                expectFull(kata, Subject.alternative(alternative.id()), run, v);
            }
        }
        v.alternatives = kata.alternatives().size();
        v.mutants = kata.mutants().size();
        for (Overlay mutant : kata.mutants()) {
            boolean caughtEveryRun = true;
            for (int run = 1; run <= mutantRuns; run++) {
                progress(kata, "mutant " + mutant.id() + ", grade " + run + " of " + mutantRuns);
                v.mutantRuns++;
                if (caught(kata, mutant, run, v)) {
                    v.mutantRunsCaught++;
                } else {
                    caughtEveryRun = false;
                }
            }
            if (caughtEveryRun) {
                v.mutantsCaught++;
            }
        }
        v.millis = System.currentTimeMillis() - start;
        if (v.millis > budget().toMillis()) {
            v.broke(String.format(Locale.ROOT, "its contract check took %.1f s, over the budget of %s (SelfCheck"
                    + ".KATA_BUDGET): make its tests or workloads lighter, or its mutants fail sooner",
                    v.millis / 1000.0, budget().toMillis() % 1000 == 0 ? budget().toSeconds() + " s"
                            : budget().toMillis() + " ms"));
        }
        return v;
    }

    private void checkFiles(Kata kata, KataVerdict v) throws IOException {
        if (!kata.hasSolution()) {
            v.broke("has no reference solution in solutions/" + kata.id() + "/src/main/java");
        }
        if (!kata.hasHiddenTests()) {
            v.broke("has no hidden tests in grader/hidden/" + kata.id() + "/src/test/java");
        }
        if (kata.mutants().size() < minimumMutants) {
            v.broke("has " + kata.mutants().size() + " mutants; the contract asks for at least " + minimumMutants);
        }
        for (Overlay m : kata.mutants()) {
            if (m.mustLose().isEmpty()) {
                v.broke("mutant " + m.id() + " names no part in Must-lose, so nothing proves it is caught");
            }
            m.mustLose().stream().filter(p -> kata.manifest().part(p).isEmpty()).forEach(p ->
                    v.broke("mutant " + m.id() + " must lose part '" + p + "', which kata.json does not have"));
        }
        if (!Seal.isCurrent(kata)) {
            v.broke("the seal of its visible tests (grader/hidden/" + kata.id() + "/protected.sha256) is missing or "
                    + "out of date: run ./grade --seal " + kata.id());
        }
        var readme = kata.exerciseDir().resolve("README.md");
        if (!Files.exists(readme)) {
            v.broke("has no README.md");
            return;
        }
        String text = Files.readString(readme);
        for (Part part : kata.manifest().parts()) {
            if (!text.contains(part.title()) || !text.contains(String.valueOf(part.points()))) {
                v.broke("README.md does not state part '" + part.title() + "' and its " + part.points() + " points");
            }
        }
        if (kata.rules().isEmpty()) {
            v.broke("README.md has no numbered rules under \"## Your task\" (\"1. **The rule.** ...\")");
        }
        for (int i = 0; i < kata.rules().size(); i++) {
            if (kata.rules().get(i).number() != i + 1) {
                v.broke("README.md numbers its rules out of order: rule " + kata.rules().get(i).number()
                        + " comes in place " + (i + 1));
                break;
            }
        }
    }

    private void checkStub(Kata kata, KataVerdict v) throws IOException, UnknownKataException {
        progress(kata, "stub");
        KataResult stub = grade(kata, Subject.EXERCISE, Set.of(), false);
        if (stub.status() != KataStatus.GRADED) {
            v.broke("the stub could not be graded (" + stub.status().name().toLowerCase(Locale.ROOT) + "): "
                    + stub.message());
        }
        for (PartScore part : stub.parts()) {
            if (part.points() > 0) {
                v.broke("the untouched stub earns " + part.points() + " points in part '" + part.part().id()
                        + "' (passed: " + passedNames(part) + "): points must come only from work");
            }
        }
        boolean visibleFail = stub.parts().stream().flatMap(p -> p.tests().stream())
                .anyMatch(t -> "visible".equals(t.origin()) && t.status() != TestStatus.PASSED);
        if (stub.status() == KataStatus.GRADED && !visibleFail) {
            v.broke("the stub passes every visible test: the kata is already solved");
        }
        v.stub = stub.points() + "/" + stub.max();
    }

    private KataResult expectFull(Kata kata, Subject subject, int run, KataVerdict v)
            throws IOException, UnknownKataException {
        KataResult result = grade(kata, subject, Set.of(), false);
        if (subject.equals(Subject.SOLUTION)) {
            v.solutionRuns++;
        } else {
            v.alternativeRuns++;
        }
        result.parts().stream().filter(p -> p.speedup() != null && p.speedup().measurement().failure() == null)
                .forEach(p -> v.speedups.add(p.speedup().measurement().speedup()));
        List<String> lost = result.parts().stream()
                .filter(p -> p.status() != PartStatus.FULL && p.status() != PartStatus.NOT_MEASURABLE)
                .map(p -> p.part().id() + " " + p.points() + "/" + p.part().points() + ": " + p.reason())
                .toList();
        if (result.message() != null || !lost.isEmpty()) {
            if (subject.equals(Subject.SOLUTION)) {
                v.falseFailures++;
            } else {
                v.alternativeFailures++;
            }
            v.broke("the " + subject + " lost points in grade " + run + ": "
                    + (result.message() != null ? result.message() : String.join("; ", lost)));
        }
        return result;
    }

    /** Every README rule is checked by a test that the rule names, and every test checks a rule. */
    private void checkRules(Kata kata, KataResult solution, KataVerdict v) {
        List<TestRecord> tests = solution.parts().stream().flatMap(p -> p.tests().stream()).toList();
        for (TestRecord test : tests) {
            List<Integer> numbers = test.tags().stream().map(Rule::numberOf).filter(n -> n > 0).toList();
            if (numbers.isEmpty()) {
                v.broke("test '" + test.name() + "' checks no rule: tag it @Tag(\"rule-N\") with the README rule it checks");
            }
            for (int n : numbers) {
                v.testsByRule.computeIfAbsent(n, k -> new ArrayList<>()).add(test.name());
                if (!v.ruleTitles.containsKey(n)) {
                    v.broke("test '" + test.name() + "' is tagged rule-" + n + ", but README.md has no rule " + n);
                }
            }
        }
        for (Rule rule : kata.rules()) {
            List<String> classes = tests.stream().filter(t -> t.tags().contains(rule.tag()))
                    .map(t -> simpleName(t.className())).distinct().toList();
            if (classes.isEmpty()) {
                v.broke("rule " + rule.number() + " (" + rule.title() + ") is checked by no test");
            } else if (classes.stream().noneMatch(rule.text()::contains)) {
                v.broke("rule " + rule.number() + " (" + rule.title() + ") does not name the tests that check it: "
                        + String.join(", ", classes));
            }
        }
    }

    private boolean caught(Kata kata, Overlay mutant, int run, KataVerdict v) throws IOException, UnknownKataException {
        KataResult result = grade(kata, Subject.mutant(mutant.id()), Set.copyOf(mutant.mustLose()), true);
        if (result.status() == KataStatus.DOES_NOT_COMPILE) {
            v.broke("mutant " + mutant.id() + " does not compile, so it proves nothing: " + result.message());
            return false;
        }
        if (result.status() != KataStatus.GRADED) {
            v.broke("mutant " + mutant.id() + " could not be graded in run " + run + ": " + result.message());
            return false;
        }
        List<String> survived = result.parts().stream()
                .filter(p -> mutant.mustLose().contains(p.part().id()) && !lostByFailure(p))
                .map(p -> p.part().id()).toList();
        if (!survived.isEmpty()) {
            v.broke("mutant " + mutant.id() + " (" + mutant.about() + ") survived run " + run + ": no test failed in "
                    + "part " + String.join(", ", survived));
            return false;
        }
        return true;
    }

    /**
     * Whether a part lost points because a test really failed (or the speedup fell short), not only
     * because fail-fast left its other tests unrun.
     */
    private static boolean lostByFailure(PartScore part) {
        if (part.status() == PartStatus.FULL) {
            return false;
        }
        if (part.tests().isEmpty()) {
            return true;
        }
        return part.tests().stream().anyMatch(t -> t.status() != TestStatus.PASSED && t.status() != TestStatus.NOT_RUN);
    }

    private KataResult grade(Kata kata, Subject subject, Set<String> parts, boolean failFast)
            throws IOException, UnknownKataException {
        GradeRequest request = GradeRequest.builder().layout(layout).katas(List.of(kata.id())).subject(subject)
                .parts(parts).cores(cores).failFast(failFast).build();
        GradeResult result = grader.grade(request, new GradeListener() { });
        return result.katas().get(0);
    }

    private static String passedNames(PartScore part) {
        return part.tests().stream().filter(t -> t.status() == TestStatus.PASSED)
                .map(TestRecord::name).limit(3).collect(Collectors.joining("; "));
    }

    private static String simpleName(String className) {
        String top = className.contains("$") ? className.substring(0, className.indexOf('$')) : className;
        return top.substring(top.lastIndexOf('.') + 1);
    }

    private static void progress(Kata kata, String what) {
        System.err.println("self-check " + kata.id() + ": " + what);
    }

    private static String line(KataVerdict v) {
        String speed = v.speedups.isEmpty() ? "" : String.format(Locale.ROOT, " | speedup median %.2fx (%.2f-%.2f)",
                SpeedupMeter.median(v.speedups), v.speedups.stream().mapToDouble(d -> d).min().orElse(0),
                v.speedups.stream().mapToDouble(d -> d).max().orElse(0));
        String alternatives = v.alternatives == 0 ? "" : String.format(Locale.ROOT,
                " | %d other correct %s %d grades, %d false failures", v.alternatives,
                v.alternatives == 1 ? "fix" : "fixes", v.alternativeRuns, v.alternativeFailures);
        return String.format(Locale.ROOT, "%-4s %-22s %5.1f s | solution %d grades, %d false failures%s | stub %s "
                        + "| mutants caught %d/%d (%d/%d grades)%s",
                v.broken.isEmpty() ? "OK" : "FAIL", v.kata, v.millis / 1000.0, v.solutionRuns, v.falseFailures,
                alternatives, v.stub, v.mutantsCaught, v.mutants, v.mutantRunsCaught, v.mutantRuns, speed);
    }

    /** "     rule 1 No hit is lost: 3 tests (HitCounter > ..., ...)" for each rule. */
    private static List<String> ruleTable(KataVerdict v) {
        List<String> lines = new ArrayList<>();
        v.ruleTitles.forEach((n, title) -> {
            List<String> tests = v.testsByRule.getOrDefault(n, List.of());
            lines.add(String.format(Locale.ROOT, "       rule %d, %s: %d %s%s", n, title, tests.size(),
                    tests.size() == 1 ? "test" : "tests", tests.isEmpty() ? "" : " (" + tests.stream().limit(3)
                            .collect(Collectors.joining("; ")) + (tests.size() > 3 ? "; ..." : "") + ")"));
        });
        return lines;
    }
}

package katas.grader.selfcheck;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Collectors;
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
import katas.grader.execution.SharedClasses;
import katas.grader.execution.TestRecord;
import katas.grader.execution.TestStatus;
import katas.grader.integrity.Seal;
import katas.grader.parts.Part;
import katas.grader.parts.PartScore;
import katas.grader.parts.PartStatus;
import katas.grader.parts.SpeedupPart;
import katas.grader.perf.ParallelCapacity;
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
     * The time one kata's contract check may take at one run of everything, on a machine whose cores do
     * nothing else. On a busy machine it grows by how much CPU the self-check's side-by-side grades lost
     * to other work (measured before and after each kata), so a busy CI runner does not fail the budget
     * while an idle one keeps it strict. The aim, 25 katas in 20 minutes of CI on 2 cores, would
     * need about 40 s a kata; see the README for where the katas stand.
     */
    public static final Duration KATA_BUDGET = Duration.ofSeconds(300);
    /** How many times {@link #KATA_BUDGET} a kata whose tests start processes may take. */
    public static final int PROCESS_KATA_FACTOR = 3;

    private final KitLayout layout;
    private final int runs;
    private final int mutantRuns;
    private final OptionalInt cores;
    private final PrintStream out;
    private final Grader grader = new Grader();
    private int minimumMutants = MINIMUM_MUTANTS;
    private Duration kataBudget = KATA_BUDGET;
    private int jobs = Math.min(2, Runtime.getRuntime().availableProcessors());
    private IntToDoubleFunction capacity = SelfCheck::measureCapacity;
    private boolean shareClasses;
    private SharedClasses shared = SharedClasses.NONE;

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

    /**
     * How many grades that measure no speedup (the stub, the alternatives in one run, the mutants of a
     * correctness part) run at the same time: 2 by default, 1 on one core.
     */
    public SelfCheck jobs(int jobs) {
        this.jobs = Math.max(1, jobs);
        return this;
    }

    /**
     * Lets the forks map the classes they all load from an archive made from the first grade's fork
     * ({@link SharedClasses}): the kit's code only, so never for a learner's grade.
     */
    public SelfCheck shareClasses() {
        this.shareClasses = true;
        return this;
    }

    /** Measures how many cores' worth of CPU {@code threads} threads get with another probe: for tests. */
    public SelfCheck capacity(IntToDoubleFunction probe) {
        this.capacity = probe;
        return this;
    }

    private static double measureCapacity(int threads) {
        try {
            return new ParallelCapacity().measure(threads);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return threads;
        }
    }

    /** Checks the named katas (all when empty); true when every promise is kept. */
    public boolean run(List<String> names) throws IOException, UnknownKataException {
        Path sharedDir = shareClasses ? Files.createTempDirectory("self-check-classes-") : null;
        shared = shareClasses ? SharedClasses.in(sharedDir) : SharedClasses.NONE;
        try {
            return runAll(names);
        } finally {
            shared.close();
        }
    }

    private boolean runAll(List<String> names) throws IOException, UnknownKataException {
        long start = System.currentTimeMillis();
        Catalog catalog = new KataDiscovery().discover(layout).select(names);
        out.printf("Self-check: %d %s of each solution and alternative, %d of each mutant (%d grades side by side "
                        + "but the speedup's), on %d "
                        + "cores; budget %d s a kata on idle cores%n", runs, runs == 1 ? "grade" : "grades", mutantRuns,
                jobs, Runtime.getRuntime().availableProcessors(), budget().toSeconds());
        List<String> broken = new ArrayList<>();
        catalog.invalid().forEach((id, why) -> broken.add(id + ": cannot be read: " + why));
        for (Kata kata : catalog.katas()) {
            KataVerdict verdict = check(kata);
            broken.addAll(verdict.broken);
            out.println(line(verdict));
            // Printed here too, not only in the summary: a log cut short (CI keeps its start and end) still
            // names what broke, next to the kata it broke in.
            verdict.broken.forEach(b -> out.println("     ! " + b));
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

    /**
     * A kata's budget: {@link #budget()}, three times that for a kata whose tests start processes of their own
     * (each worker is a JVM that starts from cold, a second or so of CPU on two cores, and its mutants
     * that hang are caught only when the kata's bound runs out).
     */
    private Duration budget(Kata kata) {
        return kata.manifest().limits().maxProcesses() > 0 ? budget().multipliedBy(PROCESS_KATA_FACTOR) : budget();
    }

    private KataVerdict check(Kata kata) throws IOException, UnknownKataException {
        double busyBefore = busyFactor();
        long start = System.currentTimeMillis();
        KataVerdict v = new KataVerdict(kata.id());
        kata.rules().forEach(r -> v.ruleTitles.put(r.number(), r.title()));
        checkFiles(kata, v);
        for (int run = 1; run <= runs; run++) {
            KataResult solution = expectFull(kata, Subject.SOLUTION, run, v); // alone: its speedup is measured
            shared.archiveInBackground(); // its fork listed the classes forks load; later forks map them
            if (run == 1) {
                checkRules(kata, solution, v);
            }
            if (thorough()) {
                for (Overlay alternative : kata.alternatives()) {
                    expectFull(kata, Subject.alternative(alternative.id()), run, v); // speedup too: alone
                }
            }
        }
        v.alternatives = kata.alternatives().size();
        v.mutants = kata.mutants().size();
        FirstFailures first = FirstFailures.of(layout.solutions().resolve(kata.id()));
        List<Callable<Consumer<KataVerdict>>> sideBySide = new ArrayList<>();
        sideBySide.add(() -> {
            GradeResult stub = grade(kata, Subject.EXERCISE, Set.of(), false, "stub");
            return verdict -> judgeStub(stub, verdict);
        });
        if (!thorough()) {
            for (Overlay alternative : kata.alternatives()) {
                Subject subject = Subject.alternative(alternative.id());
                sideBySide.add(() -> {
                    GradeResult graded = gradeFull(kata, subject, 1);
                    return verdict -> judgeFull(subject, 1, graded, verdict);
                });
            }
        }
        for (Overlay mutant : kata.mutants()) {
            if (!targetsSpeedup(kata, mutant)) {
                sideBySide.add(() -> gradeMutant(kata, mutant, first)::addTo);
            }
        }
        sideBySide(kata, sideBySide).forEach(judgement -> judgement.accept(v));
        for (Overlay mutant : kata.mutants()) {
            if (targetsSpeedup(kata, mutant)) {
                gradeMutant(kata, mutant, first).addTo(v); // alone: every side-by-side grade has ended
            }
        }
        int newFirsts = first.save(kata.mutants().stream().map(Overlay::id).collect(Collectors.toSet()));
        if (newFirsts > 0) {
            System.err.println("self-check " + kata.id() + ": the first failing test of " + newFirsts + " mutant"
                    + (newFirsts == 1 ? "" : "s") + " changed; recorded in solutions/" + kata.id() + "/"
                    + FirstFailures.FILE_NAME + " (commit it: each mutant's next grade starts with that test)");
        }
        v.millis = System.currentTimeMillis() - start;
        double busy = Math.max(busyBefore, busyFactor());
        Duration budget = budget(kata);
        long allowed = Math.round(budget.toMillis() * busy);
        if (v.millis > allowed) {
            v.broke(String.format(Locale.ROOT, "its contract check took %.1f s, over the budget of %s (SelfCheck"
                    + ".KATA_BUDGET%s)%s: make its tests or workloads lighter, or its mutants fail sooner",
                    v.millis / 1000.0, budget.toMillis() % 1000 == 0 ? budget.toSeconds() + " s"
                            : budget.toMillis() + " ms", budget.equals(budget()) ? "" : " x " + PROCESS_KATA_FACTOR
                            + " for a kata that starts processes",
                    busy > 1 ? String.format(Locale.ROOT, " x %.2f for a busy machine", busy) : ""));
        }
        return v;
    }

    /**
     * How many times longer than on idle cores the side-by-side grades take now: {@link #jobs} over the
     * cores' worth of CPU that {@code jobs} threads get (1 on idle cores, about 2 when another job keeps
     * one of two cores busy), never below 1 nor above {@code jobs}.
     */
    private double busyFactor() {
        if (jobs < 2) {
            return 1;
        }
        double given = capacity.applyAsDouble(jobs);
        return Math.min(jobs, Math.max(1, jobs / Math.max(given, 1e-9)));
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

    private void judgeStub(GradeResult graded, KataVerdict v) {
        KataResult stub = graded.katas().get(0);
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
        return judgeFull(subject, run, gradeFull(kata, subject, run), v);
    }

    /** A full grade of a right solution: with its speedup when it is the solution or when the soak runs. */
    private GradeResult gradeFull(Kata kata, Subject subject, int run) throws IOException, UnknownKataException {
        Set<String> parts = subject.equals(Subject.SOLUTION) || thorough() ? Set.of() : partsBut(kata, SpeedupPart.class);
        return grade(kata, subject, parts, false, subject + ", grade " + run + " of " + runs);
    }

    private KataResult judgeFull(Subject subject, int run, GradeResult graded, KataVerdict v) {
        KataResult result = graded.katas().get(0);
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
            v.broke("the " + subject + " lost points in grade " + run + " (seed " + graded.seed() + "): "
                    + (result.message() != null ? result.message() : String.join("; ", lost)) + firstFailure(result));
        }
        return result;
    }

    /**
     * Whether this check proves everything (the soak: more than one run), or each subject once in the
     * cheapest way that still proves it (the test command): there an alternative's speedup is left to the
     * soak (the solution's is measured), and a mutant is caught by its first part that fails.
     */
    private boolean thorough() {
        return runs > 1 || mutantRuns > 1;
    }

    private static Set<String> partsBut(Kata kata, Class<? extends Part> kind) {
        return kata.manifest().parts().stream().filter(p -> !kind.isInstance(p)).map(Part::id)
                .collect(Collectors.toSet());
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

    /**
     * Runs grades side by side ({@link #jobs} at a time) and returns what each found, in the order given:
     * the stub, the alternatives and the mutants that target a correctness part. Their tests must hold on
     * a busy machine anyway, and no speedup is measured in them. What measures a speedup (the solution,
     * and a mutant that targets a speedup part) is graded alone, so that nothing else runs meanwhile.
     */
    private <T> List<T> sideBySide(Kata kata, List<Callable<T>> grades) throws IOException, UnknownKataException {
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try {
            List<Future<T>> pending = new ArrayList<>();
            grades.forEach(g -> pending.add(pool.submit(g)));
            List<T> all = new ArrayList<>();
            for (Future<T> outcome : pending) {
                all.add(outcome.get());
            }
            return all;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof UnknownKataException unknown) {
                throw unknown;
            }
            throw new IllegalStateException("grading " + kata.id() + " side by side failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while grading " + kata.id(), e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static boolean targetsSpeedup(Kata kata, Overlay mutant) {
        return mutant.mustLose().stream().anyMatch(id -> kata.manifest().part(id).orElse(null) instanceof SpeedupPart);
    }

    private MutantOutcome gradeMutant(Kata kata, Overlay mutant, FirstFailures first)
            throws IOException, UnknownKataException {
        MutantOutcome outcome = new MutantOutcome();
        for (int run = 1; run <= mutantRuns; run++) {
            outcome.runs++;
            if (caught(kata, mutant, run, outcome.broken, first)) {
                outcome.caughtRuns++;
            }
        }
        return outcome;
    }

    /** One mutant's grades: how many runs caught it, and the promises it broke. */
    private static final class MutantOutcome {
        int runs;
        int caughtRuns;
        final List<String> broken = new ArrayList<>();

        void addTo(KataVerdict v) {
            v.mutantRuns += runs;
            v.mutantRunsCaught += caughtRuns;
            if (caughtRuns == runs) {
                v.mutantsCaught++;
            }
            broken.forEach(v::broke);
        }
    }

    /**
     * Whether the mutant loses points, by a failing test, in the parts its manifest names: in the soak,
     * every one of them; in the test command, the first to fail. A fail-fast grade stops the whole fork
     * at its first failure, which proves one part; in the soak, the parts still unproven get a fail-fast
     * grade of their own, until each has failed or kept full points. A part that kept full points,
     * every test run and passed, is a survival either way.
     */
    private boolean caught(Kata kata, Overlay mutant, int run, List<String> broken, FirstFailures first)
            throws IOException, UnknownKataException {
        Set<String> unproven = new LinkedHashSet<>(mutant.mustLose());
        while (!unproven.isEmpty()) {
            KataResult result = grade(kata, Subject.mutant(mutant.id()), Set.copyOf(unproven), true,
                    first.guess(mutant.id()), "mutant " + mutant.id() + ", grade " + run + " of " + mutantRuns)
                    .katas().get(0);
            first.saw(mutant.id(), result, unproven);
            if (result.status() == KataStatus.REFUSED) {
                return true; // refused for breaking fair play: no test ran, every part got 0
            }
            if (result.status() == KataStatus.DOES_NOT_COMPILE) {
                broken.add("mutant " + mutant.id() + " does not compile, so it proves nothing: " + result.message());
                return false;
            }
            if (result.status() != KataStatus.GRADED) {
                broken.add("mutant " + mutant.id() + " could not be graded in run " + run + ": " + result.message());
                return false;
            }
            List<PartScore> named = result.parts().stream().filter(p -> unproven.contains(p.part().id())).toList();
            List<String> survived = named.stream().filter(p -> !lostByFailure(p) && !stoppedBefore(p))
                    .map(p -> p.part().id()).toList();
            if (!survived.isEmpty()) {
                broken.add("mutant " + mutant.id() + " (" + mutant.about() + ") survived run " + run + ": no test failed "
                        + "in part " + String.join(", ", survived));
                return false;
            }
            boolean progress = named.stream().filter(SelfCheck::lostByFailure)
                    .map(p -> unproven.remove(p.part().id())).reduce(false, Boolean::logicalOr);
            if (progress && !thorough()) {
                return true; // one part proves it caught; the soak proves the others
            }
            if (!progress) {
                broken.add("mutant " + mutant.id() + " stopped before any test of part " + String.join(", ", unproven)
                        + " failed, in run " + run);
                return false;
            }
        }
        return true;
    }

    /** Whether fail-fast stopped the grade before any test of this part ran to a failure or a pass of all. */
    private static boolean stoppedBefore(PartScore part) {
        return !part.tests().isEmpty() && part.tests().stream().anyMatch(t -> t.status() == TestStatus.NOT_RUN)
                && part.tests().stream().noneMatch(t -> t.status() != TestStatus.PASSED
                        && t.status() != TestStatus.NOT_RUN);
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

    private GradeResult grade(Kata kata, Subject subject, Set<String> parts, boolean failFast, String what)
            throws IOException, UnknownKataException {
        return grade(kata, subject, parts, failFast, List.of(), what);
    }

    private GradeResult grade(Kata kata, Subject subject, Set<String> parts, boolean failFast, List<String> firstTests,
            String what) throws IOException, UnknownKataException {
        GradeRequest request = GradeRequest.builder().layout(layout).katas(List.of(kata.id())).subject(subject)
                .parts(parts).cores(cores).failFast(failFast).firstTests(firstTests).shared(shared).build();
        StepTimes times = new StepTimes();
        GradeResult result = grader.grade(request, times);
        System.err.println("self-check " + kata.id() + ": " + what + ": " + times.summary() + ", seed " + result.seed());
        return result;
    }

    /**
     * The first failing test's whole message (a part's reason is its first line only): a false failure
     * is rare, and what the threads were doing is what tells a flaky test from a wrong reference.
     */
    private static String firstFailure(KataResult result) {
        return result.parts().stream().flatMap(p -> p.tests().stream())
                .filter(t -> t.status() != TestStatus.PASSED && t.status() != TestStatus.NOT_RUN && t.message() != null)
                .findFirst()
                .map(t -> "\n      " + t.name() + ":\n      " + cap(t.message(), 4_000).replace("\n", "\n      "))
                .orElse("");
    }

    private static String cap(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max) + " [... " + (text.length() - max) + " more]";
    }

    private static String passedNames(PartScore part) {
        return part.tests().stream().filter(t -> t.status() == TestStatus.PASSED)
                .map(TestRecord::name).limit(3).collect(Collectors.joining("; "));
    }

    private static String simpleName(String className) {
        String top = className.contains("$") ? className.substring(0, className.indexOf('$')) : className;
        return top.substring(top.lastIndexOf('.') + 1);
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

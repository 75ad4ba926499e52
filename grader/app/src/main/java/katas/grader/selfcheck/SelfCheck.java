package katas.grader.selfcheck;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
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
import katas.grader.discovery.Mutant;
import katas.grader.discovery.Part;
import katas.grader.discovery.PartKind;
import katas.grader.discovery.TestSource;
import katas.grader.discovery.UnknownKataException;
import katas.grader.integrity.Seal;
import katas.grader.perf.SpeedupMeter;
import katas.grader.scoring.KataResult;
import katas.grader.scoring.PartScore;
import katas.grader.report.Points;
import katas.grader.scoring.PartStatus;

/**
 * The kata contract of DESIGN.md, checked through the grader itself, so that what learners see is
 * exactly what the kit proves about itself:
 * <ol>
 *   <li>the stub compiles and fails its visible tests, and earns no hidden-test points;</li>
 *   <li>the reference solution (and every alternative solution) gets full points in every run,
 *       speedup included where it can be measured;</li>
 *   <li>every mutant (at least three) loses points in each part its {@code mustLose} names, in every run;</li>
 *   <li>the README states the points of every part, and the seal of the protected files is current.</li>
 * </ol>
 */
public final class SelfCheck {

    private static final int MINIMUM_MUTANTS = 3;

    private final KitLayout layout;
    private final int runs;
    private final int mutantRuns;
    private final OptionalInt cores;
    private final PrintStream out;
    private final Grader grader = new Grader();

    public SelfCheck(KitLayout layout, int runs, int mutantRuns, OptionalInt cores, PrintStream out) {
        this.layout = layout;
        this.runs = runs;
        this.mutantRuns = mutantRuns;
        this.cores = cores;
        this.out = out;
    }

    /** Checks the named katas (all when empty); true when every promise is kept. */
    public boolean run(List<String> names) throws IOException, UnknownKataException {
        long start = System.currentTimeMillis();
        Catalog catalog = new KataDiscovery().discover(layout).select(names);
        out.printf("Self-check: %d solution runs and %d runs per mutant, on %d cores%n", runs, mutantRuns,
                Runtime.getRuntime().availableProcessors());
        List<String> broken = new ArrayList<>();
        catalog.invalid().forEach((id, why) -> broken.add(id + ": cannot be read: " + why));
        List<KataVerdict> verdicts = new ArrayList<>();
        for (Kata kata : catalog.katas()) {
            KataVerdict verdict = check(kata);
            verdicts.add(verdict);
            broken.addAll(verdict.broken);
            out.println(line(verdict));
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

    private KataVerdict check(Kata kata) throws IOException, UnknownKataException {
        KataVerdict v = new KataVerdict(kata.id());
        checkFiles(kata, v);
        checkStub(kata, v);
        for (int run = 1; run <= runs; run++) {
            progress(kata, "solution run " + run + "/" + runs);
            expectFull(kata, Subject.SOLUTION, run, v);
            for (Mutant alternative : kata.alternatives()) {
                progress(kata, "alternative " + alternative.id() + " run " + run + "/" + runs);
                expectFull(kata, Subject.alternative(alternative.id()), run, v);
            }
        }
        v.alternatives = kata.alternatives().size();
        v.mutants = kata.mutants().size();
        for (Mutant mutant : kata.mutants()) {
            boolean caughtEveryRun = true;
            for (int run = 1; run <= mutantRuns; run++) {
                progress(kata, "mutant " + mutant.id() + " run " + run + "/" + mutantRuns);
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
        return v;
    }

    private void checkFiles(Kata kata, KataVerdict v) throws IOException {
        if (!kata.hasSolution()) {
            v.broke("has no reference solution in solutions/" + kata.id() + "/src/main/java");
        }
        if (!kata.hasHiddenTests()) {
            v.broke("has no hidden tests in grader/hidden/" + kata.id() + "/src/test/java");
        }
        if (kata.mutants().size() < MINIMUM_MUTANTS) {
            v.broke("has " + kata.mutants().size() + " mutants; the contract asks for at least " + MINIMUM_MUTANTS);
        }
        for (Mutant m : kata.mutants()) {
            if (m.mustLose().isEmpty()) {
                v.broke("mutant " + m.id() + " names no part in mustLose, so nothing proves it is caught");
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
        } else {
            String text = Files.readString(readme);
            for (Part part : kata.manifest().parts()) {
                if (!text.contains(part.title()) || !text.contains(String.valueOf(part.points()))) {
                    v.broke("README.md does not state part '" + part.title() + "' and its " + part.points() + " points");
                }
            }
        }
    }

    private void checkStub(Kata kata, KataVerdict v) throws IOException, UnknownKataException {
        progress(kata, "stub");
        KataResult stub = grade(kata, Subject.EXERCISE, Set.of());
        List<String> facts = new ArrayList<>();
        for (PartScore part : stub.parts()) {
            boolean visible = part.part().kind() == PartKind.TESTS && part.part().source() == TestSource.VISIBLE;
            boolean hidden = part.part().kind() == PartKind.TESTS && part.part().source() == TestSource.HIDDEN;
            if (visible && part.status() == PartStatus.FULL) {
                v.broke("the stub passes every visible test of part '" + part.part().id() + "': the kata is already solved");
            }
            if (hidden && part.points() > 0) {
                v.broke("the stub earns " + Points.format(part.points()) + " hidden-test points in part '"
                        + part.part().id() + "' (" + passedNames(part) + ")");
            }
            if (visible || hidden) {
                facts.add(part.part().id() + " " + Points.format(part.points()) + "/" + part.part().points());
            }
        }
        v.stub = stub.status().name().toLowerCase(Locale.ROOT) + (facts.isEmpty() ? "" : " " + String.join(", ", facts));
    }

    private void expectFull(Kata kata, Subject subject, int run, KataVerdict v) throws IOException, UnknownKataException {
        KataResult result = grade(kata, subject, Set.of());
        if (subject.equals(Subject.SOLUTION)) {
            v.solutionRuns++;
        } else if (subject.kind() == Subject.Kind.ALTERNATIVE) {
            v.alternativeRuns++;
        }
        result.parts().stream().filter(p -> p.speedup() != null && p.speedup().measurement().failure() == null)
                .forEach(p -> v.speedups.add(p.speedup().measurement().speedup()));
        List<String> short_ = result.parts().stream()
                .filter(p -> p.status() != PartStatus.FULL && p.status() != PartStatus.NOT_MEASURABLE)
                .map(p -> p.part().id() + " " + Points.format(p.points()) + "/" + p.part().points() + ": " + p.reason())
                .toList();
        if (result.message() != null || !short_.isEmpty()) {
            if (subject.equals(Subject.SOLUTION)) {
                v.falseFailures++;
            } else if (subject.kind() == Subject.Kind.ALTERNATIVE) {
                v.alternativeFailures++;
            }
            v.broke("the " + subject + " lost points in run " + run + ": "
                    + (result.message() != null ? result.message() : String.join("; ", short_)));
        }
    }

    private boolean caught(Kata kata, Mutant mutant, int run, KataVerdict v) throws IOException, UnknownKataException {
        KataResult result = grade(kata, Subject.mutant(mutant.id()), Set.copyOf(mutant.mustLose()));
        List<String> survived = result.parts().stream()
                .filter(p -> mutant.mustLose().contains(p.part().id()) && p.status() == PartStatus.FULL)
                .map(p -> p.part().id()).toList();
        if (result.status() != katas.grader.scoring.KataStatus.GRADED
                && result.status() != katas.grader.scoring.KataStatus.DOES_NOT_COMPILE) {
            v.broke("mutant " + mutant.id() + " could not be graded in run " + run + ": " + result.message());
            return false;
        }
        if (result.status() == katas.grader.scoring.KataStatus.DOES_NOT_COMPILE) {
            v.broke("mutant " + mutant.id() + " does not compile, so it proves nothing: " + result.message());
            return false;
        }
        if (!survived.isEmpty()) {
            v.broke("mutant " + mutant.id() + " (" + mutant.mistake() + ") survived run " + run + ": it kept full "
                    + "points in part " + String.join(", ", survived));
            return false;
        }
        return true;
    }

    private KataResult grade(Kata kata, Subject subject, Set<String> parts) throws IOException, UnknownKataException {
        GradeRequest request = GradeRequest.builder().layout(layout).katas(List.of(kata.id())).subject(subject)
                .parts(parts).cores(cores).build();
        GradeResult result = grader.grade(request, new GradeListener() { });
        return result.katas().get(0);
    }

    private static String passedNames(PartScore part) {
        return part.tests().stream().filter(t -> t.status() == katas.grader.execution.TestStatus.PASSED)
                .map(t -> t.name()).limit(3).collect(Collectors.joining("; "));
    }

    private static void progress(Kata kata, String what) {
        System.err.println("self-check " + kata.id() + ": " + what);
    }

    private static String line(KataVerdict v) {
        String speed = v.speedups.isEmpty() ? "" : String.format(Locale.ROOT, " | speedup median %.2fx (%.2f-%.2f)",
                SpeedupMeter.median(v.speedups), v.speedups.stream().mapToDouble(d -> d).min().orElse(0),
                v.speedups.stream().mapToDouble(d -> d).max().orElse(0));
        String alternatives = v.alternatives == 0 ? "" : String.format(Locale.ROOT,
                " | %d other correct %s %d runs, %d false failures", v.alternatives,
                v.alternatives == 1 ? "fix" : "fixes", v.alternativeRuns, v.alternativeFailures);
        return String.format(Locale.ROOT, "%-5s %-22s solution %d runs, %d false failures%s | stub %s | mutants caught "
                        + "%d/%d (%d/%d runs)%s",
                v.broken.isEmpty() ? "OK" : "FAIL", v.kata, v.solutionRuns, v.falseFailures, alternatives, v.stub,
                v.mutantsCaught, v.mutants, v.mutantRunsCaught, v.mutantRuns, speed);
    }
}

package katas.grader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import katas.grader.compile.GraderClasspath;
import katas.grader.compile.KataCompiler;
import katas.grader.compile.PatchedSources;
import katas.grader.compile.SourceSet;
import katas.grader.discovery.Kata;
import katas.grader.execution.ForkInputs;
import katas.grader.execution.ForkLaunch;
import katas.grader.execution.Incident;
import katas.grader.execution.ForkPlan;
import katas.grader.execution.KataExecutor;
import katas.grader.execution.RunRecord;
import katas.grader.execution.ScratchFolder;
import katas.grader.fork.IncidentKind;
import katas.grader.integrity.Seal;
import katas.grader.integrity.SealCheck;
import katas.grader.parts.Part;
import katas.grader.parts.PartScore;
import katas.grader.parts.PartStatus;
import katas.grader.parts.ScoringContext;
import katas.grader.scoring.KataResult;
import katas.grader.scoring.KataStatus;

/**
 * Grades one kata: plan (what its parts need), build ({@link KataBuild}: compile the code and the
 * tests), run in forks, score (each part itself). Whatever goes wrong becomes this kata's result; it
 * never stops the other katas.
 */
final class KataGrading {

    private final KataExecutor executor = new KataExecutor();
    private KataCompiler compiler;

    KataResult grade(Kata kata, GradeRequest request, long seed, GradeListener listener) {
        long start = System.currentTimeMillis();
        Path work = null;
        try {
            work = Files.createTempDirectory("kata-" + kata.id() + "-");
            return grade(kata, request, seed, listener, work, start);
        } catch (PatchedSources.PatchException stale) {
            return failed(kata, request, KataStatus.INVALID, stale.getMessage(), start);
        } catch (IOException | RuntimeException e) {
            return failed(kata, request, KataStatus.ERROR, "the grader failed on this kata (" + e
                    + "); please report it with this message", start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return failed(kata, request, KataStatus.ERROR, "grading was interrupted", start);
        } finally {
            ScratchFolder.deleteQuietly(work);
        }
    }

    private KataResult grade(Kata kata, GradeRequest request, long seed, GradeListener listener, Path work,
            long start)
            throws IOException, InterruptedException, PatchedSources.PatchException {
        Optional<SourceSet> sources = request.subject().sources(kata, work.resolve("sources"));
        if (sources.isEmpty()) {
            return failed(kata, request, KataStatus.INVALID, "the " + request.subject() + " of " + kata.id()
                    + " is not in this checkout (solutions/ and grader/hidden/ belong to the instructor's copy)", start);
        }
        // A solution or mutant is graded against the kit's own visible tests: there is nothing to verify.
        SealCheck seal = request.subject().kind() == Subject.Kind.EXERCISE ? Seal.check(kata)
                : new SealCheck(false, true, List.of(), List.of());
        if (seal.manifestChanged()) {
            return KataResult.untrusted(kata.id(), request.subject().toString(), KataStatus.INVALID, "exercises/"
                    + kata.id() + "/kata.json was edited, so its points and limits cannot be trusted: restore it with "
                    + "git checkout", System.currentTimeMillis() - start);
        }
        List<Part> parts = graded(kata, request);
        ForkPlan plan = new ForkPlan(request.cores().orElse(0), kata.manifest().partTags());
        parts.forEach(part -> part.plan(plan));
        List<Path> forkClasspath = forkClasspath(kata, work);
        // The fork's JVM starts up and loads JUnit while javac runs; unused (the code does not compile), it is stopped.
        try (ForkLaunch launch = executor.prestart(forkClasspath, kata.manifest().limits(), work,
                request.shared())) {
            return buildRunAndScore(kata, request, seed, listener, work, start, sources.get(), seal, parts, plan,
                    forkClasspath, launch);
        }
    }

    private KataResult buildRunAndScore(Kata kata, GradeRequest request, long seed, GradeListener listener, Path work,
            long start, SourceSet sources, SealCheck seal, List<Part> parts, ForkPlan plan, List<Path> forkClasspath,
            ForkLaunch launch) throws IOException, InterruptedException {
        listener.step(kata, "compiling");
        KataBuild build = KataBuild.of(compiler(), kata, sources, seal, plan, work, request.fairPlay());
        if (!build.compiled()) {
            return failed(kata, request, build.refused() ? KataStatus.REFUSED : KataStatus.DOES_NOT_COMPILE,
                    build.failure(), start);
        }
        boolean measure = kata.hasHiddenTests() && build.hiddenBroken() == null && !plan.measurements().isEmpty();
        listener.step(kata, measure ? "running tests, then measuring speedup" : "running tests");
        ForkInputs inputs = ForkInputs.keep(List.of(work.resolve("classes"), work.resolve("test-classes"),
                work.resolve("hidden-classes")), GraderClasspath.entries());
        KataExecutor.Job job = new KataExecutor.Job(kata.id(), forkClasspath, build.visibleClasses(),
                build.hiddenClasses(), plan.selectors(), request.firstTests(), request.failFast(),
                measure ? plan.measurements() : List.of(),
                kata.manifest().limits(), kata.manifest().packageName(), seed, work, inputs, request.shared());
        RunRecord run = executor.execute(job, launch);
        Optional<Incident> tampering = run.incidents().stream().filter(i -> i.kind() == IncidentKind.TAMPERED)
                .findFirst();
        if (tampering.isPresent()) {
            return failed(kata, request, KataStatus.TAMPERED, tampering.get().message(), start);
        }

        ScoringContext context = new ScoringContext(kata.hasHiddenTests(), seal.tamperReason(), build.visibleBroken(),
                build.hiddenBroken(), request.cores(), kata.manifest().partTags());
        List<PartScore> scores = parts.stream().map(part -> part.score(run, context)).toList();
        List<String> notes = new ArrayList<>();
        if (request.subject().kind() == Subject.Kind.EXERCISE && !seal.sealPresent()) {
            notes.add("the visible tests could not be verified against the kit (its seal comes with the hidden tests)");
        }
        if (run.orphansStopped() > 0) {
            notes.add("your code left " + run.orphansStopped() + " child process(es) running; the grader stopped them");
        }
        return new KataResult(kata.id(), kata.manifest().title(), request.subject().toString(), KataStatus.GRADED,
                null, scores, run.incidents(), notes, System.currentTimeMillis() - start, kata.rules());
    }

    /** The parts the request asks for (all when it names none), in manifest order. */
    private static List<Part> graded(Kata kata, GradeRequest request) {
        return kata.manifest().parts().stream()
                .filter(p -> request.parts().isEmpty() || request.parts().contains(p.id())).toList();
    }

    /**
     * The tests and the grader first, the code under grading last: a class of the learner's can never
     * stand in for one of theirs. No resources from the learner's folder are on it (a services file there
     * could register code with JUnit or the JDK); the hidden suite's are.
     */
    private static List<Path> forkClasspath(Kata kata, Path work) {
        List<Path> cp = new ArrayList<>();
        cp.add(work.resolve("test-classes"));
        cp.add(work.resolve("hidden-classes"));
        Stream.of(kata.hiddenDir().resolve("src/test/resources")).filter(Files::isDirectory).forEach(cp::add);
        cp.addAll(GraderClasspath.entries());
        cp.add(work.resolve("classes"));
        return cp;
    }

    private synchronized KataCompiler compiler() {
        if (compiler == null) {
            compiler = new KataCompiler();
        }
        return compiler;
    }

    private static KataResult failed(Kata kata, GradeRequest request, KataStatus status, String message, long start) {
        List<PartScore> zero = graded(kata, request).stream()
                .map(p -> new PartScore(p, PartStatus.NONE, 0, message.lines().findFirst().orElse(message), List.of(),
                        null))
                .toList();
        return new KataResult(kata.id(), kata.manifest().title(), request.subject().toString(), status, message, zero,
                List.of(), List.of(), System.currentTimeMillis() - start, kata.rules());
    }
}

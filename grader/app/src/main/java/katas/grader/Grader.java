package katas.grader;

import java.io.IOException;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import katas.grader.discovery.Catalog;
import katas.grader.discovery.Kata;
import katas.grader.discovery.KataDiscovery;
import katas.grader.discovery.UnknownKataException;
import katas.grader.scoring.KataResult;
import katas.grader.scoring.KataStatus;

/** The pipeline: discover the katas, then grade each one in turn, telling the listener as it goes. */
public final class Grader {

    private final KataDiscovery discovery = new KataDiscovery();
    private final KataGrading grading = new KataGrading();

    /** Grades what {@code request} asks for; problems with one kata are reported in its result. */
    public GradeResult grade(GradeRequest request, GradeListener listener) throws IOException, UnknownKataException {
        Instant started = Instant.now();
        Catalog catalog = discovery.discover(request.layout()).select(request.katas());
        // With no kata readable (a broken kata.json), the kit's folder says whether the hidden tests are here.
        boolean hiddenPresent = catalog.katas().isEmpty() ? Files.isDirectory(request.layout().hidden())
                : catalog.katas().stream().anyMatch(Kata::hasHiddenTests);
        listener.gradingStarted(catalog.katas().size() + catalog.invalid().size(), hiddenPresent);
        // One seed for the whole grade, drawn here unless given, so that the report can say how to replay it.
        long seed = request.seed().orElseGet(() -> new SecureRandom().nextLong() & 0xFFFFFFFFFFFFL);
        List<KataResult> results = new ArrayList<>();
        for (Kata kata : catalog.katas()) {
            KataResult result = grading.grade(kata, request, seed, listener);
            results.add(result);
            listener.kataFinished(result);
        }
        catalog.invalid().forEach((id, why) -> {
            KataResult result = KataResult.untrusted(id, request.subject().toString(), KataStatus.INVALID, why, 0);
            results.add(result);
            listener.kataFinished(result);
        });
        GradeResult result = new GradeResult(started, Instant.now().toEpochMilli() - started.toEpochMilli(),
                Machine.current(), request.subject().toString(), hiddenPresent, request.cores().orElse(0), seed,
                List.copyOf(results));
        listener.gradingFinished(result);
        return result;
    }
}

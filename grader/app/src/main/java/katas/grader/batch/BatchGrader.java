package katas.grader.batch;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import katas.grader.GradeListener;
import katas.grader.GradeRequest;
import katas.grader.GradeResult;
import katas.grader.Grader;
import katas.grader.discovery.KitLayout;
import katas.grader.discovery.UnknownKataException;
import katas.grader.execution.ScratchFolder;
import katas.grader.report.Gradebook;
import katas.grader.report.ResultsJson;
import katas.grader.scoring.KataStatus;

/**
 * Grades a folder of cloned student repositories with this kit's manifests and hidden tests: one
 * gradebook row per student, and each student's results.json beside the gradebook. A repository
 * that cannot be graded gets a row that says why; the others go on. One student's code cannot touch
 * another's grade: each is graded from a copy taken before any code ran, and the reports are written
 * after the last grade.
 */
public final class BatchGrader {

    private final KitLayout kit;
    private final OptionalInt cores;
    private final PrintStream out;
    private final PrintStream err;

    public BatchGrader(KitLayout kit, OptionalInt cores, PrintStream out, PrintStream err) {
        this.kit = kit;
        this.cores = cores;
        this.out = out;
        this.err = err;
    }

    /** Grades every student folder (one with an {@code exercises/} folder) in {@code dir}. */
    public Path grade(Path dir, List<String> katas) throws IOException, UnknownKataException {
        List<Path> students;
        try (Stream<Path> children = Files.list(dir)) {
            students = children.filter(p -> Files.isDirectory(p.resolve("exercises"))).sorted().toList();
        }
        if (students.isEmpty()) {
            err.println("grade: no student repositories in " + dir + " (a student folder has an exercises/ folder)");
        }
        // Every student's code as it was before anyone's code ran (see StudentCopy).
        Map<String, Optional<StudentCopy>> copies = new LinkedHashMap<>();
        for (Path student : students) {
            copies.put(student.getFileName().toString(), StudentCopy.take(student));
        }
        Gradebook book = new Gradebook();
        // One grader for the class: the hidden tests compile once for every student whose code has the same API.
        Grader grader = new Grader();
        Map<String, GradeResult> results = new LinkedHashMap<>();
        Map<String, String> ungraded = new LinkedHashMap<>();
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, Optional<StudentCopy>> student : copies.entrySet()) {
            String name = student.getKey();
            if (student.getValue().isEmpty()) {
                String why = "not graded: its exercises/ holds more than " + StudentCopy.MAX_BYTES / (1024 * 1024)
                        + " MB";
                err.println(name + ": " + why);
                ungraded.put(name, why);
                failures.add(name);
                continue;
            }
            err.println("grading " + name + " ...");
            Path copy = student.getValue().get().writeTo(Files.createTempDirectory("student-" + name.replaceAll(
                    "[^A-Za-z0-9_-]", "_") + "-"));
            try {
                GradeRequest request = GradeRequest.builder().layout(new KitLayout(kit.kitRoot(), copy)).katas(katas)
                        .cores(cores).build();
                GradeResult result = grader.grade(request, new GradeListener() { });
                results.put(name, result);
                if (result.katas().stream().anyMatch(k -> k.status() != KataStatus.GRADED)) {
                    failures.add(name);
                }
            } finally {
                ScratchFolder.deleteQuietly(copy);
            }
        }
        // Written when no student's code runs any more, so none can rewrite another's report.
        Path reports = dir.resolve("gradebook-reports");
        Files.createDirectories(reports);
        for (String name : copies.keySet()) {
            if (results.containsKey(name)) {
                book.add(name, results.get(name));
                Files.writeString(reports.resolve(name + ".json"), ResultsJson.render(results.get(name)));
            } else {
                book.addUngraded(name, ungraded.get(name));
            }
        }
        Path csv = dir.resolve("gradebook.csv");
        Files.writeString(csv, book.csv());
        out.println("Graded " + students.size() + " student repositories into " + csv
                + (failures.isEmpty() ? "" : " (with problems, see their reports: " + String.join(", ", failures) + ")"));
        return csv;
    }
}

package katas.grader.selfcheck;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import katas.grader.execution.TestStatus;
import katas.grader.parts.PartScore;
import katas.grader.scoring.KataResult;

/**
 * Which test stopped each mutant of a kata the last time, kept in {@value #FILE_NAME} beside the
 * kata's {@code mutants/} folder. A mutant's fail-fast grade runs that test before all others: it
 * stops in about the time a fork takes to start, instead of after every test ordered before it. A
 * guess that no longer holds (the test was renamed, or passes this time) costs nothing but the test
 * itself: the others run after it as always, and the new first failure replaces it.
 *
 * <p>The file is a cache that maintainers commit, not a contract: one line per mutant, its id, a tab,
 * and JUnit's unique id of the test; lines that do not read that way are ignored.
 */
final class FirstFailures {

    static final String FILE_NAME = "mutant-first-failures.tsv";

    private final Path file;
    private final Map<String, String> known;
    private final Map<String, String> seen = new ConcurrentHashMap<>();

    private FirstFailures(Path file, Map<String, String> known) {
        this.file = file;
        this.known = known;
    }

    /** The record of the kata whose solution folder is {@code solutionDir}; empty when there is none yet. */
    static FirstFailures of(Path solutionDir) {
        Path file = solutionDir.resolve(FILE_NAME);
        Map<String, String> known = new TreeMap<>();
        try {
            if (Files.isRegularFile(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    String[] fields = line.split("\t");
                    if (fields.length == 2 && !fields[0].isBlank() && fields[1].startsWith("[")) {
                        known.put(fields[0].strip(), fields[1].strip());
                    }
                }
            }
        } catch (IOException unreadable) {
            // a cache: without it, each mutant's grade runs its tests in their usual order
        }
        return new FirstFailures(file, known);
    }

    /** The tests to run first for this mutant: the one that stopped it last time, if any. */
    List<String> guess(String mutantId) {
        String id = known.get(mutantId);
        return id == null ? List.of() : List.of(id);
    }

    /** Notes the first test that failed, in one of {@code parts}, in a fail-fast grade of this mutant. */
    void saw(String mutantId, KataResult result, Set<String> parts) {
        firstFailed(result, parts).ifPresent(id -> seen.put(mutantId, id));
    }

    private static Optional<String> firstFailed(KataResult result, Set<String> parts) {
        return result.parts().stream().filter(p -> parts.contains(p.part().id()))
                .flatMap((PartScore p) -> p.tests().stream())
                .filter(t -> t.status() != TestStatus.PASSED && t.status() != TestStatus.NOT_RUN)
                .map(t -> t.id()).findFirst();
    }

    /**
     * Writes what was seen over what was known, for the mutants that still exist, when that changes the
     * file; returns how many mutants' entries changed.
     */
    int save(Set<String> mutantIds) throws IOException {
        Map<String, String> next = new TreeMap<>();
        known.forEach((id, test) -> {
            if (mutantIds.contains(id)) {
                next.put(id, test);
            }
        });
        next.putAll(seen);
        int changed = (int) next.entrySet().stream().filter(e -> !e.getValue().equals(known.get(e.getKey()))).count()
                + (int) known.keySet().stream().filter(id -> !next.containsKey(id)).count();
        if (changed > 0) {
            StringBuilder text = new StringBuilder();
            next.forEach((id, test) -> text.append(id).append('\t').append(test).append('\n'));
            Files.writeString(file, text, StandardCharsets.UTF_8);
        }
        return changed;
    }
}

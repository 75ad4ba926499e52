package katas.workflows;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What GitHub Classroom's reporter computes from the runner results, ported line for line from
 * classroom-resources/autograding-grading-reporter@v1 (dist/main.js, built from src/main.js,
 * src/notify-classroom.js and src/aggregate-results.js). JavaScript numbers are IEEE doubles, so
 * the same additions in the same order give the same result here.
 *
 * <ul>
 *   <li>main.js: {@code runners.split(",")}, then for each runner
 *       {@code process.env[runner.trim().toUpperCase() + "_RESULTS"]}, base64-decoded, JSON-parsed;
 *   <li>notify-classroom.js: for every runner whose {@code max_score} is truthy,
 *       {@code maxPoints += max_score} and {@code totalPoints += score} of each test; the notice
 *       "Points totalPoints/maxPoints" is what Classroom records;
 *   <li>aggregate-results.js: the console table's "Test Score" is
 *       {@code passedTests / tests.length * max_score}: it ignores {@code score} (its issue #10).
 * </ul>
 */
final class ReporterModel {
    record Runner(String name, JsonNode results) {}

    record Totals(double totalPoints, double maxPoints) {
        /** The text of the reporter's notice, as JavaScript prints these numbers. */
        String notice() {
            return "Points " + js(totalPoints) + "/" + js(maxPoints);
        }
    }

    private ReporterModel() {}

    /** main.js: reads every runner's results from the environment; throws where the reporter would fail. */
    static List<Runner> read(String runnersInput, Map<String, String> environment) {
        List<Runner> runners = new ArrayList<>();
        for (String runner : runnersInput.split(",", -1)) {
            String variable = runner.trim().toUpperCase(java.util.Locale.ROOT) + "_RESULTS";
            String encoded = environment.get(variable);
            if (encoded == null || encoded.isEmpty()) {
                throw new IllegalArgumentException("the reporter would fail: no " + variable + " in its environment");
            }
            String json = new String(Base64.getDecoder().decode(encoded.trim()), StandardCharsets.UTF_8);
            runners.add(new Runner(runner, Kit.json(json)));
        }
        return runners;
    }

    /** notify-classroom.js: the points Classroom records. */
    static Totals classroomTotals(List<Runner> runners) {
        double totalPoints = 0;
        double maxPoints = 0;
        for (Runner runner : runners) {
            double max = runner.results().path("max_score").asDouble(0);
            if (max == 0 || Double.isNaN(max)) {
                continue; // if (!results.max_score) return acc;
            }
            maxPoints += max;
            for (JsonNode test : runner.results().path("tests")) {
                JsonNode score = test.get("score");
                totalPoints += score != null && score.isNumber() ? score.asDouble() : Double.NaN; // undefined -> NaN
            }
        }
        return new Totals(totalPoints, maxPoints);
    }

    /** aggregate-results.js getTestScore: the console table's number, which counts passed tests only. */
    static double consoleTableScore(Runner runner) {
        JsonNode tests = runner.results().path("tests");
        long passed = 0;
        for (JsonNode test : tests) {
            if ("pass".equals(test.path("status").asText())) {
                passed++;
            }
        }
        return (double) passed / tests.size() * runner.results().path("max_score").asDouble(0);
    }

    /** main.js: the reporter fails the step when a runner's status is "fail" or "error". */
    static boolean stepFails(List<Runner> runners) {
        return runners.stream().map(r -> r.results().path("status").asText()).anyMatch(s -> s.equals("fail") || s.equals("error"));
    }

    /**
     * What our runner results promise beyond what the reporter needs: the contract between
     * ./grade --classroom and this workflow. An empty list means the result keeps it.
     */
    static List<String> contractProblems(String runner, JsonNode results) {
        List<String> problems = new ArrayList<>();
        Set<String> statuses = Set.of("pass", "fail", "error");
        if (results.path("version").asInt(-1) != 1) {
            problems.add(runner + ": version is not 1");
        }
        if (!statuses.contains(results.path("status").asText())) {
            problems.add(runner + ": status is not pass, fail or error: " + results.path("status"));
        }
        JsonNode max = results.get("max_score");
        if (max == null || !max.isNumber() || max.asDouble() <= 0) {
            problems.add(runner + ": max_score is not a positive number: " + max);
        }
        JsonNode tests = results.path("tests");
        if (!tests.isArray() || tests.isEmpty()) {
            problems.add(runner + ": tests is not a non-empty array");
        }
        double sum = 0;
        for (JsonNode test : tests) {
            String name = test.path("name").asText("?");
            if (!test.path("name").isTextual() || name.isBlank()) {
                problems.add(runner + ": a test has no name");
            }
            if (!statuses.contains(test.path("status").asText())) {
                problems.add(runner + ": test " + name + " has status " + test.path("status"));
            }
            JsonNode score = test.get("score");
            if (score == null || !score.isNumber() || !Double.isFinite(score.asDouble()) || score.asDouble() < 0) {
                problems.add(runner + ": test " + name + " has no finite score >= 0 (the reporter would add " + score + ")");
            } else {
                sum += score.asDouble();
            }
        }
        if (max != null && max.isNumber() && sum > max.asDouble() + 1e-9) {
            problems.add(runner + ": the scores add up to " + sum + ", more than max_score " + max.asDouble());
        }
        boolean full = max != null && max.isNumber() && Math.abs(sum - max.asDouble()) < 1e-9;
        if ("pass".equals(results.path("status").asText()) && !full) {
            problems.add(runner + ": status pass but " + sum + " of " + max + " points");
        }
        return problems;
    }

    /** Number.prototype.toString for the values a score takes (no exponent below 1e21). */
    static String js(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e21) {
            return Long.toString((long) value);
        }
        return Double.toString(value); // shortest round-trip digits, as JavaScript (JDK 19+)
    }
}

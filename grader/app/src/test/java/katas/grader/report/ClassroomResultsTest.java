package katas.grader.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import katas.grader.GradeResult;
import katas.grader.scoring.KataResult;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The GitHub Classroom runner results")
class ClassroomResultsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final GradeResult grade = Grades.everything();

    @Test
    @DisplayName("Are one step output line per kata, named after the kata with - replaced by _, base64 on one line")
    void oneLinePerKata() {
        List<String> lines = ClassroomResults.outputLines(grade).lines().toList();

        assertThat(lines).extracting(l -> l.substring(0, l.indexOf('=')))
                .containsExactly("fix_the_race", "bank_account", "parallel_primes", "break_the_deadlock", "broken_kata");
        assertThat(lines).allMatch(l -> l.substring(l.indexOf('=') + 1).matches("[A-Za-z0-9+/]+=*"));
    }

    @Test
    @DisplayName("Decode to the total the reporter posts: the sum of tests[].score over the sum of max_score")
    void reporterTotal() throws Exception {
        Map<String, JsonNode> runners = decode(ClassroomResults.outputLines(grade));

        // As src/notify-classroom.js does: skip a runner whose max_score is 0, else add its max_score
        // and, one by one, the score of each of its tests.
        double totalPoints = 0;
        double maxPoints = 0;
        for (JsonNode results : runners.values()) {
            if (results.get("max_score").asDouble() == 0) {
                continue;
            }
            maxPoints += results.get("max_score").asDouble();
            for (JsonNode test : results.get("tests")) {
                totalPoints += test.get("score").asDouble();
            }
        }
        // Whole points everywhere: the reporter's sum is the grade's total, exactly.
        assertThat(totalPoints).isEqualTo(grade.points());
        assertThat(maxPoints).isEqualTo(grade.max());
    }

    @Test
    @DisplayName("Give each kata its points as the sum of one whole score per part, and its maximum")
    void perKata() throws Exception {
        Map<String, JsonNode> runners = decode(ClassroomResults.outputLines(grade));

        for (KataResult kata : grade.katas()) {
            JsonNode results = runners.get(ClassroomResults.runnerId(kata.id()));
            double sum = 0;
            for (int i = 0; i < kata.parts().size(); i++) {
                double score = results.get("tests").get(i).get("score").asDouble();
                assertThat(score).isEqualTo(kata.parts().get(i).points());
                sum += score;
            }
            assertThat(sum).as(kata.id()).isEqualTo(kata.points());
            assertThat(results.get("max_score").asDouble()).as(kata.id()).isEqualTo(kata.max());
        }
        JsonNode speedup = runners.get("parallel_primes").get("tests").get(1);
        assertThat(speedup.get("name").asText()).isEqualTo("parallel-primes: Speedup");
        assertThat(speedup.get("score").asInt()).isEqualTo(28);
        assertThat(speedup.get("status").asText()).isEqualTo("fail");
        assertThat(speedup.get("message").asText()).isEqualTo("measured 1.45x, 0.35x short of the 1.80x target");
    }

    @Test
    @DisplayName("Have the runner format: version, status, max_score, and every field of every test")
    void format() throws Exception {
        JsonNode results = decode(ClassroomResults.outputLines(grade)).get("bank_account");

        assertThat(results.get("version").asInt()).isEqualTo(1);
        assertThat(results.get("max_score").isIntegralNumber()).isTrue();
        JsonNode test = results.get("tests").get(0);
        assertThat(iterable(test.fieldNames())).containsExactly("name", "status", "score", "message", "test_code",
                "filename", "line_no", "duration");
        assertThat(test.get("name").asText()).isEqualTo("bank-account: Visible tests");
        assertThat(test.get("score").isIntegralNumber()).isTrue();
        assertThat(test.get("line_no").asInt()).isZero();
        assertThat(test.get("duration").asLong()).isEqualTo(12 + 34 + 12);
    }

    @Test
    @DisplayName("Say pass for full points, fail for points lost, error for a kata that could not be graded")
    void statuses() throws Exception {
        Map<String, JsonNode> runners = decode(ClassroomResults.outputLines(grade));

        assertThat(runners.values()).extracting(r -> r.get("status").asText())
                .containsExactly("pass", "fail", "fail", "error", "error");
        assertThat(runners.get("fix_the_race").get("tests")).allMatch(t -> t.get("status").asText().equals("pass"));
        assertThat(runners.get("bank_account").get("tests")).allMatch(t -> t.get("status").asText().equals("fail"));
        assertThat(runners.get("parallel_primes").get("tests").get(0).get("status").asText()).isEqualTo("pass");
    }

    @Test
    @DisplayName("Give an unreadable kata one error test with the reason, so that tests[] is never empty")
    void invalidKata() throws Exception {
        JsonNode results = decode(ClassroomResults.outputLines(grade)).get("broken_kata");

        assertThat(results.get("max_score").asInt()).isZero();
        assertThat(results.get("tests")).hasSize(1);
        assertThat(results.get("tests").get(0).get("message").asText()).isEqualTo("kata.json: unknown field \"pionts\"");
    }

    @Test
    @DisplayName("Mark a part left out of the maximum as error, so that the reporter prints why, and score it 0")
    void partLeftOut() throws Exception {
        JsonNode results = decode(ClassroomResults.outputLines(Grades.grade(Grades.speedupOnOneCore())))
                .get("parallel_primes");

        assertThat(results.get("status").asText()).isEqualTo("pass");
        assertThat(results.get("max_score").asInt()).isEqualTo(50);
        JsonNode speedup = results.get("tests").get(1);
        assertThat(speedup.get("status").asText()).isEqualTo("error");
        assertThat(speedup.get("score").asDouble()).isZero();
        assertThat(speedup.get("message").asText()).isEqualTo("speedup cannot be measured on 1 core");
    }

    @Test
    @DisplayName("Are listed decoded in classroom.json, with the runners input and env names the workflow needs")
    void inspection() throws Exception {
        JsonNode json = JSON.readTree(ClassroomResults.inspection(grade));

        assertThat(json.get("runners").asText())
                .isEqualTo("fix_the_race,bank_account,parallel_primes,break_the_deadlock,broken_kata");
        JsonNode bank = json.get("results").get(1);
        assertThat(bank.get("kata").asText()).isEqualTo("bank-account");
        assertThat(bank.get("env").asText()).isEqualTo("BANK_ACCOUNT_RESULTS");
        assertThat(bank.get("result")).isEqualTo(decode(ClassroomResults.outputLines(grade)).get("bank_account"));
        assertThat(json.get("points").asDouble()).isCloseTo(grade.points(), within(0.05));
        assertThat(json.get("maxPoints").asDouble()).isEqualTo(grade.max());
    }

    /** Runner id to decoded result, as the reporter reads them: base64, then UTF-8 JSON. */
    private static Map<String, JsonNode> decode(String outputLines) throws Exception {
        Map<String, JsonNode> runners = new LinkedHashMap<>();
        for (String line : outputLines.lines().toList()) {
            int eq = line.indexOf('=');
            byte[] json = Base64.getDecoder().decode(line.substring(eq + 1));
            runners.put(line.substring(0, eq), JSON.readTree(new String(json, StandardCharsets.UTF_8)));
        }
        return runners;
    }

    private static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> list = new ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }

    @Test
    @DisplayName("Give each part of a kata that does not compile every compiler error, not only the first line")
    void compilerErrorsInFull() throws Exception {
        JsonNode results = decode(ClassroomResults.outputLines(Grades.grade(Grades.doesNotCompile())))
                .get("break_the_deadlock");

        for (JsonNode test : results.get("tests")) {
            assertThat(test.get("status").asText()).isEqualTo("error");
            assertThat(test.get("message").asText()).contains("';' expected", "balance -= amount");
        }
        assertThat(results.get("max_score").asInt()).isEqualTo(100);
    }
}

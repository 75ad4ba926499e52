package katas.grader.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("results.json")
class ResultsJsonTest {

    private static JsonNode speedupOf(katas.grader.scoring.KataResult kata) throws Exception {
        JsonNode root = new ObjectMapper().readTree(ResultsJson.render(Grades.grade(kata)));
        return root.path("katas").get(0).path("parts").get(1).path("speedup");
    }

    @Test
    @DisplayName("gives a speedup with its target, the cores it counts and the cores present")
    void speedupOnIdleCores() throws Exception {
        JsonNode s = speedupOf(Grades.speedup());
        assertThat(s.path("speedup").asDouble()).isEqualTo(1.45);
        assertThat(s.path("target").asDouble()).isEqualTo(1.8);
        assertThat(s.path("cores").asDouble()).isEqualTo(2.0);
        assertThat(s.path("coresPresent").asInt()).isEqualTo(2);
        assertThat(s.path("targetBasis").asText()).isEqualTo("2 cores");
        assertThat(s.has("capacity")).as("no calibration ran").isFalse();
    }

    @Test
    @DisplayName("gives the calibration's reading when the target counts fewer cores than are present")
    void speedupOnHyperThreads() throws Exception {
        JsonNode s = speedupOf(Grades.speedupOnHyperThreads());
        assertThat(s.path("target").asDouble()).isEqualTo(1.62);
        assertThat(s.path("cores").asDouble()).isEqualTo(1.8);
        assertThat(s.path("coresPresent").asInt()).isEqualTo(4);
        assertThat(s.path("capacity").asDouble()).isEqualTo(1.83);
        assertThat(s.path("targetBasis").asText()).isEqualTo("4 logical cores that worked like 1.8");
    }
}

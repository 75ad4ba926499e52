package katas.grader;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import katas.grader.discovery.KitLayout;
import katas.grader.scoring.KataResult;
import katas.grader.scoring.KataStatus;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Grading code that breaks the rule of fair play")
class FairPlayGradingTest {

    @Test
    @DisplayName("refuses it before any test runs, naming the class and its calls, and grades the other katas")
    void refusesItAndGoesOn(@TempDir Path dir) throws Exception {
        new MiniKit(dir).kata("sniffer", "reflects-into-the-fork").kata("honest", "good");
        GradeResult result = new Grader().grade(GradeRequest.builder().layout(KitLayout.of(dir)).build(),
                new Listeners(List.of()));
        KataResult sniffer = kata(result, "sniffer");
        assertThat(sniffer.status()).isEqualTo(KataStatus.REFUSED);
        assertThat(sniffer.points()).isZero();
        assertThat(sniffer.message()).contains("must behave the same under the tests as anywhere else")
                .contains("hostile.Attacks uses reflection: it calls java.lang.Class.forName")
                .contains("hostile.Attacks looks at the call stack: it calls java.lang.Thread.getAllStackTraces");
        assertThat(kata(result, "honest").points()).isEqualTo(100);
    }

    private static KataResult kata(GradeResult result, String id) {
        return result.katas().stream().filter(k -> k.id().equals(id)).findFirst().orElseThrow();
    }
}

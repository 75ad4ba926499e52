package katas.startandjoin;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import katas.startandjoin.Stage.Outcome;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Hidden: the report of slow sources takes about as long as the slowest one, not as long as all of them. A
 * ratio measured in one test, never an absolute time: the same sleeping sources are fetched one after the
 * other by the test (the baseline), then by fetchAll, and fetchAll must be at least {@value #AT_LEAST} times
 * faster, where all at once is 4 to 10 times faster. The sources sleep, so the cores' load barely matters; a
 * trial that falls short is tried again, up to {@value #TRIALS} times.
 */
@DisplayName("ReportBuilder's duration")
@KataTest
class ReportBuilderDurationTest {

    static final double AT_LEAST = 2.0;
    static final int TRIALS = 3;

    @Test
    @Tag("rule-1")
    @DisplayName("takes about as long as the slowest source, not as long as all of them together")
    void takesAsLongAsTheSlowestSource(Shapes shapes) throws Exception {
        int count = shapes.between("sources", 6, 10);
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            millis.add((long) shapes.between("milliseconds of source " + i, 40, 70));
        }
        List<String> trials = new ArrayList<>();
        for (int trial = 1; trial <= TRIALS; trial++) {
            long baseline = System.nanoTime();
            for (long ms : millis) {
                TimeUnit.MILLISECONDS.sleep(ms);
            }
            baseline = System.nanoTime() - baseline;
            try (Stage stage = new Stage()) {
                List<String> sections = Briefing.distinctSections(shapes, count);
                for (int i = 0; i < count; i++) {
                    stage.sleeping(sections.get(i), millis.get(i));
                }
                stage.start(new ReportBuilder());
                Outcome outcome = stage.outcome("Its sources only sleep for a few milliseconds each.");
                stage.assertReport(outcome, sections);
                double ratio = (double) baseline / Math.max(1, outcome.nanos());
                trials.add(String.format(Locale.ROOT, "%.0f ms one after the other, %.0f ms with fetchAll (%.1fx)",
                        baseline / 1e6, outcome.nanos() / 1e6, ratio));
                if (ratio >= AT_LEAST) {
                    return;
                }
            }
        }
        throw new AssertionError(String.format(Locale.ROOT, "%d sources that take %s ms each: fetched one after the "
                + "other they take the sum, at the same time about the slowest one's time, %d to %d times less; "
                + "fetchAll was not even %.0f times faster than one after the other in %d trials (%s). Start every "
                + "thread before you wait for any, and do not wait for one before starting the next, not even "
                + "with a timeout (rule 1)", count, millis, count / 2, count, AT_LEAST, TRIALS,
                String.join("; ", trials)));
    }
}

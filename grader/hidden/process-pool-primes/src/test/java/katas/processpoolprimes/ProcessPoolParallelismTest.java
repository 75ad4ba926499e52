package katas.processpoolprimes;

import static katas.processpoolprimes.Pools.count;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.ThreadsLeftBehind;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/** Hidden: every worker busy at once, count after count; slow ranges anywhere; one request per worker. */
@DisplayName("ProcessPool in parallel, hidden")
@KataTest
// Rule 12 on every path a test takes, not only in the tests about closing (red team I)
@ExtendWith(ThreadsLeftBehind.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProcessPoolParallelismTest {

    @Test
    @Order(1)
    @Tag("rule-8")
    @DisplayName("never sends a worker its next request before it has answered the previous one")
    void neverQueuesASecondRequestAtABusyWorker(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 1, 3);
        long delayMicros = shapes.between("microseconds each answer takes", 500L, 3_000L);
        try (ProbeHub hub = ProbeHub.start(ask -> {
            Thread.sleep(delayMicros / 1000, (int) (delayMicros % 1000) * 1000);
            return ProbeHub.answer(ask);
        }); ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            shapes.check(2, round -> {
                Pools.Cut cut = Pools.cut(round, round.between("ranges", 20, 80), 1_000);
                assertThat(count(pool, cut.from(), cut.to(), cut.rangeSize()))
                        .as("rule 5: the total for %s", cut.describe()).isEqualTo(cut.expectedTotal());
                hub.assertProtocolKept();
            });
        }
    }

    @Test
    @Order(2)
    @Tag("rule-7")
    @DisplayName("keeps every worker busy at once, in every count on the same pool")
    void keepsEveryWorkerBusyInEveryCount(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 3, 4);
        try (ProbeHub hub = ProbeHub.start(); ChildProcesses children = ChildProcesses.watch()) {
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            int counts = shapes.between("counts", 2, 3);
            for (int c = 1; c <= counts; c++) {
                ProbeHub.Barrier barrier = hub.barrier(size, Duration.ofSeconds(5));
                hub.policy(barrier);
                int ranges = shapes.between("count " + c + " ranges", size + 1, 6 * size);
                Pools.Cut cut = Pools.cut(shapes, "count " + c, ranges, 100_000);
                long total = count(pool, cut.from(), cut.to(), cut.rangeSize());
                assertThat(barrier.failure())
                        .as("rule 7: in count %d of %d, %s, each of the %d workers waits until %d requests are in "
                                + "flight at once, but %s: every worker must hold a range at the same time, in every "
                                + "count", c, counts, cut.describe(), size, size, barrier.failure())
                        .isNull();
                assertThat(total).as("rule 5: the total for %s", cut.describe()).isEqualTo(cut.expectedTotal());
            }
            hub.assertProtocolKept();
        }
    }

    @Test
    @Order(3)
    @Tag("rule-7")
    @DisplayName("lets a slow range anywhere hold up nothing but its own worker")
    void aSlowRangeAnywhereHoldsUpOnlyItsOwnWorker(Shapes shapes) throws Exception {
        int size = shapes.between("workers", 2, 4);
        Pools.Cut cut = Pools.cut(shapes, shapes.between("ranges", size + 2, 16), 50_000);
        int slow = shapes.between("slow range (index)", 0, cut.ranges() - 2);
        long[] slowRange = cut.pieces().get(slow);
        try (ProbeHub hub = ProbeHub.start(); ChildProcesses children = ChildProcesses.watch()) {
            ProbeHub.Hold hold = hub.hold(slowRange[0], slowRange[1], cut.ranges() - 1, Duration.ofSeconds(5));
            hub.policy(hold);
            ProcessPool pool = children.own(new ProcessPool(size, ProbeWorker.class, hub.args()));
            long total = count(pool, cut.from(), cut.to(), cut.rangeSize());
            assertThat(hold.failure())
                    .as("rule 7: range %d of %d, %s, is slow: its worker holds it until the other %d ranges have been "
                            + "answered by the other %d worker(s), but %s: the pool waited for the slow answer before "
                            + "handing out more ranges (rounds in lockstep, answers read in a fixed order, or ranges "
                            + "queued behind the slow one)", slow + 1, cut.ranges(),
                            ProbeHub.range(slowRange[0], slowRange[1]), cut.ranges() - 1, size - 1, hold.failure())
                    .isNull();
            assertThat(total).as("rule 5: the total for %s", cut.describe()).isEqualTo(cut.expectedTotal());
            List<ProbeHub.Ask> asks = hub.asks();
            assertThat(asks).as("rule 7: requests sent for %s (one per range)", cut.describe()).hasSize(cut.ranges());
            hub.assertProtocolKept();
        }
    }
}

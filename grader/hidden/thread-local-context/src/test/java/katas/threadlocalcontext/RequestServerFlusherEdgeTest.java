package katas.threadlocalcontext;

import static katas.threadlocalcontext.RequestServerTest.HOUR;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.Sneaky;
import katas.testkit.ThreadDiagnosis;
import katas.testkit.ThreadEnd;
import katas.testkit.time.RunningBudget;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden tests of the audit log's edges: a sink stuck while a great many records wait, audits that never pause,
 * each thread's order across requests and across a refused batch, a sink that keeps refusing, a flush period under
 * a millisecond, empty batches, close() during a write that waits as I/O does, close() interrupted, and the daemon
 * status of every thread the server starts, made by a thread called "main" on pools that are not daemons.
 */
@DisplayName("RequestServer's audit log at the edges")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RequestServerFlusherEdgeTest {

    @Test
    @Order(1)
    @Tag("rule-5")
    @DisplayName("returns from every audit() while the sink is stuck, however many records wait")
    void auditNeverWaitsHoweverManyRecordsWait(Shapes shapes) throws Exception {
        int count = shapes.between("records audited while the sink is stuck", 1_000_001, 1_300_000);
        RequestContext context = Desk.contexts(shapes, 1).get(0);
        try (Desk desk = Desk.of(1, 1, RequestServerTest.shortPeriod(shapes))) {
            RequestServer server = desk.server;
            CountDownLatch stuck = desk.sink.hold();
            desk.get(server.handle(context, () -> {
                server.audit("first");
                return null;
            }), "the first request");
            assertThat(stuck.await(Desk.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("the flusher should have "
                    + "begun to write the first record within %s s (rule 6)", Desk.PATIENCE.toSeconds()).isTrue();
            String message = "bulk " + context.traceId();
            desk.get(server.handle(context, () -> {
                for (int r = 0; r < count; r++) {
                    server.audit(message);
                }
                return null;
            }), "a request auditing " + count + " records while the sink was stuck in a write (rule 5: audit() "
                    + "never waits for the sink, however many records wait; a queue with a bound waits once it is "
                    + "full)");
            desk.sink.release();
            assertThat(desk.closeWithin(Duration.ofSeconds(5))).as("close() once the sink goes on").isNull();
            assertThat(desk.sink.written().stream().filter(r -> r.message().equals(message)).count()).as("records "
                    + "written of the %d audited while the sink was stuck (rules 5 and 8)", count).isEqualTo(count);
        }
    }

    @Test
    @Order(2)
    @Tag("rule-6")
    @DisplayName("writes records within its period while other requests go on auditing without a pause")
    void writesWhileAuditsGoOn(Shapes shapes) throws Exception {
        Duration period = Duration.ofMillis(shapes.between("flush period (ms)", 40, 90));
        List<RequestContext> contexts = Desk.contexts(shapes, 2);
        int marked = shapes.between("records each request audits first", 1, 5);
        Expected expected = new Expected();
        AtomicBoolean stop = new AtomicBoolean();
        try (Desk desk = Desk.of(2, 1, period)) {
            RequestServer server = desk.server;
            List<Future<Integer>> auditors = new ArrayList<>();
            for (RequestContext context : contexts) {
                List<String> messages = new ArrayList<>();
                for (int r = 1; r <= marked; r++) {
                    messages.add(expected.message(context, context.traceId(), r));
                }
                String more = "more of " + context.traceId();
                auditors.add(server.handle(context, () -> {
                    for (String message : messages) {
                        server.audit(message);
                    }
                    int audited = 0;
                    while (!stop.get() && audited < 400_000) {
                        server.audit(more);
                        audited++;
                        LockSupport.parkNanos(20_000L);
                    }
                    return audited;
                }));
            }
            try {
                RequestServerTest.awaitWritten(desk, expected, "while two requests went on auditing (a record every "
                        + "fraction of a millisecond), the records they audited first were not written: the flusher "
                        + "writes at most one flush period (" + period.toMillis() + " ms) after a record was audited, "
                        + "also while audits go on; it does not wait for a pause (rule 6)");
            } finally {
                stop.set(true);
            }
            for (Future<Integer> auditor : auditors) {
                desk.get(auditor, "a request that audits until told to stop");
            }
        }
    }

    @Test
    @Order(12)
    @Tag("rule-6")
    @DisplayName("writes records within its period while a request goes on auditing a trickle, a record every half period")
    void writesWhileATrickleGoesOn(Shapes shapes) throws Exception {
        Duration period = Duration.ofMillis(shapes.between("flush period (ms)", 20, 40));
        RequestContext context = Desk.contexts(shapes, 1).get(0);
        int marked = shapes.between("records the request audits first", 1, 3);
        int trickle = 40;
        Expected expected = new Expected();
        try (Desk desk = Desk.of(1, 1, period)) {
            RequestServer server = desk.server;
            List<String> messages = new ArrayList<>();
            for (int r = 1; r <= marked; r++) {
                messages.add(expected.message(context, context.traceId(), r));
            }
            Future<Integer> auditor = server.handle(context, () -> {
                messages.forEach(server::audit);
                int more = 0;
                while (more < trickle && expected.countIn(desk.sink.written()) < marked) {
                    LockSupport.parkNanos(period.toNanos() / 2);
                    server.audit("trickle of " + context.traceId());
                    more++;
                }
                return more;
            });
            int more = desk.get(auditor, "a request that audits a trickle");
            assertThat(expected.countIn(desk.sink.written())).as("records written of the %d the request audited "
                    + "first, while it went on auditing a record every %d ms, %d records in all (%d flush periods of %d "
                    + "ms): the flusher writes at most one period after a record was audited, whether more records "
                    + "come or not; it neither waits for a quiet period nor for a batch of some size (rule 6)", marked,
                    period.toMillis() / 2, more, more / 2, period.toMillis()).isEqualTo(marked);
        }
    }

    @Test
    @Order(13)
    @Tag("rule-6")
    @DisplayName("writes every period while a request audits a trickle, a record every half period, not only when it pauses or after several periods")
    void writesEveryPeriodDuringATrickle(Shapes shapes) throws Exception {
        Duration period = Duration.ofMillis(shapes.between("flush period (ms)", 200, 300));
        RequestContext context = Desk.contexts(shapes, 1).get(0);
        int periods = 10;
        try (Desk desk = Desk.of(1, 1, period)) {
            RequestServer server = desk.server;
            Future<Integer> trickle = server.handle(context, () -> {
                long end = System.nanoTime() + periods * period.toNanos();
                int audited = 0;
                while (System.nanoTime() - end < 0) {
                    server.audit("trickle " + audited + " of " + context.traceId());
                    audited++;
                    LockSupport.parkNanos(period.toNanos() / 2);
                }
                return audited;
            });
            int audited = desk.get(trickle, "a request that audits a trickle for " + periods + " flush periods");
            int writes = desk.sink.writes();
            // Counted, not timed: a right flusher writes about once a period here; three writes in ten periods
            // leave room for a machine so busy that the flusher oversleeps by two periods at a time.
            assertThat(writes).as("writes while a request audited a record every %d ms for %d flush periods of %d "
                    + "ms (%d records): the flusher writes at most one period after a record was audited, whether "
                    + "more records come or not; it neither waits for a pause nor lets records gather for several "
                    + "periods (rule 6)", period.toMillis() / 2, periods, period.toMillis(), audited)
                    .isGreaterThanOrEqualTo(3);
        }
    }

    @Test
    @Order(14)
    @Tag("rule-6")
    @DisplayName("writes a backlog of a hundred thousand records within its period once the sink goes on, without close()")
    void writesABacklogWithinItsPeriod(Shapes shapes) throws Exception {
        Duration period = Duration.ofMillis(shapes.between("flush period (ms)", 200, 300));
        RequestContext context = Desk.contexts(shapes, 1).get(0);
        int backlog = shapes.between("records audited while the sink is stuck", 100_000, 120_000);
        try (Desk desk = Desk.of(1, 1, period)) {
            RequestServer server = desk.server;
            CountDownLatch stuck = desk.sink.hold();
            desk.get(server.handle(context, () -> {
                server.audit("first of " + context.traceId());
                return null;
            }), "a request that audits");
            assertThat(stuck.await(Desk.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("the flusher should have "
                    + "begun its first write within %s s (rule 6)", Desk.PATIENCE.toSeconds()).isTrue();
            desk.get(server.handle(context, () -> {
                for (int r = 0; r < backlog; r++) {
                    server.audit("backlog " + r + " of " + context.traceId());
                }
                return null;
            }), "a request that audits " + backlog + " records while the sink is stuck");
            desk.sink.release();
            RequestServerTest.awaitTrue(() -> desk.sink.written().size() >= backlog + 1, desk, () -> (desk.sink
                    .written().size() - 1) + " of the " + backlog + " records audited while the sink was stuck were "
                    + "written, in " + (desk.sink.writes() - 1) + " writes, within " + Desk.PATIENCE.toSeconds()
                    + " s after it went on, with a flush period of " + period.toMillis() + " ms and no close(): the "
                    + "flusher writes every record at most one period after it was audited (or the sink let it), "
                    + "however many wait; a batch of some largest size once a period holds records back (rule 6)");
        }
    }

    @Test
    @Order(3)
    @Tag("rule-6")
    @DisplayName("writes the records of one thread in the order it audited them, across the requests it ran one after the other, also when it comes back to an earlier request")
    void keepsEachThreadsOrderAcrossRequests(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            // A few requests' contexts, drawn again and again: one thread runs request A, then B, then A again (the
            // same context handled twice, and forks of several requests run one after the other on the only
            // worker), so that a buffer that keeps each request's records together changes a thread's order.
            List<RequestContext> pool = Desk.contexts(round, round.between("distinct requests", 2, 4));
            int count = round.between("requests on one thread", 5, 12);
            java.util.Random random = round.random();
            List<RequestContext> contexts = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                contexts.add(pool.get(random.nextInt(pool.size())));
            }
            contexts.set(1, pool.get(1));
            contexts.set(0, pool.get(0));
            contexts.set(round.between("where request A comes back", 2, count - 1), pool.get(0));
            Expected expected = new Expected();
            AtomicInteger place = new AtomicInteger();
            AtomicInteger workerPlace = new AtomicInteger();
            AtomicInteger unique = new AtomicInteger();
            String stream = "the request pool's only thread";
            String workerStream = "the worker pool's only thread";
            try (Desk desk = Desk.of(1, 1, HOUR)) {
                RequestServer server = desk.server;
                List<Future<Object>> requests = new ArrayList<>();
                List<Future<Object>> forks = new CopyOnWriteArrayList<>();
                for (RequestContext context : contexts) {
                    int records = 1 + random.nextInt(3);
                    boolean forks1 = random.nextBoolean();
                    requests.add(server.handle(context, () -> {
                        for (int r = 0; r < records; r++) {
                            int at = place.incrementAndGet();
                            server.audit(expected.add(context, stream, at, context.traceId() + " step " + at + " ("
                                    + unique.incrementAndGet() + ")"));
                        }
                        if (forks1) {
                            forks.add(server.fork(() -> {
                                int at = workerPlace.incrementAndGet();
                                server.audit(expected.add(context, workerStream, at, context.traceId() + " forked step "
                                        + at + " (" + unique.incrementAndGet() + ")"));
                                return null;
                            }));
                        }
                        return null;
                    }));
                }
                for (Future<Object> request : requests) {
                    desk.get(request, "a request that audits");
                }
                for (Future<Object> fork : forks) {
                    desk.get(fork, "a forked task that audits");
                }
                assertThat(desk.closeWithin(Duration.ofSeconds(3))).as("close()").isNull();
                assertThat(expected.check(desk.sink.written(), "rule 5")).as("what the sink was given, after %d "
                        + "requests of the trace ids %s ran one after the other on the request pool's only thread, "
                        + "and the tasks some of them forked on the worker pool's only thread (the records one thread "
                        + "audited are written in the order it audited them, whichever request they belong to, also "
                        + "when the thread comes back to an earlier request: rule 6)", contexts.size(),
                        contexts.stream().map(RequestContext::traceId).toList()).isNull();
                assertThat(desk.sink.overlap()).as("writes that overlapped or had no record (rule 6)").isNull();
            }
        });
    }

    @Test
    @Order(4)
    @Tag("rule-6")
    @DisplayName("keeps a thread's order when a batch the sink refused is tried again")
    void keepsTheOrderWhenARefusedBatchIsTriedAgain(Shapes shapes) throws Exception {
        RequestContext context = Desk.contexts(shapes, 1).get(0);
        int before = shapes.between("records audited before the failing write", 1, 6);
        int during = shapes.between("records audited while it fails", 1, 6);
        Throwable failure = shapes.failure("what the first write throws", "the audit store is restarting");
        Store store = new Store();
        store.holdEveryWrite();
        store.refuse((number, batch) -> number == 1 ? failure : null);
        try (Bench bench = new Bench(store, Duration.ofMillis(shapes.between("flush period (ms)", 1, 9)), true,
                "main of the application")) {
            RequestServer server = bench.server;
            AtomicInteger place = new AtomicInteger();
            bench.get(server.handle(context, () -> {
                for (int r = 0; r < before; r++) {
                    server.audit("step " + place.incrementAndGet());
                }
                return null;
            }), "a request that audits");
            assertThat(store.entered().await(Desk.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("the flusher "
                    + "should have begun its first write within %s s (rule 6)", Desk.PATIENCE.toSeconds()).isTrue();
            bench.get(server.handle(context, () -> {
                for (int r = 0; r < during; r++) {
                    server.audit("step " + place.incrementAndGet());
                }
                return null;
            }), "a request that audits while the first write is under way");
            store.release();
            assertThat(bench.closeWithin(Duration.ofSeconds(3))).as("close() after the sink threw %s", failure)
                    .isNull();
            List<Integer> written = store.written().stream().map(r -> Integer.parseInt(r.message().substring(5)))
                    .toList();
            Set<Integer> refused = new HashSet<>();
            store.refused().forEach(batch -> batch.forEach(r -> refused.add(Integer.parseInt(r.message()
                    .substring(5)))));
            for (int i = 1; i < written.size(); i++) {
                assertThat(written.get(i)).as("the sink refused the first write (%s), then was given steps %s, in "
                        + "that order, of one thread that audited steps 1 to %d in turn: its records are written in "
                        + "the order it audited them, also when a refused batch is tried again, which then goes "
                        + "before the records audited since (rule 6)", failure, written, before + during)
                        .isGreaterThan(written.get(i - 1));
            }
            for (int step = 1; step <= before + during; step++) {
                assertThat(written.contains(step) || refused.contains(step)).as("step %d, never in a write the sink "
                        + "refused, was never written (written: %s; rule 6)", step, written).isTrue();
            }
        }
    }

    @Test
    @Order(5)
    @Tag("rule-6")
    @Tag("rule-8")
    @DisplayName("neither spins nor stops writing while the sink keeps refusing a batch")
    void neitherSpinsNorStallsOnABatchTheSinkKeepsRefusing(Shapes shapes) throws Exception {
        List<RequestContext> contexts = Desk.contexts(shapes, 2);
        Throwable failure = shapes.failure("what the sink throws", "the audit store rejects this record");
        Store store = new Store();
        store.refuse((number, batch) -> batch.stream().anyMatch(r -> r.message().startsWith("rejected")) ? failure
                : null);
        try (Bench bench = new Bench(store, Duration.ofMillis(shapes.between("flush period (ms)", 5, 20)), true,
                "main of the application")) {
            RequestServer server = bench.server;
            RequestContext first = contexts.get(0);
            RequestContext next = contexts.get(1);
            // The first write is held until records the sink would take on their own have been audited behind it:
            // those are the next records, which a batch the sink keeps refusing must not take down with it.
            store.holdEveryWrite();
            bench.get(server.handle(first, () -> {
                server.audit("rejected " + first.traceId());
                return null;
            }), "a request that audits");
            assertThat(store.entered().await(Desk.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("the flusher "
                    + "should have begun its first write within %s s (rule 6)", Desk.PATIENCE.toSeconds()).isTrue();
            int early = shapes.between("records audited while the first write is under way", 1, 4);
            bench.get(server.handle(next, () -> {
                for (int r = 1; r <= early; r++) {
                    server.audit("accepted early " + r + " " + next.traceId());
                }
                return null;
            }), "a request that audits while the first write is under way");
            store.release();
            bench.awaitTrue(() -> !store.refused().isEmpty(), "the flusher should have tried to write the first "
                    + "record (rule 6)");
            Looks looks = Looks.at(bench.serversThreads(), shapes.between("time the sink goes on refusing (ms)",
                    300, 500));
            assertThat(looks.running).as("looks at the server's threads, every millisecond for %d ms while the sink "
                    + "refused every write of the batch with the record it rejects (%s, %d tries), that found one of "
                    + "them running (RUNNABLE), of %d: between writes the flusher waits a flush period, also after a "
                    + "failed write; it never tries again at once, in a loop (rule 6)", looks.millis, failure,
                    store.writes(), looks.taken).isLessThan(looks.taken / 2);
            bench.get(server.handle(next, () -> {
                server.audit("accepted " + next.traceId());
                return null;
            }), "a request that audits");
            bench.awaitTrue(() -> store.written().stream().anyMatch(r -> r.message().startsWith("accepted "
                    + next.traceId())), "a record audited after a batch the sink keeps refusing was not written: "
                    + "that batch may be lost or tried again, but the flusher goes on and writes the next records "
                    + "(rule 6)");
            bench.awaitTrue(() -> store.written().stream().filter(r -> r.message().startsWith("accepted early"))
                    .count() == early, "not all the " + early + " records audited while the write of a record the "
                    + "sink rejects was under way (records the sink takes on their own) were written: only the "
                    + "refused batch may be lost; a batch tried again is written on its own, before the "
                    + "records audited since, never together with them, so that they are not refused with it (rule 6)");
            assertThat(bench.closeWithin(Duration.ofSeconds(3))).as("close() while the sink refuses that batch "
                    + "(rule 8)").isNull();
        }
    }

    @Test
    @Order(6)
    @Tag("rule-6")
    @DisplayName("accepts a flush period under a millisecond, and writes within it")
    void acceptsAPeriodUnderAMillisecond(Shapes shapes) throws Exception {
        Duration period = Duration.ofNanos(shapes.between("flush period (ns)", 50_000, 999_999));
        List<RequestContext> contexts = Desk.contexts(shapes, shapes.between("requests", 1, 4));
        Expected expected = new Expected();
        Desk made;
        try {
            made = Desk.of(1, 1, period);
        } catch (IllegalArgumentException refused) {
            throw new AssertionError("the constructor refused a flush period of " + period + ", which is positive: "
                    + "only a period that is not positive is refused (rule 6)", refused);
        }
        try (Desk desk = made) {
            RequestServer server = desk.server;
            Looks looks = Looks.at(desk.serversThreads(), shapes.between("idle time (ms)", 150, 250));
            assertThat(looks.running).as("looks at the server's threads, every millisecond for %d ms with nothing to "
                    + "write and a flush period of %s, that found one of them running (RUNNABLE), of %d: between "
                    + "writes the flusher waits (park, sleep, wait) even when the period is under a millisecond; it "
                    + "never spins (rule 6)", looks.millis, period, looks.taken).isLessThan(looks.taken / 2);
            for (RequestContext context : contexts) {
                desk.get(server.handle(context, () -> {
                    server.audit(expected.message(context, context.traceId(), 1));
                    server.audit(expected.message(context, context.traceId(), 2));
                    return null;
                }), "a request that audits");
            }
            RequestServerTest.awaitWritten(desk, expected, "with a flush period of " + period + " (under a "
                    + "millisecond), records must be written at most one period after they were audited, without "
                    + "close(); a wait of period.toMillis(), that is 0, is no wait at all or forever (rule 6)");
        }
    }

    @Test
    @Order(0)
    @Tag("rule-6")
    @DisplayName("waits without spinning between writes, also when the flush period is a few milliseconds")
    void idlesWithoutSpinningAtAShortPeriod(Shapes shapes) throws Exception {
        Duration period = Duration.ofMillis(shapes.between("flush period (ms)", 3, 9));
        try (Desk desk = Desk.of(1, 1, period)) {
            List<Thread> threads = desk.serversThreads();
            assertThat(threads).as("threads started by the constructor (rule 6)").isNotEmpty();
            Looks looks = Looks.at(threads, shapes.between("idle time (ms)", 300, 500));
            assertThat(looks.running).as("looks at the server's threads, every millisecond for %d ms with nothing to "
                    + "write and a flush period of %d ms, that found one of them running (RUNNABLE), of %d: between "
                    + "writes the flusher waits (park, sleep, wait), it never spins, not even to time a short period "
                    + "precisely (rule 6)", looks.millis, period.toMillis(), looks.taken).isLessThan(looks.taken / 2);
            // Wake-ups on top of the periods it waited out (a spurious wake-up is allowed, rule 6): with nothing
            // audited, however many times it wakes, the flusher has nothing to write.
            for (int w = 0; w < 128; w++) {
                threads.forEach(LockSupport::unpark);
                LockSupport.parkNanos(300_000L);
            }
            LockSupport.parkNanos(period.toNanos() * 2);
            assertThat(desk.sink.overlap()).as("the sink of a server that never audited a record, after %d ms of "
                    + "flush periods of %d ms: the flusher never calls it with an empty batch, not even to keep a "
                    + "connection alive after a long quiet (rule 6)", looks.millis, period.toMillis()).isNull();
            assertThat(desk.sink.writes()).as("writes of a server that never audited a record, after %d ms of flush "
                    + "periods of %d ms (rule 6: never an empty batch)", looks.millis, period.toMillis()).isZero();
        }
    }

    /**
     * How often the server's threads were found running (RUNNABLE: on a CPU or ready for one) in looks about every
     * millisecond. A thread that waits between writes is found running only while it writes or wakes up, a few
     * microseconds of each period (a little more on a busy machine); one that spins, always, however few CPU
     * cycles a busy machine gives it.
     */
    record Looks(int taken, int running, long millis) {
        static Looks at(List<Thread> threads, int millis) {
            int taken = 0;
            int running = 0;
            long start = System.nanoTime();
            long end = start + millis * 1_000_000L;
            while (System.nanoTime() < end) {
                LockSupport.parkNanos(1_000_000L);
                taken++;
                if (threads.stream().anyMatch(t -> t.getState() == Thread.State.RUNNABLE)) {
                    running++;
                }
            }
            return new Looks(taken, running, (System.nanoTime() - start) / 1_000_000L);
        }
    }

    @Test
    @Order(7)
    @Tag("rule-6")
    @Tag("rule-8")
    @DisplayName("never gives the sink an empty batch, not even in the last flush of close()")
    void neverAnEmptyBatch(Shapes shapes) throws Exception {
        try (Desk idle = Desk.of(1, 1, RequestServerTest.shortPeriod(shapes))) {
            Thread.sleep(shapes.between("idle time (ms)", 5, 30));
            assertThat(idle.closeWithin(Duration.ofSeconds(3))).as("close() of a server that never audited").isNull();
            assertThat(idle.sink.overlap()).as("the sink of a server that never audited a record, after close(): "
                    + "the sink is never called with an empty batch, also not by the last flush (rule 6)").isNull();
            assertThat(idle.sink.writes()).as("writes of a server that never audited a record (rule 6)").isZero();
        }
        shapes.check(2, round -> {
            List<RequestContext> contexts = Desk.contexts(round, round.between("requests", 1, 6));
            boolean more = round.chance("more records audited after the last write, before close()", 0.5);
            Expected expected = new Expected();
            try (Desk desk = Desk.of(1, 1, RequestServerTest.shortPeriod(round))) {
                RequestServer server = desk.server;
                for (RequestContext context : contexts) {
                    desk.get(server.handle(context, () -> {
                        server.audit(expected.message(context, context.traceId(), 1));
                        return null;
                    }), "a request that audits");
                }
                RequestServerTest.awaitWritten(desk, expected, "the flusher writes every period (rule 6)");
                if (more) {
                    RequestContext context = contexts.get(0);
                    desk.get(server.handle(context, () -> {
                        server.audit(expected.message(context, context.traceId(), 2));
                        return null;
                    }), "a request that audits");
                }
                assertThat(desk.closeWithin(Duration.ofSeconds(3))).as("close()").isNull();
                assertThat(desk.sink.overlap()).as("the sink after close(), %s: it is never called with an empty "
                        + "batch, also not by the last flush, and from one thread at a time (rule 6)", more
                        ? "with records left to write" : "with nothing left to write").isNull();
                assertThat(expected.check(desk.sink.written(), "rule 5")).as("what the sink was given").isNull();
            }
        });
    }

    @Test
    @Order(8)
    @Tag("rule-8")
    @Tag("rule-6")
    @DisplayName("returns from a close() called during a long write that waits as I/O does, only once every record is written, one write at a time")
    void closeDuringAWriteThatWaitsLikeIo(Shapes shapes) throws Exception {
        RequestContext context = Desk.contexts(shapes, 1).get(0);
        int before = shapes.between("records audited before the first write", 1, 6);
        int during = shapes.between("records audited during it", 1, 6);
        Expected expected = new Expected();
        Store store = new Store();
        store.holdEveryWrite();
        try (Bench bench = new Bench(store, Duration.ofMillis(shapes.between("flush period (ms)", 1, 9)), true,
                "main of the application")) {
            RequestServer server = bench.server;
            AtomicInteger place = new AtomicInteger();
            bench.get(server.handle(context, () -> {
                for (int r = 0; r < before; r++) {
                    server.audit(expected.message(context, context.traceId(), place.incrementAndGet()));
                }
                return null;
            }), "a request that audits");
            assertThat(store.entered().await(Desk.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("the flusher "
                    + "should have begun its first write within %s s (rule 6)", Desk.PATIENCE.toSeconds()).isTrue();
            bench.get(server.handle(context, () -> {
                for (int r = 0; r < during; r++) {
                    server.audit(expected.message(context, context.traceId(), place.incrementAndGet()));
                }
                return null;
            }), "a request that audits while the first write is under way");
            Closing closing = Closing.start(server);
            closing.awaitWaiting();
            int late = shapes.between("records audited while close() waits", 1, 4);
            bench.get(server.handle(context, () -> {
                for (int r = 0; r < late; r++) {
                    String message = expected.message(context, context.traceId(), place.incrementAndGet());
                    if (RequestServerTest.refused(() -> server.audit(message))) {
                        expected.forget(message);
                    }
                }
                return null;
            }), "a request that audits while close() waits");
            String gaveUp = holdWhileCloseWaits(store, closing, SLOW_WRITE);
            store.release();
            assertThat(gaveUp).as("close(), called while the flusher was in a write held for %s ms, as a stalled "
                    + "disk may: close() waits for the flusher however long its write takes; it never gives up after "
                    + "a time and then returns, interrupts the flusher or writes by itself (rule 8)",
                    SLOW_WRITE.toMillis()).isNull();
            assertThat(closing.join(Duration.ofSeconds(3))).as("close(), called while the flusher was in a write, "
                    + "once the write went on (rule 8). %s", closing.explainIfStuck(bench)).isTrue();
            assertThat(closing.thrown()).as("what close() threw").isNull();
            assertThat(store.interrupted()).as("a write was interrupted: the sink's wait (as a file channel or a "
                    + "socket waits) threw InterruptedException and its batch was lost. close() wakes the flusher "
                    + "without disturbing a write under way: an interrupt reaches the sink (rule 8)").isNull();
            assertThat(store.trouble()).as("how the sink was called (rule 6: from one thread at a time; close() "
                    + "does not write while the flusher writes)").isNull();
            assertThat(expected.check(store.written(), "rule 5")).as("what the sink had been given when close() "
                    + "returned (rule 8: every record audited before close() is written)").isNull();
        }
    }

    /** Longer than any "give the flusher a moment, then force it" timeout a close() might use. */
    private static final Duration SLOW_WRITE = Duration.ofMillis(2_500);

    /**
     * Keeps the write held for {@code hold} of wall-clock time (a busy machine only makes the hold longer for
     * close()); null when close() went on waiting quietly all along, or what it did instead.
     */
    private static String holdWhileCloseWaits(Store store, Closing closing, Duration hold) {
        long start = System.nanoTime();
        while (System.nanoTime() - start < hold.toNanos()) {
            long waited = (System.nanoTime() - start) / 1_000_000;
            if (store.interrupted() != null) {
                return "after " + waited + " ms, " + store.interrupted();
            }
            if (store.trouble() != null) {
                return "after " + waited + " ms, " + store.trouble();
            }
            if (!ThreadEnd.stillRuns(closing.thread)) {
                return "after " + waited + " ms, close() " + (closing.thrown() == null ? "returned"
                        : "threw " + closing.thrown()) + " while the write was still under way, before every record "
                        + "audited before it was written";
            }
            LockSupport.parkNanos(5_000_000L);
        }
        return null;
    }

    @Test
    @Order(9)
    @Tag("rule-8")
    @DisplayName("throws InterruptedException from an interrupted close(), or returns only once every record is written, and so does a close() after it")
    void interruptedClose(Shapes shapes) throws Exception {
        List<RequestContext> contexts = Desk.contexts(shapes, shapes.between("requests", 2, 6));
        int first = shapes.between("requests that audit before the first write", 1, contexts.size() - 1);
        Store store = new Store();
        store.holdEveryWrite();
        Set<String> audited = ConcurrentHashMap.newKeySet();
        try (Bench bench = new Bench(store, Duration.ofMillis(shapes.between("flush period (ms)", 1, 9)), true,
                "main of the application")) {
            RequestServer server = bench.server;
            for (int c = 0; c < contexts.size(); c++) {
                if (c == first) {
                    // The flusher's first write is held: it is not the last one, the records audited from now on
                    // wait for the next write.
                    assertThat(store.entered().await(3, TimeUnit.SECONDS)).as("the flusher should have begun its "
                            + "first write within a period (rule 6)").isTrue();
                }
                RequestContext context = contexts.get(c);
                bench.get(server.handle(context, () -> {
                    String message = "closing ticket " + context.traceId();
                    server.audit(message);
                    audited.add(message);
                    return null;
                }), "a request that audits");
            }
            AtomicReference<String> atReturn = new AtomicReference<>();
            Closing closing = Closing.start(server, () -> atReturn.set(notYetDone(store, audited)));
            closing.awaitWaiting();
            closing.thread.interrupt();
            // The write stays held until the interrupted close() has ended (or for 3 s): one that returns normally
            // while the write is still under way is seen, however long it gave the write after the interrupt.
            closing.join(Duration.ofSeconds(3));
            // A second close(), not interrupted, while the write is still held: it returns only once all is written.
            AtomicReference<String> atSecondReturn = new AtomicReference<>();
            Closing again = Closing.start(server, () -> atSecondReturn.set(notYetDone(store, audited)));
            again.awaitWaiting();
            again.join(Duration.ofMillis(20));
            store.release();
            assertThat(closing.join(Duration.ofSeconds(3))).as("close(), interrupted, once the write went on. %s",
                    closing.explainIfStuck(bench)).isTrue();
            assertThat(again.join(Duration.ofSeconds(3))).as("a second close(), called after an interrupted one, "
                    + "once the write went on. %s", again.explainIfStuck(bench)).isTrue();
            new RunningBudget(Duration.ofSeconds(3)).joinAll(bench.serversThreads()); // the write it broke off, if any
            // A close() that writes the last batch itself, on its own thread, is interrupted by this test itself.
            assertThat(store.interruptedExcept(closing.thread)).as("close() was interrupted while it waited for the last write, and "
                    + "passed the interrupt on to the flusher: the sink's wait (as a file channel or a socket waits) "
                    + "threw InterruptedException and the batch was lost. The caller of close() gave up waiting; the "
                    + "flusher still writes what it holds, undisturbed (rule 8)").isNull();
            Throwable thrown = closing.thrown();
            if (thrown == null) {
                assertThat(atReturn.get()).as("close() returned normally after its thread was interrupted while it "
                        + "waited for the flusher's write: when it returned, %s. An interrupted close() either throws "
                        + "InterruptedException or goes on waiting until the flusher has written everything and ended; "
                        + "returning as if all were written loses records when the caller then exits (rule 8)",
                        atReturn.get()).isNull();
            } else {
                assertThat(thrown).as("what the interrupted close() threw (rule 8: it may throw "
                        + "InterruptedException)").isInstanceOf(InterruptedException.class);
            }
            assertThat(again.thrown()).as("what a second close() threw, called (not interrupted) after an "
                    + "interrupted one").isNull();
            assertThat(atSecondReturn.get()).as("a second close(), called after an interrupted one while the "
                    + "flusher's write was still under way, returned and %s: an interrupted close() stops nothing; the "
                    + "flusher still writes every record audited before, and every close() returns only once it has "
                    + "(rule 8)", atSecondReturn.get()).isNull();
            assertThat(notYetDone(store, audited)).as("once the write went on and both close() calls had ended: an "
                    + "interrupted close() loses no record, the flusher writes what it holds and what waits (rule 8)")
                    .isNull();
        }
    }

    /** Null when no write is under way and every record of {@code audited} was written or refused; else what is not. */
    private static String notYetDone(Store store, Set<String> audited) {
        int inside = store.inside();
        Set<String> done = new HashSet<>();
        store.written().forEach(r -> done.add(r.message()));
        store.refused().forEach(batch -> batch.forEach(r -> done.add(r.message())));
        Set<String> missing = new HashSet<>(audited);
        missing.removeAll(done);
        return inside > 0 ? "a write was still under way" : missing.isEmpty() ? null
                : "records " + missing + " were neither written nor in a write the sink refused";
    }

    @Test
    @Order(10)
    @Tag("rule-7")
    @DisplayName("starts only daemon threads, also when made by a thread called main with pools that are not daemons, and after the sink threw an Error")
    void onlyDaemonsWhoeverMadeIt(Shapes shapes) throws Exception {
        List<RequestContext> contexts = Desk.contexts(shapes, 2);
        Error error = shapes.oneOf("what the first write throws", new Shapes.KataError("the audit store crashed"),
                new AssertionError("the audit store broke an assertion"),
                new StackOverflowError("the audit store recursed too deep"));
        Store store = new Store();
        store.refuse((number, batch) -> number == 1 ? error : null);
        try (Bench bench = new Bench(store, Duration.ofMillis(shapes.between("flush period (ms)", 1, 9)), false,
                "main")) {
            RequestServer server = bench.server;
            List<Thread> started = new ArrayList<>(bench.serversThreads());
            assertThat(started).as("the threads the server's constructor started: its flusher (rule 6)").isNotEmpty();
            for (int c = 0; c < contexts.size(); c++) {
                RequestContext context = contexts.get(c);
                int writes = store.writes();
                bench.get(server.handle(context, () -> {
                    server.audit("badge " + context.traceId());
                    return null;
                }), "a request that audits");
                bench.awaitTrue(() -> store.writes() > writes, "the flusher should have written the record of request "
                        + (c + 1) + (c == 0 ? "" : " after the sink threw " + error) + " (rule 6)");
                started.addAll(bench.serversThreads());
            }
            started.addAll(store.writers());
            for (Thread thread : new java.util.LinkedHashSet<>(started)) {
                assertThat(thread.isDaemon()).as("thread '%s', started by the server (made by a thread named 'main' "
                        + "that is not a daemon; the pools' threads are not daemons either; the sink threw %s once), "
                        + "must be a daemon, whichever thread started it and whenever: a thread that is not keeps "
                        + "the JVM running after main() has returned (rule 7)", thread.getName(), error).isTrue();
            }
            assertThat(bench.closeWithin(Duration.ofSeconds(3))).as("close()").isNull();
            assertThat(new RunningBudget(Duration.ofSeconds(1)).joinAll(bench.serversThreads())).as("the server's "
                    + "threads ended within 1 s after close() returned (rule 8; still alive: %s)",
                    bench.serversThreads()).isTrue();
        }
    }

    @Test
    @Order(11)
    @Tag("rule-6")
    @DisplayName("writes a record as often as it was audited, also equal records audited while a write is under way")
    void writesEqualRecordsAsOftenAsAudited(Shapes shapes) throws Exception {
        RequestContext context = Desk.contexts(shapes, 1).get(0);
        String message = shapes.oneOf("message", "door opened", "login failed", "heartbeat");
        int before = shapes.between("equal records audited before the first write", 1, 3);
        int during = shapes.between("equal records audited during it", 1, 5);
        Store store = new Store();
        store.holdEveryWrite();
        try (Bench bench = new Bench(store, Duration.ofMillis(shapes.between("flush period (ms)", 1, 9)), true,
                "main of the application")) {
            RequestServer server = bench.server;
            bench.get(server.handle(context, () -> auditTimes(server, message, before)), "a request that audits");
            assertThat(store.entered().await(Desk.PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).as("the flusher "
                    + "should have begun its first write within %s s (rule 6)", Desk.PATIENCE.toSeconds()).isTrue();
            bench.get(server.handle(context, () -> auditTimes(server, message, during)), "a request that audits "
                    + "while the first write is under way");
            store.release();
            assertThat(bench.closeWithin(Duration.ofSeconds(3))).as("close()").isNull();
            long written = store.written().stream().filter(r -> r.message().equals(message)).count();
            assertThat(written).as("times the sink was given the record '%s' of %s, audited %d times: %d before the "
                    + "first write and %d while it was under way. Equal records are still different records, each "
                    + "audit is written once (rule 6): a flusher that takes out of its list what it wrote by equality "
                    + "(removeAll) also takes out the equal records audited during the write", message,
                    Desk.who(context), before + during, before, during).isEqualTo(before + during);
        }
    }

    private static Void auditTimes(RequestServer server, String message, int times) {
        for (int t = 0; t < times; t++) {
            server.audit(message);
        }
        return null;
    }

    /** A sink of this test's own: it can refuse batches, hold every write in a wait that an interrupt breaks. */
    static final class Store implements AuditSink {

        private final List<AuditRecord> written = new ArrayList<>();
        private final List<List<AuditRecord>> refused = new CopyOnWriteArrayList<>();
        private final Set<Thread> writers = ConcurrentHashMap.newKeySet();
        private final AtomicInteger writes = new AtomicInteger();
        private final AtomicInteger inside = new AtomicInteger();
        private final CountDownLatch entered = new CountDownLatch(1);
        private volatile CountDownLatch gate;
        private volatile BiFunction<Integer, List<AuditRecord>, Throwable> refuse = (number, batch) -> null;
        private volatile String trouble;
        private volatile String interrupted;
        private volatile Thread interruptedOn;

        @Override
        public void write(List<AuditRecord> batch) throws Exception {
            int number = writes.incrementAndGet();
            writers.add(Thread.currentThread());
            List<AuditRecord> copy = batch == null ? List.of() : List.copyOf(batch);
            if (copy.isEmpty() && trouble == null) {
                trouble = "write " + number + " was given an empty batch";
            }
            if (inside.incrementAndGet() > 1 && trouble == null) {
                trouble = "write " + number + " began on '" + Thread.currentThread().getName() + "' while another "
                        + "write was still under way";
            }
            try {
                CountDownLatch held = gate;
                if (held != null) {
                    entered.countDown();
                    try {
                        if (!held.await(10, TimeUnit.SECONDS)) {
                            throw new IllegalStateException("the test never let the sink go on");
                        }
                    } catch (InterruptedException stopped) {
                        interruptedOn = Thread.currentThread();
                    interrupted = "write " + number + " on '" + Thread.currentThread().getName() + "' was "
                                + "interrupted";
                        refused.add(copy);
                        throw stopped;
                    }
                }
                if (Thread.currentThread().isInterrupted()) {
                    // As a file channel does: an interrupt, even one that came as the wait ended, closes it.
                    interruptedOn = Thread.currentThread();
                    interrupted = "write " + number + " on '" + Thread.currentThread().getName() + "' was "
                            + "interrupted";
                    refused.add(copy);
                    throw new java.nio.channels.ClosedByInterruptException();
                }
                Throwable failure = refuse.apply(number, copy);
                if (failure != null) {
                    refused.add(copy);
                    throw Sneaky.raise(failure);
                }
                synchronized (written) {
                    written.addAll(copy);
                }
            } finally {
                inside.decrementAndGet();
            }
        }

        void holdEveryWrite() {
            gate = new CountDownLatch(1);
        }

        CountDownLatch entered() {
            return entered;
        }

        void release() {
            CountDownLatch held = gate;
            gate = null;
            if (held != null) {
                held.countDown();
            }
        }

        void refuse(BiFunction<Integer, List<AuditRecord>, Throwable> which) {
            refuse = which;
        }

        List<AuditRecord> written() {
            synchronized (written) {
                return List.copyOf(written);
            }
        }

        List<List<AuditRecord>> refused() {
            return List.copyOf(refused);
        }

        int writes() {
            return writes.get();
        }

        int inside() {
            return inside.get();
        }

        Set<Thread> writers() {
            return Set.copyOf(writers);
        }

        String trouble() {
            return trouble;
        }

        String interrupted() {
            return interrupted;
        }

        /** Null, or what interrupted a write on another thread than {@code except}. */
        String interruptedExcept(Thread except) {
            return interruptedOn == except ? null : interrupted;
        }
    }

    /** A close() on a thread of its own, which can be watched, interrupted and waited for. */
    static final class Closing {
        final Thread thread;
        private final AtomicReference<Throwable> thrown = new AtomicReference<>();

        private Closing(RequestServer server, Runnable onReturn) {
            thread = new Thread(() -> {
                try {
                    server.close();
                    onReturn.run();
                } catch (Throwable failure) {
                    thrown.set(failure);
                }
            }, "closer");
            thread.setDaemon(true);
        }

        static Closing start(RequestServer server) {
            return start(server, () -> {
            });
        }

        static Closing start(RequestServer server, Runnable onReturn) {
            Closing closing = new Closing(server, onReturn);
            closing.thread.start();
            return closing;
        }

        /** Waits (at most 3 s of running time) until close() waits for something, or has returned. */
        void awaitWaiting() throws InterruptedException {
            RunningBudget budget = new RunningBudget(Duration.ofSeconds(3));
            while (ThreadEnd.stillRuns(thread) && !Set.of(Thread.State.WAITING, Thread.State.TIMED_WAITING,
                    Thread.State.BLOCKED).contains(thread.getState())) {
                long slice = Math.min(budget.nextSliceNanos(), 2_000_000L);
                if (slice == 0) {
                    return;
                }
                long start = System.nanoTime();
                LockSupport.parkNanos(slice);
                budget.spent(slice, System.nanoTime() - start);
            }
        }

        boolean join(Duration bound) throws InterruptedException {
            return new RunningBudget(bound).joinAll(List.of(thread));
        }

        Throwable thrown() {
            return thrown.get();
        }

        String explainIfStuck(Bench bench) {
            if (!ThreadEnd.stillRuns(thread)) {
                return "";
            }
            List<Thread> stuck = new ArrayList<>(List.of(thread));
            stuck.addAll(bench.serversThreads());
            return ThreadDiagnosis.explain(stuck);
        }
    }

    /**
     * A server of this test's own: made on an application thread (not a daemon, named as asked) in a thread group
     * of its own, with pools whose threads are in that group too (daemons or not, as asked), so that every thread
     * the server starts, whatever its name, is found in the group.
     */
    static final class Bench implements AutoCloseable {
        private static final AtomicInteger BENCHES = new AtomicInteger();
        final ThreadGroup group;
        final ThreadPoolExecutor requests;
        final ThreadPoolExecutor workers;
        final RequestServer server;
        private final Set<Thread> ours = ConcurrentHashMap.newKeySet();
        private boolean closed;

        Bench(AuditSink sink, Duration period, boolean daemonPools, String makerName) {
            int bench = BENCHES.incrementAndGet();
            group = new ThreadGroup("bench " + bench);
            requests = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    factory("request-b" + bench + "-", daemonPools));
            workers = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    factory("worker-b" + bench + "-", daemonPools));
            List<Object> made = new CopyOnWriteArrayList<>();
            Thread maker = new Thread(group, () -> {
                try {
                    made.add(new RequestServer(requests, workers, sink, period));
                } catch (Throwable failure) {
                    made.add(failure);
                }
            }, makerName);
            maker.setDaemon(false);
            ours.add(maker);
            maker.start();
            try {
                if (!new RunningBudget(Desk.PATIENCE).joinAll(List.of(maker))) {
                    shutDownPools();
                    throw new AssertionError("the server's constructor did not return within "
                            + Desk.PATIENCE.toSeconds() + " s. " + ThreadDiagnosis.explain(List.of(maker)));
                }
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
                shutDownPools();
                throw new AssertionError("interrupted while the server was made", stopped);
            }
            if (made.get(0) instanceof Throwable failure) {
                shutDownPools();
                throw Sneaky.raise(failure);
            }
            server = (RequestServer) made.get(0);
        }

        private java.util.concurrent.ThreadFactory factory(String prefix, boolean daemon) {
            AtomicInteger count = new AtomicInteger();
            return runnable -> {
                Thread thread = new Thread(group, runnable, prefix + count.incrementAndGet());
                thread.setDaemon(daemon);
                ours.add(thread);
                return thread;
            };
        }

        /** The live threads of the group that are not the pools' nor the maker: the server's own, by any name. */
        List<Thread> serversThreads() {
            Thread[] all = new Thread[group.activeCount() + 16];
            int n = group.enumerate(all, true);
            List<Thread> started = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (!ours.contains(all[i]) && ThreadEnd.stillRuns(all[i])) {
                    started.add(all[i]);
                }
            }
            return started;
        }

        <T> T get(Future<T> future, String what) throws Exception {
            try {
                return future.get(Desk.PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException late) {
                List<Thread> threads = new ArrayList<>(ours);
                threads.addAll(serversThreads());
                throw new AssertionError(what + " did not finish within " + Desk.PATIENCE.toSeconds() + " s. "
                        + ThreadDiagnosis.explain(threads));
            }
        }

        void awaitTrue(java.util.function.BooleanSupplier condition, String why) throws InterruptedException {
            RunningBudget budget = new RunningBudget(Desk.PATIENCE);
            while (!condition.getAsBoolean()) {
                long asked = budget.nextSliceNanos();
                if (asked == 0) {
                    throw new AssertionError(why + ". " + ThreadDiagnosis.explain(serversThreads()));
                }
                long slice = Math.min(asked, 5_000_000L);
                long start = System.nanoTime();
                LockSupport.parkNanos(slice);
                budget.spent(slice, System.nanoTime() - start);
            }
        }

        /** Null when close() returned within {@code bound} of running time, or what went wrong. */
        String closeWithin(Duration bound) throws InterruptedException {
            Closing closing = Closing.start(server);
            if (!closing.join(bound)) {
                String why = closing.explainIfStuck(this);
                closing.thread.interrupt();
                return "close() did not return within " + bound.toMillis() + " ms. " + why;
            }
            closed = true;
            return closing.thrown() == null ? null : "close() threw " + closing.thrown();
        }

        private void shutDownPools() {
            requests.shutdownNow();
            workers.shutdownNow();
        }

        @Override
        public void close() throws InterruptedException {
            try {
                if (!closed) {
                    closed = true;
                    closeWithin(Duration.ofMillis(300));
                }
            } finally {
                shutDownPools();
            }
        }
    }
}

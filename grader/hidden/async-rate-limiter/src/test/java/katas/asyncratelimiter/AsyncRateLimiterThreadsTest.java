package katas.asyncratelimiter;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import katas.asyncratelimiter.RulesModel.Limits;
import katas.asyncratelimiter.RulesModel.Times;
import katas.testkit.Contention;
import katas.testkit.KataTest;
import katas.testkit.Shapes;
import katas.testkit.ThreadEnd;
import katas.testkit.TimeBound;
import katas.testkit.Watch;
import katas.testkit.time.ManualScheduler;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hidden: many threads call the limiter at the same moment, in virtual time. The limiter's classes are
 * loaded with noise at every lock boundary ({@link Noisy}), and the clock now and then pauses the
 * thread that reads it, so that a limiter that checks and acts in two steps is caught between them. The run goes in phases: in each, threads submit, end and
 * cancel tasks at once; then, with no call in progress, the limiter's state must be exactly what the
 * rules say, and no task may wait while a slot and a permit are free (an event was lost).
 */
@DisplayName("AsyncRateLimiter with many threads at once")
@KataTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AsyncRateLimiterThreadsTest {

    /** One task of a run with many threads, and what happened to it. */
    private static final class Ticket {
        final int id;
        final int thread;
        final int phase;
        final boolean instant;
        final VirtualRun.Result value;
        final Own own;
        volatile CompletableFuture<Object> result;
        volatile long startedAt = -1;
        volatile int startSeq = -1;
        final AtomicInteger calls = new AtomicInteger();
        volatile Throwable failure;

        Ticket(int id, int thread, int phase, boolean instant, AtomicInteger inFlight) {
            this.id = id;
            this.thread = thread;
            this.phase = phase;
            this.instant = instant;
            this.value = new VirtualRun.Result(id);
            this.own = new Own(inFlight);
        }

        boolean withdrawn() {
            return calls.get() == 0 && result != null && result.isCancelled();
        }

        @Override
        public String toString() {
            return "task " + id + " (submitted by thread " + thread + " in phase " + phase + ")";
        }
    }

    /** A task's own future: the test's count of tasks in flight goes down just before it completes. */
    private static final class Own extends CompletableFuture<Object> {
        private final AtomicInteger inFlight;
        private final AtomicBoolean counted = new AtomicBoolean();

        Own(AtomicInteger inFlight) {
            this.inFlight = inFlight;
        }

        private void ending() {
            if (!isDone() && counted.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
            }
        }

        @Override
        public boolean complete(Object value) {
            ending();
            return super.complete(value);
        }

        @Override
        public boolean completeExceptionally(Throwable failure) {
            ending();
            return super.completeExceptionally(failure);
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            ending();
            return super.cancel(mayInterruptIfRunning);
        }
    }

    /** The state of one run with many threads. */
    private static final class Run {
        final Limits limits;
        final ManualScheduler scheduler;
        final Noisy.Limiter limiter;
        final List<Ticket> tickets = new CopyOnWriteArrayList<>();
        final ConcurrentLinkedQueue<Ticket> running = new ConcurrentLinkedQueue<>();
        final ConcurrentLinkedQueue<Long> startTimes = new ConcurrentLinkedQueue<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger nextId = new AtomicInteger();
        final AtomicInteger startSeq = new AtomicInteger();
        volatile boolean quiet;
        volatile Ticket startedWhenQuiet;

        Run(Limits limits, long origin) {
            this.limits = limits;
            this.scheduler = new ManualScheduler(origin);
            this.limiter = new Noisy.Limiter(limits.permits(), Duration.ofNanos(limits.periodNanos()),
                    limits.maxConcurrent(), ShopScheduler.clock(VirtualRun.hesitating(scheduler)), new ShopScheduler(scheduler));
        }

        Ticket submit(int thread, int phase, boolean instant) {
            Ticket ticket = new Ticket(nextId.getAndIncrement(), thread, phase, instant, inFlight);
            tickets.add(ticket);
            ticket.result = limiter.submit(() -> start(ticket));
            return ticket;
        }

        private CompletableFuture<Object> start(Ticket ticket) {
            ticket.calls.incrementAndGet();
            ticket.startSeq = startSeq.getAndIncrement();
            ticket.startedAt = scheduler.elapsed().toNanos();
            if (quiet) {
                startedWhenQuiet = ticket;
            }
            startTimes.add(ticket.startedAt);
            inFlight.incrementAndGet();
            if (ticket.instant) {
                ticket.own.complete(ticket.value);
                return ticket.own;
            }
            running.add(ticket);
            return ticket.own;
        }

        /** Ends one task in flight, if there is one: it succeeds, or now and then fails. */
        void endOne(Random random) {
            Ticket held = running.poll();
            if (held == null) {
                return;
            }
            if (random.nextInt(4) == 0) {
                held.failure = new IllegalStateException(held + " failed");
                held.own.completeExceptionally(held.failure);
            } else {
                held.own.complete(held.value);
            }
        }

        long now() {
            return scheduler.elapsed().toNanos();
        }

        int startsInTheLastPeriod() {
            long now = now();
            return (int) startTimes.stream().filter(t -> now - t < limits.periodNanos()).count();
        }

        /** With no call in progress: the counts are exact, and nothing waits that the rules let start. */
        void checkQuiet(String when) {
            scheduler.runDue();
            if (!scheduler.failures().isEmpty()) {
                throw new AssertionError("a timer or callback that the limiter handed to its scheduler threw "
                        + scheduler.failures().getFirst() + " " + when, scheduler.failures().getFirst());
            }
            int waiting = limiter.waiting();
            int inFlightNow = limiter.inFlight();
            int submitted = tickets.size();
            int started = (int) tickets.stream().filter(t -> t.calls.get() > 0).count();
            int withdrawn = (int) tickets.stream().filter(Ticket::withdrawn).count();
            int starts = startsInTheLastPeriod();
            if (inFlightNow != inFlight.get()) {
                throw new AssertionError(when + ", with no call in progress, inFlight() was " + inFlightNow + " but "
                        + inFlight.get() + " tasks had started and not ended (" + limits + "): a slot was counted "
                        + "twice, or lost, by two threads at once (rule 10)");
            }
            if (waiting != submitted - started - withdrawn) {
                throw new AssertionError(when + ", with no call in progress, waiting() was " + waiting + " but "
                        + (submitted - started - withdrawn) + " tasks waited (" + submitted + " submitted, " + started
                        + " started, " + withdrawn + " cancelled while they waited) (rule 10)");
            }
            if (waiting > 0 && inFlightNow < limits.maxConcurrent() && starts < limits.permits()) {
                throw new AssertionError(when + ", with no call in progress, " + waiting + " tasks waited although a "
                        + "slot (" + inFlightNow + " of " + limits.maxConcurrent() + " in flight) and a permit (" + starts
                        + " of " + limits.permits() + " starts in the last " + Times.span(limits.periodNanos())
                        + ") were free: an event that should have started a task was lost, for instance a thread "
                        + "that saw another one draining the line and left it, just as that one stopped (rules 5 "
                        + "and 10)");
            }
        }
    }

    @Test
    @Order(1)
    @Tag("rule-10")
    @Tag("rule-2")
    @Tag("rule-3")
    @Tag("rule-4")
    @Tag("rule-5")
    @Tag("rule-8")
    @DisplayName("keeps every rule, and loses no event, while threads submit, end and cancel tasks at once")
    @TimeBound(seconds = 30)
    void keepsEveryRuleWhileThreadsSubmitEndAndCancelAtOnce(Shapes shapes) throws Exception {
        // A right limiter may be far slower here than the reference: one that schedules a wake-up each time the rate
        // holds a task back (the alternative a-wake-up-for-every-wait) keeps one timer per held-back call, each
        // firing at every period of the last loop. With 30-60 phases it took 19 s at one seed on idle cores, over
        // the kata's 15 s a test; 20-40 phases and its own bound keep such a limiter within time.
        shapes.check(2, round -> {
            int threads = round.between("threads", 2, 6);
            int phases = round.between("phases", 20, 40);
            int opsEach = round.between("calls per thread and phase", 1, 4);
            Limits limits = new Limits(round.between("permits", 1, 30),
                    round.between("period (ns)", 1_000_001L, 999_999_999L) | 1L, round.between("maxConcurrent", 1, 8));
            Run run = new Run(limits, VirtualRun.clockOrigin(round, (long) phases * limits.periodNanos()));
            long seed = round.random().nextLong();
            try (Watch watch = Watch.of("at most " + limits.maxConcurrent() + " tasks in flight (rule 3)", () -> {
                int now = run.inFlight.get();
                return now > limits.maxConcurrent() ? now + " tasks were in flight at once: two threads both saw a "
                        + "free slot and both took it (check-then-act)" : null;
            })) {
                for (int phase = 0; phase < phases; phase++) {
                    int p = phase;
                    Random[] randoms = new Random[threads];
                    for (int t = 0; t < threads; t++) {
                        randoms[t] = new Random(seed ^ (31L * p + t));
                    }
                    List<List<Ticket>> mine = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        mine.add(new ArrayList<>());
                    }
                    Contention.threads(threads).callsEach(opsEach).named("caller").run((t, i) -> {
                        Random random = randoms[t];
                        int roll = random.nextInt(10);
                        if (roll < 6) {
                            mine.get(t).add(run.submit(t, p, random.nextInt(3) == 0));
                        } else if (roll < 9) {
                            run.endOne(random);
                        } else if (!mine.get(t).isEmpty()) {
                            mine.get(t).get(random.nextInt(mine.get(t).size())).result.cancel(true);
                        }
                    });
                    run.checkQuiet("after phase " + (p + 1) + " at " + Times.at(run.now()));
                    if (p % 4 == 3) {
                        run.scheduler.advanceBy(Duration.ofNanos(1 + randoms[0].nextLong(limits.periodNanos())));
                        run.checkQuiet("after the clock moved to " + Times.at(run.now()));
                    }
                }
                for (int i = 0; i < run.tickets.size() + 5 && (run.limiter.waiting() > 0 || !run.running.isEmpty()); i++) {
                    while (!run.running.isEmpty()) {
                        run.endOne(new Random(i));
                    }
                    run.scheduler.advanceBy(Duration.ofNanos(limits.periodNanos()));
                    run.checkQuiet("while the last tasks ended, at " + Times.at(run.now()));
                }
            }
            checkTheEnd(run);
        });
    }

    @Test
    @Order(2)
    @Tag("rule-10")
    @Tag("rule-5")
    @DisplayName("loses no event when two threads call at the same moment, one of them draining the line")
    void losesNoEventWhenTwoThreadsCallAtOnce(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            int pairs = round.between("pairs of calls", 300, 600);
            Limits limits = new Limits(Integer.MAX_VALUE, round.between("period (ns)", 1_000_001L, 999_999_999L) | 1L,
                    round.between("maxConcurrent", 1, 3));
            Run run = new Run(limits, VirtualRun.clockOrigin(round, limits.periodNanos()));
            long seed = round.random().nextLong();
            for (int pair = 0; pair < pairs; pair++) {
                int p = pair;
                Contention.threads(2).named("caller").run((t, i) -> {
                    Random random = new Random(seed ^ (31L * p + t));
                    if (t == 1 && random.nextInt(3) == 0 && !run.running.isEmpty()) {
                        run.endOne(random);
                    } else {
                        run.submit(t, p, t == 0 || random.nextBoolean());
                    }
                });
                run.checkQuiet("after pair of calls " + (p + 1));
                while (run.running.size() >= limits.maxConcurrent()) {
                    run.endOne(new Random(p));
                    run.checkQuiet("after pair of calls " + (p + 1) + " and the end of a task");
                }
            }
            while (!run.running.isEmpty()) {
                run.endOne(new Random(0));
            }
            run.checkQuiet("at the end");
            checkTheEnd(run);
        });
    }

    private static void checkTheEnd(Run run) {
        assertThat(run.limiter.waiting()).as("waiting() at the end").isZero();
        assertThat(run.limiter.inFlight()).as("inFlight() at the end").isZero();
        List<Ticket> started = run.tickets.stream().filter(t -> t.calls.get() > 0)
                .sorted(Comparator.comparingInt(t -> t.startSeq)).toList();
        for (Ticket ticket : run.tickets) {
            assertThat(ticket.calls.get()).as("how many times %s was started", ticket).isLessThanOrEqualTo(1);
            if (ticket.calls.get() == 0) {
                assertThat(ticket.result.isCancelled()).as("%s never started, so its caller must have cancelled it; "
                        + "its future %s", ticket, VirtualRun.outcome(ticket.result)).isTrue();
            } else if (ticket.result.isCancelled()) {
                assertThat(ticket.own.isCancelled() || ticket.own.isDone()).as("the own future of %s, whose caller "
                        + "cancelled it while it ran", ticket).isTrue();
            } else if (ticket.failure != null) {
                assertThat(VirtualRun.causeOf(ticket.result)).as("the failure of %s", ticket).isSameAs(ticket.failure);
            } else {
                assertThat(ticket.result.getNow(null)).as("the result of %s", ticket).isSameAs(ticket.value);
            }
        }
        for (int k = 1; k < started.size(); k++) {
            Ticket before = started.get(k - 1);
            Ticket after = started.get(k);
            boolean wrongOrder = after.phase < before.phase || after.thread == before.thread && after.id < before.id;
            if (wrongOrder) {
                throw new AssertionError(after + " started after " + before + ", but it was submitted before it ("
                        + (after.phase < before.phase ? "in an earlier phase" : "by the same thread, earlier")
                        + "): tasks start in the order they were submitted (rule 4)");
            }
        }
        List<Long> times = started.stream().map(t -> t.startedAt).sorted().toList();
        int permits = run.limits.permits();
        for (int k = 0; k + permits < times.size(); k++) {
            if (times.get(k + permits) - times.get(k) < run.limits.periodNanos()) {
                throw new AssertionError((permits + 1) + " tasks started between " + Times.at(times.get(k)) + " and "
                        + Times.at(times.get(k + permits)) + ", within one period, but " + run.limits + " (rule 2)");
            }
        }
    }

    @Test
    @Order(3)
    @Tag("rule-9")
    @Tag("rule-10")
    @DisplayName("settles every future when close() races with submitting threads, and starts nothing after")
    void settlesEveryFutureWhenCloseRacesWithSubmitters(Shapes shapes) throws Exception {
        shapes.check(4, round -> {
            int submitters = round.between("submitters", 2, 6);
            int each = round.between("tasks each", 40, 200);
            Limits limits = new Limits(round.between("permits", 1, 20), round.between("period (ns)", 1_000_001L,
                    999_999_999L) | 1L, round.between("maxConcurrent", 1, 4));
            int closeAfter = round.between("close() after this many submits", 1, submitters * each - 1);
            Run run = new Run(limits, VirtualRun.clockOrigin(round, 10 * limits.periodNanos()));
            AtomicInteger submitted = new AtomicInteger();
            Contention.threads(submitters + 1).callsEach(each).named("caller").run((t, i) -> {
                if (t == submitters) {
                    if (i == 0) {
                        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                        while (submitted.get() < closeAfter && System.nanoTime() < giveUp) {
                            Thread.onSpinWait();
                        }
                        run.limiter.close();
                    }
                    return;
                }
                run.submit(t, 0, false);
                submitted.incrementAndGet();
            });
            run.scheduler.runDue();
            int waiting = run.limiter.waiting();
            if (waiting != 0) {
                throw new AssertionError("after close() had returned and every submit() had returned, waiting() was "
                        + waiting + ": a submit() that overlapped close() put its task in the line after close() had "
                        + "emptied it, so its caller may wait for ever. Check whether the limiter is closed under the "
                        + "same lock that adds to the line (rule 9)");
            }
            for (Ticket ticket : run.tickets) {
                if (ticket.calls.get() == 0) {
                    assertThat(ticket.result.isDone()).as("the future of %s, which never started, once close() and "
                            + "every submit() have returned: it must be cancelled or refused, else its caller waits "
                            + "for ever (rule 9)", ticket).isTrue();
                    assertThat(ticket.result.isCancelled() || VirtualRun.causeOf(ticket.result)
                            instanceof RejectedExecutionException).as("how the future of %s, which never started, "
                            + "completed: cancelled, or failed with a RejectedExecutionException; it %s", ticket,
                            VirtualRun.outcome(ticket.result)).isTrue();
                }
            }
            run.quiet = true;
            while (!run.running.isEmpty()) {
                run.endOne(new Random(1));
            }
            run.scheduler.advanceBy(Duration.ofNanos(3 * limits.periodNanos()));
            run.scheduler.runDue();
            Ticket late = run.startedWhenQuiet;
            if (late != null) {
                throw new AssertionError(late + " started after close() had returned and no call was in progress: "
                        + "once the limiter is closed, a task that waited is cancelled and never starts (rule 9)");
            }
            for (Ticket ticket : run.tickets) {
                assertThat(ticket.result.isDone()).as("the future of %s at the end", ticket).isTrue();
                if (ticket.calls.get() > 0 && ticket.failure == null) {
                    assertThat(ticket.result.getNow(null)).as("the result of %s, which was in flight when the "
                            + "limiter closed (tasks in flight finish normally)", ticket).isSameAs(ticket.value);
                }
            }
            assertThat(run.limiter.inFlight()).as("inFlight() once every started task has ended").isZero();
            assertThat(run.limiter.waiting()).as("waiting() at the end").isZero();
        });
    }

    @Test
    @Order(4)
    @Tag("rule-2")
    @Tag("rule-3")
    @Tag("rule-10")
    @DisplayName("never lets two threads take the one free slot, or the one free permit, that both saw at once")
    void neverLetsTwoThreadsTakeTheOneFreeSlotOrPermit(Shapes shapes) throws Exception {
        shapes.check(2, round -> {
            int pairs = 8;
            int firstKind = round.between("first pair fights over (0 a slot, 1 a permit)", 0, 1);
            for (int pair = 0; pair < pairs; pair++) {
                boolean slot = (pair + firstKind) % 2 == 0;
                int scarce = round.between(slot ? "maxConcurrent" : "permits", 1, 4);
                long period = round.between("period (ns)", 1_000_001L, 999_999_999L) | 1L;
                Limits limits = slot ? new Limits(Integer.MAX_VALUE, period, scarce) : new Limits(scarce, period, 64);
                ManualScheduler scheduler = new ManualScheduler(VirtualRun.clockOrigin(round, 2 * period));
                MeetingClock clock = new MeetingClock(scheduler::nanoTime, 2, 1, Duration.ofSeconds(2));
                AtomicInteger started = new AtomicInteger();
                AtomicInteger inFlight = new AtomicInteger();
                List<CompletableFuture<Object>> held = new CopyOnWriteArrayList<>();
                Supplier<CompletableFuture<Object>> task = () -> {
                    started.incrementAndGet();
                    inFlight.incrementAndGet();
                    if (!slot) {
                        inFlight.decrementAndGet();
                        return CompletableFuture.completedFuture("done");
                    }
                    CompletableFuture<Object> own = new CompletableFuture<>();
                    held.add(own);
                    return own;
                };
                try (AsyncRateLimiter limiter = new AsyncRateLimiter(limits.permits(), Duration.ofNanos(period),
                        limits.maxConcurrent(), ShopScheduler.clock(clock), new ShopScheduler(scheduler))) {
                    for (int k = 0; k < scarce - 1; k++) {
                        limiter.submit(task);
                    }
                    clock.arm();
                    Contention.threads(2).named("caller").run((t, i) -> {
                        clock.join();
                        try {
                            limiter.submit(task);
                        } finally {
                            clock.leave();
                        }
                    });
                    String shape = limits + ", with " + (scarce - 1) + (slot ? " tasks in flight" : " started in this "
                            + "period") + " before two threads submitted at once (pair " + (pair + 1) + ")";
                    if (slot && inFlight.get() > scarce) {
                        throw new AssertionError(inFlight.get() + " tasks were in flight at once, " + shape + ": both "
                                + "threads saw the one free slot and both took it. Check for a free slot and take it "
                                + "under one hold of the lock, with no clock reading or other call in between (check-"
                                + "then-act; rules 3 and 10)");
                    }
                    if (!slot && started.get() > scarce) {
                        throw new AssertionError(started.get() + " tasks started within one period, " + shape + ": both "
                                + "threads saw the one free permit and both took it. Check for a free permit and take it "
                                + "under one hold of the lock (check-then-act; rules 2 and 10)");
                    }
                    assertThat(started.get()).as("tasks started, " + shape + ": one of the two takes the free "
                            + (slot ? "slot" : "permit") + " (rule 5)").isEqualTo(scarce);
                    held.forEach(own -> own.complete("done"));
                }
            }
        });
    }

    @Test
    @Order(5)
    @Tag("rule-9")
    @Tag("rule-10")
    @DisplayName("refuses or cancels a task whose submit() waited for the lock while close() ran, and never starts it")
    void settlesASubmitThatWaitedForTheLockWhileCloseRan(Shapes shapes) throws Exception {
        shapes.check(1, round -> {
            long period = round.between("period (ns)", 1_000_001L, 999_999_999L) | 1L;
            long origin = VirtualRun.clockOrigin(round, 4 * period);
            Random orders = round.random();
            for (int trial = 1; trial <= CLOSE_TRIALS; trial++) {
                new CloseTrial(period, origin, orders.nextBoolean(), trial).run();
            }
        });
    }

    private static final int CLOSE_TRIALS = 24;

    /**
     * One submit() held up at the lock while close() runs: a first task's start holds the lock (its clock
     * reading is held), a second submit() and a close() line up for that lock in a chosen order, then the
     * reading goes on. Whichever of the two gets the lock first, the second task is refused, or waits and
     * is cancelled by close(): once both have returned, nothing waits and its future is settled.
     */
    private static final class CloseTrial {
        private final long period;
        private final long origin;
        private final boolean closeQueuesFirst;
        private final int trial;
        private final List<Throwable> thrown = new CopyOnWriteArrayList<>();
        private final AtomicInteger lateStarts = new AtomicInteger();
        private volatile boolean quiet;
        private volatile boolean startedWhenQuiet;
        private volatile CompletableFuture<Object> late;

        CloseTrial(long period, long origin, boolean closeQueuesFirst, int trial) {
            this.period = period;
            this.origin = origin;
            this.closeQueuesFirst = closeQueuesFirst;
            this.trial = trial;
        }

        void run() throws Exception {
            ManualScheduler scheduler = new ManualScheduler(origin);
            HoldingClock clock = new HoldingClock(scheduler::nanoTime, Duration.ofSeconds(10));
            Noisy.Limiter limiter = new Noisy.Limiter(1, Duration.ofNanos(period), 1, ShopScheduler.clock(clock),
                    new ShopScheduler(scheduler));
            CompletableFuture<Object> first = new CompletableFuture<>();
            clock.arm();
            Thread drainer = thread("drainer", () -> limiter.submit(() -> first));
            Thread submitter = thread("submitter", () -> late = limiter.submit(() -> {
                lateStarts.incrementAndGet();
                startedWhenQuiet |= quiet;
                return CompletableFuture.completedFuture("late");
            }));
            Thread closer = thread("closer", limiter::close);
            try {
                drainer.start();
                if (clock.awaitHeld(drainer, Duration.ofSeconds(5))) {
                    Thread queuesFirst = closeQueuesFirst ? closer : submitter;
                    Thread queuesSecond = closeQueuesFirst ? submitter : closer;
                    queuesFirst.start();
                    clock.awaitQueued(queuesFirst, Duration.ofSeconds(1));
                    queuesSecond.start();
                    clock.awaitQueued(queuesSecond, Duration.ofSeconds(1));
                } else {
                    submitter.start(); // this limiter reads no clock under its lock: the race is not set up
                    closer.start();
                }
            } finally {
                clock.letGo();
            }
            for (Thread thread : List.of(drainer, submitter, closer)) {
                thread.join(TimeUnit.SECONDS.toMillis(10));
                if (ThreadEnd.stillRuns(thread)) {
                    throw new AssertionError("the " + thread.getName() + " thread's call had not returned 10 s after "
                            + "the clock reading it waited for went on " + when() + ": it waits for something that "
                            + "never comes (rule 1: submit() never blocks)");
                }
            }
            if (!thrown.isEmpty()) {
                throw new AssertionError("a call threw " + when() + ": " + thrown.getFirst(), thrown.getFirst());
            }
            int waiting = limiter.waiting();
            if (waiting != 0) {
                throw new AssertionError("after close() and a submit() that overlapped it had both returned "
                        + when() + ", waiting() was " + waiting + ": the submit() had seen the limiter open, then "
                        + "waited for the lock while close() emptied the line, then put its task in the line of a "
                        + "closed limiter, where its caller waits for ever. Check whether the limiter is closed under "
                        + "the same hold of the lock that adds to the line (rule 9)");
            }
            if (lateStarts.get() == 0) {
                assertThat(late.isDone()).as("whether the future of the task submitted while close() ran is settled "
                        + "once both calls have returned %s: it must be cancelled or refused, else its caller waits "
                        + "for ever (rule 9)", when()).isTrue();
                assertThat(late.isCancelled() || VirtualRun.causeOf(late) instanceof RejectedExecutionException)
                        .as("how the future of the task submitted while close() ran completed %s: cancelled, or "
                                + "failed with a RejectedExecutionException; it %s", when(), VirtualRun.outcome(late))
                        .isTrue();
            }
            quiet = true;
            first.complete("done");
            scheduler.advanceBy(Duration.ofNanos(3 * period));
            scheduler.runDue();
            if (startedWhenQuiet) {
                throw new AssertionError("the task submitted while close() ran " + when() + " started after close() "
                        + "and that submit() had both returned: once the limiter is closed, a task that waited is "
                        + "cancelled and never starts (rule 9)");
            }
            assertThat(limiter.waiting()).as("waiting() at the end %s", when()).isZero();
        }

        private String when() {
            return "(trial " + trial + " of " + CLOSE_TRIALS + ": a first task's start held the lock while "
                    + (closeQueuesFirst ? "close() and then a submit()" : "a submit() and then close()")
                    + " came to it; 1 permit, 1 slot)";
        }

        private Thread thread(String name, Runnable call) {
            Thread thread = new Thread(call, name);
            thread.setDaemon(true);
            thread.setUncaughtExceptionHandler((t, failure) -> thrown.add(failure));
            return thread;
        }
    }

    @Test
    @Order(6)
    @Tag("rule-3")
    @Tag("rule-10")
    @DisplayName("never lets waiting() and inFlight() be read half-changed while a task moves from the line into flight")
    void neverShowsATaskBetweenTheLineAndFlight(Shapes shapes) throws Exception {
        shapes.check(3, round -> {
            int maxConcurrent = round.oneOf("maxConcurrent", 1, round.between("a few slots", 2, 8), Integer.MAX_VALUE);
            int permits = round.oneOf("permits", 1, round.between("some permits", 2, 40), Integer.MAX_VALUE);
            long period = round.between("period (ns)", 1L, 1_000_000_000_000L);
            int tasks = round.between("tasks", 20, 60);
            ManualScheduler scheduler = new ManualScheduler(VirtualRun.clockOrigin(round, 4 * period));
            Noisy.Limiter limiter = new Noisy.Limiter(permits, Duration.ofNanos(period), maxConcurrent,
                    ShopScheduler.clock(scheduler::nanoTime), new ShopScheduler(scheduler));
            new HalfChangedCounts(limiter, Math.min(maxConcurrent, permits), tasks).run();
        });
    }

    /**
     * Only this thread calls the limiter, and only submit(): no task ends (their futures never complete), no
     * caller cancels, the virtual clock stands still. Just after each lock the submitting thread lets go of
     * (when it holds no other), the same thread reads waiting() and inFlight(): every task submitted is
     * counted in one of them or is still being added, so their sum never goes down. A limiter that takes a
     * task out of the line in one hold of its lock and counts it in flight in another shows a sum one lower
     * in between, every time a task starts.
     */
    private static final class HalfChangedCounts {
        private final Noisy.Limiter limiter;
        private final int startable;
        private final int tasks;
        private final Thread self = Thread.currentThread();
        private int submitted;
        private int highest;
        private boolean reading;
        private String broken;

        HalfChangedCounts(Noisy.Limiter limiter, int startable, int tasks) {
            this.limiter = limiter;
            this.startable = startable;
            this.tasks = tasks;
        }

        void run() {
            HeldLocks locksBefore = HeldLocks.of(self);
            NoiseHook.probeAfterEachUnlock(self, () -> look(locksBefore));
            try {
                for (int task = 1; task <= tasks && broken == null; task++) {
                    submitted = task;
                    limiter.submit(CompletableFuture::new);
                    if (broken == null) {
                        int waiting = limiter.waiting();
                        int inFlight = limiter.inFlight();
                        int started = Math.min(task, startable);
                        assertThat(new int[] {waiting, inFlight}).as("[waiting(), inFlight()] after %d submit() "
                                + "calls on one thread, with no task ended and no clock moved: %d tasks may start "
                                + "(rule 3)", task, startable).containsExactly(task - started, started);
                    }
                }
            } finally {
                NoiseHook.stopProbing();
            }
            if (broken != null) {
                throw new AssertionError(broken);
            }
            assertThat(NoiseHook.boundariesSeen()).as("lock boundaries (a lock taken or let go of, an atomic called) "
                    + "the grader saw in %d submit() calls: none, so it could not look at the counts between your "
                    + "steps (rule 10: guard the limiter's state with synchronized, a java.util.concurrent.locks lock "
                    + "or an atomic, in the limiter's package)", tasks).isPositive();
        }

        private void look(HeldLocks locksBefore) {
            if (reading || broken != null) {
                return;
            }
            if (HeldLocks.ofProbed(self, locksBefore).moreThan(locksBefore)) {
                return; // still inside the limiter's lock (one taken twice): the state may be half-changed there
            }
            reading = true;
            try {
                int waiting = limiter.waiting();
                int inFlight = limiter.inFlight();
                int sum = waiting + inFlight;
                if (sum < highest) {
                    broken = "during submit() number " + submitted + ", just after the submitting thread let go of "
                            + "the limiter's lock, waiting() was " + waiting + " and inFlight() " + inFlight + " (" + sum
                            + " in all), though they had counted " + highest + " tasks before, and no task had ended or "
                            + "been cancelled: a task had left the line but was not yet counted in flight, so the "
                            + "counts were read half-changed. Take it out of the line and count it in flight under "
                            + "one hold of the lock (rules 3 and 10)";
                } else if (sum > submitted) {
                    broken = "during submit() number " + submitted + ", waiting() was " + waiting + " and inFlight() "
                            + inFlight + ": " + sum + " tasks, more than were ever submitted; a task was counted twice "
                            + "(rules 3 and 10)";
                }
                highest = Math.max(highest, sum);
            } finally {
                reading = false;
            }
        }
    }
}

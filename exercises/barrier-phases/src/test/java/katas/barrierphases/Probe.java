package katas.barrierphases;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import katas.testkit.Sneaky;

/**
 * The rule the tests hand to the simulation: it computes {@link Heat} and, while the run goes on, watches
 * what no result can show afterwards. It counts each cell's computations (the n-th computation of a cell
 * belongs to phase n), notes which thread computed which cell in which phase, fails the run's verdict at
 * once when a cell of phase k + 1 starts before every cell of phase k is done, and compares every value
 * read from the previous grid with what one thread computed for that phase.
 *
 * <p>It also stages what makes mistakes show on two cores: in each phase after the first it holds one
 * worker's last cell until every other worker waits (so a worker that does not wait for it runs ahead,
 * and a swap made before it is done is read by it), and it throws a failure, or blocks workers until they
 * are interrupted, where a test asks. It never clears a thread's interrupt status.
 */
final class Probe implements CellRule {

    private static final long HOLD_NANOS = 2_000_000_000L;
    private static final long BLOCK_NANOS = 6_000_000_000L;
    /** How long a busy worker takes to wind down after a failure (or after being interrupted, if asked). */
    static final long WIND_DOWN_NANOS = 20_000_000L;

    /** A failure the rule throws for one cell of one phase, and how the other workers behave meanwhile. */
    record Fault(int phase, int row, int col, Throwable failure, boolean othersBusy, boolean othersNoticeInterrupts) {
    }

    private final int rows;
    private final int cols;
    private final int cells;
    private final int phases;
    private final double[][][] expected;
    private final AtomicIntegerArray computed;
    private final AtomicIntegerArray started;
    private final AtomicIntegerArray done;
    private final AtomicReferenceArray<Thread> owners;
    private final Map<Thread, AtomicIntegerArray> perThread = new ConcurrentHashMap<>();
    private final CopyOnWriteArrayList<Thread> workers = new CopyOnWriteArrayList<>();
    private final AtomicReference<String> broken = new AtomicReference<>();
    private final AtomicReference<String> waitedElsewhere = new AtomicReference<>();
    private final AtomicInteger looks = new AtomicInteger();
    private final AtomicLong progress = new AtomicLong();
    private final AtomicInteger blockedNow = new AtomicInteger();
    private final AtomicInteger everBlocked = new AtomicInteger();
    private volatile Thread caller;
    private volatile boolean holding = true;
    private volatile int holdSalt;
    private volatile Fault fault;
    private volatile long faultThrownAt;
    private volatile boolean faultThrown;
    private volatile int blockPhase = -1;
    private volatile boolean blockWindsDown;
    private volatile long windDownNanos = WIND_DOWN_NANOS;
    private final AtomicInteger windingDown = new AtomicInteger();
    private volatile boolean pausingFirstCells;
    private volatile boolean released;
    private final AtomicInteger paused = new AtomicInteger();
    private volatile int slowPhase = -1;
    private volatile long slowNanos;
    private final AtomicInteger slowDone = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicBoolean slowClaimed = new java.util.concurrent.atomic.AtomicBoolean();

    Probe(double[][] initial, int phases) {
        this.rows = initial.length;
        this.cols = initial[0].length;
        this.cells = rows * cols;
        this.phases = phases;
        this.expected = Heat.phases(initial, phases);
        this.computed = new AtomicIntegerArray(cells);
        this.started = new AtomicIntegerArray(phases + 1);
        this.done = new AtomicIntegerArray(phases + 1);
        this.owners = new AtomicReferenceArray<>(Math.max(1, phases * cells));
    }

    /** What one thread computes, phase after phase: the grid after {@code p} phases. */
    double[][] expected(int p) {
        return expected[p];
    }

    /** Which worker's last cell is held in each phase (varied by the test, from the seed). */
    Probe holdSalt(int salt) {
        this.holdSalt = salt;
        return this;
    }

    /** No holding: for tests whose own script decides who waits. */
    Probe withoutHolding() {
        this.holding = false;
        return this;
    }

    Probe failing(Fault fault) {
        this.fault = fault;
        return this;
    }

    /** In {@code phase}, each worker's first cell blocks until its thread is interrupted. */
    Probe blockingIn(int phase, boolean windsDown) {
        this.blockPhase = phase;
        this.blockWindsDown = windsDown;
        return this;
    }

    /** Like {@link #blockingIn(int, boolean)}, each worker then staying busy for {@code nanos} once interrupted. */
    Probe blockingIn(int phase, long nanos) {
        this.windDownNanos = nanos;
        return blockingIn(phase, true);
    }

    /** Each worker's first cell of the first phase waits until {@link #release()} (not until an interrupt). */
    Probe pausingFirstCells() {
        this.pausingFirstCells = true;
        return this;
    }

    void release() {
        released = true;
    }

    /** Workers waiting in their first cell now. */
    int paused() {
        return paused.get();
    }

    /** Workers interrupted in the blocking phase and still winding down, or done with it. */
    int windingDown() {
        return windingDown.get();
    }

    /**
     * In {@code phase}, the first worker to start a cell of it keeps computing that cell until every other
     * worker waits (at the barrier) and then for {@code nanos} more: a long phase, nobody failing.
     */
    Probe slowIn(int phase, long nanos) {
        this.slowPhase = phase;
        this.slowNanos = nanos;
        return this;
    }

    int slowCellsDone() {
        return slowDone.get();
    }

    void caller(Thread thread) {
        this.caller = thread;
    }

    @Override
    public double next(Grid previous, int row, int col) {
        progress.incrementAndGet();
        if (row < 0 || row >= rows || col < 0 || col >= cols) {
            breaks("the rule was called for cell (" + row + ", " + col + "), outside the " + rows + " x " + cols
                    + " grid (rule 2)");
            return 0;
        }
        Thread me = Thread.currentThread();
        int cell = row * cols + col;
        int phase = computed.getAndIncrement(cell);
        if (phase >= phases) {
            breaks("cell (" + row + ", " + col + ") was computed a " + (phase + 1) + "th time in a run of " + phases
                    + " phases, on " + me.getName() + ": every cell once per phase, and no phase more (rule 2)");
            return 0;
        }
        workers.addIfAbsent(me);
        int mine = perThread.computeIfAbsent(me, t -> new AtomicIntegerArray(phases)).incrementAndGet(phase);
        owners.set(phase * cells + cell, me);
        started.incrementAndGet(phase);
        if (phase > 0 && done.get(phase - 1) < cells) {
            breaks("a worker ran ahead into phase " + (phase + 1) + " (" + me.getName() + " began cell (" + row + ", "
                    + col + ")) while only " + done.get(phase - 1) + " of the " + cells + " cells of phase " + phase
                    + " were done: no cell of a phase may start before every cell of the phase before is computed "
                    + "(rule 3), or a cell was computed twice in one phase (rule 2)");
        }
        try {
            stage(me, phase, row, col, mine);
            return Heat.next(checked(previous, phase), row, col);
        } finally {
            done.incrementAndGet(phase);
            progress.incrementAndGet();
        }
    }

    private void stage(Thread me, int phase, int row, int col, int mine) {
        Fault f = fault;
        if (f != null && f.phase() == phase) {
            if (f.row() == row && f.col() == col) {
                faultThrownAt = System.nanoTime();
                faultThrown = true;
                throw Sneaky.raise(f.failure());
            }
            if (f.othersBusy() && phase > 0 && mine == 1 && owners.get(f.row() * cols + f.col()) != me) {
                long start = System.nanoTime();
                waitUntil(() -> f.othersNoticeInterrupts() && me.isInterrupted()
                        || faultThrown && System.nanoTime() - faultThrownAt >= WIND_DOWN_NANOS, start, BLOCK_NANOS);
            }
        }
        if (pausingFirstCells && phase == 0 && mine == 1) {
            paused.incrementAndGet();
            try {
                long start = System.nanoTime();
                waitUntil(() -> released, start, BLOCK_NANOS);
            } finally {
                paused.decrementAndGet();
            }
        }
        if (phase == slowPhase && phase > 0 && mine == 1 && slowClaimed.compareAndSet(false, true)) {
            // Every other worker has written its band of this phase and waits (at the barrier, nowhere else).
            int myBand = perThread.get(me).get(phase - 1);
            long start = System.nanoTime();
            waitUntil(() -> progress.incrementAndGet() > 0 && done.get(phase) >= cells - myBand && othersWait(me),
                    start, BLOCK_NANOS);
            long waiting = System.nanoTime();
            waitUntil(() -> progress.incrementAndGet() > 0 && System.nanoTime() - waiting >= slowNanos, waiting,
                    slowNanos);
            slowDone.incrementAndGet();
        }
        if (phase == blockPhase && mine == 1) {
            blockedNow.incrementAndGet();
            everBlocked.incrementAndGet();
            try {
                long start = System.nanoTime();
                waitUntil(me::isInterrupted, start, BLOCK_NANOS);
                if (blockWindsDown) {
                    windingDown.incrementAndGet();
                    long stopped = System.nanoTime();
                    long windDown = windDownNanos;
                    // Busy meanwhile (progress moves), so the test's hang detector sees work, not a stall.
                    waitUntil(() -> progress.incrementAndGet() > 0 && System.nanoTime() - stopped >= windDown,
                            stopped, windDown);
                }
            } finally {
                blockedNow.decrementAndGet();
            }
        }
        if (holding && phase > 0 && workers.size() > 1) {
            Thread held = workers.get(Math.floorMod(holdSalt + phase, workers.size()));
            AtomicIntegerArray counts = perThread.get(me);
            if (held == me && mine == counts.get(0)) {
                long start = System.nanoTime();
                waitUntil(() -> done.get(phase) >= cells - 1 && othersWait(me)
                        || phase + 1 < phases && started.get(phase + 1) > 0, start, HOLD_NANOS);
                if (done.get(phase) >= cells - 1 && othersWait(me)) {
                    lookWhereOthersWait(me, phase);
                }
            }
        }
    }

    /**
     * Every other worker has done its band of {@code phase} and waits, and none can go on before this held
     * cell is done: each must be waiting inside a CyclicBarrier or a Phaser (rule 10), which its stack shows.
     */
    private void lookWhereOthersWait(Thread me, int phase) {
        looks.incrementAndGet();
        for (Thread worker : workers) {
            if (worker == me) {
                continue;
            }
            StackTraceElement[] stack = worker.getStackTrace();
            boolean inABarrier = false;
            String ownWaitInside = null;
            // From the innermost frame out: the first barrier frame is where it waits; a frame of the package
            // inside it (a wait of its own run by a barrier action, say) means the barrier does not do the waiting.
            for (StackTraceElement frame : stack) {
                String owner = frame.getClassName();
                if (owner.startsWith("java.util.concurrent.CyclicBarrier")
                        || owner.startsWith("java.util.concurrent.Phaser")) {
                    inABarrier = true;
                    break;
                }
                if (ownWaitInside == null && owner.startsWith("katas.barrierphases.")) {
                    ownWaitInside = owner + "." + frame.getMethodName();
                }
            }
            if (inABarrier && ownWaitInside != null) {
                waitedElsewhere.compareAndSet(null, name(worker) + " had written its band of phase " + (phase + 1)
                        + " and waited for the others in " + ownWaitInside + ", run from inside a CyclicBarrier or "
                        + "Phaser (a barrier action, say): between phases the barrier itself does the waiting, not a "
                        + "wait of your own inside it (rule 10)");
            }
            if (!inABarrier && stack.length > 0) {
                List<String> top = new ArrayList<>();
                for (int i = 0; i < Math.min(4, stack.length); i++) {
                    top.add(stack[i].getClassName() + "." + stack[i].getMethodName());
                }
                waitedElsewhere.compareAndSet(null, name(worker) + " had written its band of phase " + (phase + 1)
                        + " and waited for the others in " + top + ", not in a CyclicBarrier or a Phaser: between "
                        + "phases the workers wait at the barrier itself, not at one of their own (rule 10)");
            }
        }
    }

    /** Where a worker waited between phases outside any CyclicBarrier or Phaser, or null. */
    String waitedOutsideABarrier() {
        return waitedElsewhere.get();
    }

    /** How many times the held worker looked where the others waited. */
    int barrierLooks() {
        return looks.get();
    }

    private boolean othersWait(Thread me) {
        for (Thread worker : workers) {
            if (worker != me) {
                Thread.State state = worker.getState();
                if (state == Thread.State.RUNNABLE || state == Thread.State.NEW) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Parks (never clearing the interrupt status) until {@code until} holds or {@code bound} nanos passed. */
    private static void waitUntil(BooleanSupplier until, long start, long bound) {
        while (!until.getAsBoolean() && System.nanoTime() - start < bound) {
            LockSupport.parkNanos(20_000);
        }
    }

    private Grid checked(Grid previous, int phase) {
        double[][] want = expected[phase];
        return new Grid() {
            @Override
            public int rows() {
                return previous.rows();
            }

            @Override
            public int cols() {
                return previous.cols();
            }

            @Override
            public double get(int row, int col) {
                double value = previous.get(row, col);
                if (Double.compare(value, want[row][col]) != 0) {
                    breaks("phase " + (phase + 1) + " read " + value + " at (" + row + ", " + col + "), but "
                            + (phase == 0 ? "the starting grid has " : "phase " + phase + " left ") + want[row][col]
                            + " there: a phase reads only the values of the phase before it, from a grid nobody "
                            + "writes meanwhile, swapped once per phase (rule 4)");
                }
                return value;
            }
        };
    }

    private void breaks(String what) {
        broken.compareAndSet(null, what);
    }

    /** The first rule seen broken during the run, or null. */
    String broken() {
        return broken.get();
    }

    /** Counts as progress: a test's own wait inside the rule, so that the hang detector sees it as work. */
    void tick() {
        progress.incrementAndGet();
    }

    long progress() {
        return progress.get();
    }

    boolean faultThrown() {
        return faultThrown;
    }

    int blockedNow() {
        return blockedNow.get();
    }

    int everBlocked() {
        return everBlocked.get();
    }

    /** Every thread that computed a cell, in the order they first did. */
    List<Thread> workers() {
        return List.copyOf(workers);
    }

    int cellsStarted(int phase) {
        return phase < phases ? started.get(phase) : 0;
    }

    /** How far the run got, for a message: "phase 3 of 5: 12 of 20 cells done". */
    String story() {
        int phase = 0;
        while (phase < phases - 1 && started.get(phase + 1) > 0) {
            phase++;
        }
        String where = phases == 0 ? "no phase to run" : "phase " + (phase + 1) + " of " + phases + ": "
                + done.get(phase) + " of " + cells + " cells done";
        Fault f = fault;
        if (f != null && faultThrown) {
            where += "; the rule threw " + f.failure() + " for cell (" + f.row() + ", " + f.col() + ") of phase "
                    + (f.phase() + 1);
        }
        return where;
    }

    /** Fails unless every cell was computed exactly {@code times} times. */
    void assertEveryCellComputed(int times) {
        for (int cell = 0; cell < cells; cell++) {
            int count = computed.get(cell);
            if (count != times) {
                throw new AssertionError("cell (" + cell / cols + ", " + cell % cols + ") of the " + rows + " x " + cols
                        + " grid was computed " + count + " times in a run of " + times + " phases: every cell "
                        + "exactly once per phase (rule 2" + (count < times ? ": are the last rows % workers "
                        + "left out?" : "") + ")");
            }
        }
    }

    /**
     * Fails unless the work was shared as rule 5 says: min(workers, rows) threads, none of them the caller,
     * each computing whole consecutive rows, the same rows in every phase.
     */
    void assertBands(int workerCount, int phasesRun) {
        Map<Thread, Set<Integer>> firstBands = null;
        for (int phase = 0; phase < phasesRun; phase++) {
            Map<Thread, Set<Integer>> bands = new java.util.LinkedHashMap<>();
            for (int row = 0; row < rows; row++) {
                Thread rowOwner = owners.get(phase * cells + row * cols);
                for (int col = 0; col < cols; col++) {
                    Thread owner = owners.get(phase * cells + row * cols + col);
                    if (owner == caller) {
                        throw new AssertionError("the thread that called run() computed cell (" + row + ", " + col
                                + ") of phase " + (phase + 1) + ": the phases run on worker threads that run() "
                                + "starts, never on the caller (rule 5)");
                    }
                    if (owner != rowOwner) {
                        throw new AssertionError("row " + row + " of phase " + (phase + 1) + " was split between "
                                + name(rowOwner) + " and " + name(owner) + ": each worker owns a band of whole rows "
                                + "(rule 5)");
                    }
                }
                bands.computeIfAbsent(rowOwner, t -> new TreeSet<>()).add(row);
            }
            int wanted = Math.min(workerCount, rows);
            if (bands.size() != wanted) {
                throw new AssertionError("phase " + (phase + 1) + " of a " + rows + "-row grid with " + workerCount
                        + " workers ran on " + bands.size() + " thread(s) " + names(bands.keySet()) + ": it must be "
                        + "shared by " + wanted + " worker threads, each with a band of its own (rule 5)");
            }
            for (Map.Entry<Thread, Set<Integer>> band : bands.entrySet()) {
                TreeSet<Integer> owned = (TreeSet<Integer>) band.getValue();
                if (owned.last() - owned.first() + 1 != owned.size()) {
                    throw new AssertionError(name(band.getKey()) + " computed rows " + owned + " in phase "
                            + (phase + 1) + ": a worker's band is one run of consecutive rows (rule 5)");
                }
            }
            if (firstBands == null) {
                firstBands = bands;
            } else if (!firstBands.equals(bands)) {
                throw new AssertionError("the bands of phase " + (phase + 1) + " " + describe(bands) + " differ "
                        + "from those of phase 1 " + describe(firstBands) + ": each worker keeps its band for the "
                        + "whole run (rule 5)");
            }
        }
    }

    private static String describe(Map<Thread, Set<Integer>> bands) {
        List<String> parts = new ArrayList<>();
        bands.forEach((thread, owned) -> parts.add(name(thread) + "=" + owned));
        return parts.toString();
    }

    private static String names(Set<Thread> threads) {
        Set<String> names = new LinkedHashSet<>();
        threads.forEach(t -> names.add(name(t)));
        return names.toString();
    }

    static String name(Thread thread) {
        return thread == null ? "nobody" : "\"" + thread.getName() + "\"";
    }
}

package katas.startinggun;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import katas.testkit.Shapes;

/**
 * One runner on a thread of its own: it calls {@code awaitStart()} (or {@code awaitStart(timeout)}) once and
 * remembers how that ended and how long it took. The test reads the outcome only after {@link #isDone()}.
 */
final class Runner {

    /** How a runner's call can end. */
    enum Ending { RETURNED, INTERRUPTED, THREW }

    private final String name;
    private final Duration timeout;
    private final boolean interruptedFirst;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread thread;
    private volatile Ending ending;
    private volatile boolean answer;
    private volatile Throwable thrown;
    private volatile long startNanos;
    private volatile long tookNanos;

    private Runner(String name, StartingGun gun, Duration timeout, boolean interruptedFirst) {
        this.name = name;
        this.timeout = timeout;
        this.interruptedFirst = interruptedFirst;
        this.thread = Thread.ofPlatform().daemon(true).name(name).unstarted(() -> run(gun));
    }

    /** A runner that calls {@code awaitStart()}, started. */
    static Runner untimed(String name, StartingGun gun) {
        return new Runner(name, gun, null, false).start();
    }

    /** A runner that calls {@code awaitStart(timeout)}, started. */
    static Runner timed(String name, StartingGun gun, Duration timeout) {
        return new Runner(name, gun, timeout, false).start();
    }

    /** A runner whose thread is interrupted before it calls (timeout null: {@code awaitStart()}), started. */
    static Runner interruptedFirst(String name, StartingGun gun, Duration timeout) {
        return new Runner(name, gun, timeout, true).start();
    }

    /**
     * A field of runners drawn from the shapes: how many, which wait with a timeout (one far longer than any test
     * runs, so only a fire can end it in time), their lane numbers. Every runner is started.
     */
    static List<Runner> field(Shapes round, StartingGun gun, int min, int max) {
        int count = round.between("runners", min, max);
        int firstLane = round.between("first lane", 1, 90);
        Random random = round.random();
        // From two runners on, both kinds are always in the field: a mistake in either call must show.
        List<Boolean> timed = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            timed.add(count >= 2 && i < 2 ? i == 1 : random.nextInt(3) == 0);
        }
        Collections.shuffle(timed, random);
        List<Runner> runners = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = "runner-lane-" + (firstLane + i);
            runners.add(timed.get(i) ? timed(name, gun, Duration.ofSeconds(30 + random.nextInt(3_600)))
                    : untimed(name, gun));
        }
        round.between("with a timeout", (int) timed.stream().filter(t -> t).count(), count);
        return runners;
    }

    private Runner start() {
        thread.start();
        return this;
    }

    private void run(StartingGun gun) {
        startNanos = System.nanoTime();
        if (interruptedFirst) {
            Thread.currentThread().interrupt();
        }
        try {
            if (timeout == null) {
                gun.awaitStart();
                answer = true;
            } else {
                answer = gun.awaitStart(timeout);
            }
            ending = Ending.RETURNED;
        } catch (InterruptedException interrupted) {
            thrown = interrupted;
            ending = Ending.INTERRUPTED;
        } catch (Throwable other) {
            thrown = other;
            ending = Ending.THREW;
        } finally {
            tookNanos = System.nanoTime() - startNanos;
            done.countDown();
        }
    }

    String name() {
        return name;
    }

    Thread thread() {
        return thread;
    }

    boolean isTimed() {
        return timeout != null;
    }

    Duration timeout() {
        return timeout;
    }

    boolean isDone() {
        return done.getCount() == 0;
    }

    /** Waits at most {@code millis} for the call to end; true if it has. */
    boolean awaitDone(long millis) throws InterruptedException {
        return done.await(millis, TimeUnit.MILLISECONDS);
    }

    Ending ending() {
        return ending;
    }

    /** What awaitStart(timeout) returned (true for awaitStart() that returned). */
    boolean answer() {
        return answer;
    }

    Throwable thrown() {
        return thrown;
    }

    Duration took() {
        return Duration.ofNanos(tookNanos);
    }

    /** The call as the learner wrote it, for messages: "awaitStart()" or "awaitStart(PT0.2S)". */
    String call() {
        if (timeout == null) {
            return "awaitStart()";
        }
        // Huge and hugely negative timeouts are part of the tests: no conversion that could overflow here.
        boolean small = timeout.getSeconds() > -86_400 && timeout.getSeconds() < 86_400;
        return "awaitStart(" + (small ? millis(timeout) + " ms" : timeout) + ")";
    }

    /** "250", "0.3", "1.5": the milliseconds of a timeout under a day, fractions shown. */
    static String millis(Duration timeout) {
        return java.math.BigDecimal.valueOf(timeout.toNanos(), 6).stripTrailingZeros().toPlainString();
    }

    /** How the call ended, in words, for messages. */
    String describeEnding() {
        if (!isDone()) {
            return "is still in " + call() + " (thread " + thread.getState() + ")";
        }
        return switch (ending) {
            case RETURNED -> call() + " returned" + (isTimed() ? " " + answer : "") + " after " + took().toMillis()
                    + " ms";
            case INTERRUPTED -> call() + " threw InterruptedException after " + took().toMillis() + " ms";
            // Quoted: a stub's "TODO: ..." must not read as part of the message around it.
            case THREW -> call() + " threw " + thrown.getClass().getName()
                    + (thrown.getMessage() == null ? "" : " \"" + thrown.getMessage() + "\"");
        };
    }

    void interrupt() {
        thread.interrupt();
    }

    @Override
    public String toString() {
        return "'" + name + "'";
    }
}

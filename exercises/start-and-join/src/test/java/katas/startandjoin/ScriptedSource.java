package katas.startandjoin;

import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import katas.testkit.Sneaky;
import katas.testkit.ThreadEnd;

/**
 * A source whose behaviour a test scripts (return at once, meet the others, wait for its turn, block until
 * stopped, fail, sleep) and which records what happened to it: on which thread it was fetched, how often,
 * whether it was interrupted, what it returned or threw and when. Made by a {@link Stage}, which it reports to.
 */
final class ScriptedSource implements Source {

    /** What the source does when fetched. */
    enum Script {
        /** Returns its section at once. */
        RETURNS,
        /** Waits until every source of the stage that meets is being fetched, then returns: a probe of concurrency. */
        MEETS,
        /** Waits until the test lets it finish ({@link Stage#finish}), then returns. */
        WAITS_FOR_ITS_TURN,
        /** Waits until its thread is interrupted, then does what its {@link Stop} says. */
        BLOCKS,
        /** Throws its failure at once. */
        FAILS,
        /** Throws its failure once every source of the stage is being fetched. */
        FAILS_WHEN_ALL_ARE_FETCHING,
        /** Sleeps a while, then returns: a slow source for timing. */
        SLEEPS
    }

    /** What a blocked source does when its thread is interrupted. */
    enum Stop {
        THROWS_INTERRUPTED_EXCEPTION("throws InterruptedException"),
        THROWS_A_FAILURE("throws a failure of its own"),
        RETURNS_WHAT_IT_HAS("returns what it has"),
        WINDS_DOWN_THEN_THROWS("takes a while, then throws InterruptedException"),
        WINDS_DOWN_THEN_RETURNS("takes a while, then returns what it has");

        final String words;

        Stop(String words) {
            this.words = words;
        }

        boolean windsDown() {
            return this == WINDS_DOWN_THEN_THROWS || this == WINDS_DOWN_THEN_RETURNS;
        }

        boolean throwsSomething() {
            return this == THROWS_INTERRUPTED_EXCEPTION || this == THROWS_A_FAILURE || this == WINDS_DOWN_THEN_THROWS;
        }
    }

    final Stage stage;
    final int index;
    final String section;
    final Script script;
    final Throwable failure;
    final Stop stop;
    final Throwable stopFailure;
    final long sleepMillis;
    final long windDownMillis;
    final CountDownLatch turn = new CountDownLatch(1);
    /** Opened by the stage when this source, winding down after an interrupt, may end. */
    final CountDownLatch letGo = new CountDownLatch(1);

    volatile Thread thread;
    volatile int calls;
    volatile long enteredNanos;
    volatile long leftNanos;
    volatile long interruptedNanos;
    volatile boolean windingDown;
    volatile long windingSince;
    /** How often the stage saw the caller waiting while this source wound down (the stage's watcher only). */
    int callerSeenWaiting;
    volatile Throwable threw;
    volatile String returned;

    ScriptedSource(Stage stage, int index, String section, Script script, Throwable failure, Stop stop,
            Throwable stopFailure, long sleepMillis, long windDownMillis) {
        this.stage = stage;
        this.index = index;
        this.section = section;
        this.script = script;
        this.failure = failure;
        this.stop = stop;
        this.stopFailure = stopFailure;
        this.sleepMillis = sleepMillis;
        this.windDownMillis = windDownMillis;
    }

    @Override
    public String fetch() throws Exception {
        synchronized (this) {
            calls++;
            if (calls > 1) {
                stage.violation("source " + index + " was fetched " + calls + " times in one report: fetch each "
                        + "source once (rule 2)");
                return section;
            }
            thread = Thread.currentThread();
            enteredNanos = System.nanoTime();
        }
        if (!stage.arrived(this)) {
            // On the caller's thread (run() instead of start()): never block it, the stage reports the mistake.
            leftNanos = System.nanoTime();
            stage.progress();
            return section;
        }
        try {
            String result = play();
            returned = result;
            return result;
        } catch (Throwable thrown) {
            threw = thrown;
            throw Sneaky.raise(thrown);
        } finally {
            leftNanos = System.nanoTime();
            stage.progress();
        }
    }

    private String play() throws Exception {
        switch (script) {
            case RETURNS:
                return section;
            case MEETS:
                try {
                    stage.meeting().await();
                    return section;
                } catch (InterruptedException interrupted) {
                    interrupted();
                    throw interrupted;
                } catch (BrokenBarrierException broken) {
                    throw new IllegalStateException("the test gave up waiting for the other sources", broken);
                }
            case WAITS_FOR_ITS_TURN:
                try {
                    turn.await();
                    return section;
                } catch (InterruptedException interrupted) {
                    interrupted();
                    throw interrupted;
                }
            case BLOCKS:
                try {
                    stage.released().await();
                    return section;
                } catch (InterruptedException interrupted) {
                    interrupted();
                    return onStop(interrupted);
                }
            case FAILS:
                throw Sneaky.raise(failure);
            case FAILS_WHEN_ALL_ARE_FETCHING:
                try {
                    stage.allFetching().await();
                } catch (InterruptedException interrupted) {
                    interrupted();
                    throw interrupted;
                }
                throw Sneaky.raise(failure);
            case SLEEPS:
                try {
                    TimeUnit.MILLISECONDS.sleep(sleepMillis);
                    return section;
                } catch (InterruptedException interrupted) {
                    interrupted();
                    throw interrupted;
                }
            default:
                throw new IllegalStateException("no such script: " + script);
        }
    }

    private void interrupted() {
        interruptedNanos = System.nanoTime();
        stage.progress();
    }

    private String onStop(InterruptedException interrupted) throws Exception {
        switch (stop) {
            case THROWS_INTERRUPTED_EXCEPTION:
                throw interrupted;
            case THROWS_A_FAILURE:
                throw Sneaky.raise(stopFailure);
            case RETURNS_WHAT_IT_HAS:
                return section + " (cut short)";
            default:
                windingDown = true;
                windingSince = System.nanoTime();
                stage.progress();
                boolean again = false;
                while (true) {
                    try {
                        letGo.await();
                        break;
                    } catch (InterruptedException stillWindingDown) {
                        again = true;
                    }
                }
                windingDown = false;
                if (again) {
                    Thread.currentThread().interrupt();
                }
                if (stop == Stop.WINDS_DOWN_THEN_THROWS) {
                    throw interrupted;
                }
                return section + " (wound down)";
        }
    }

    boolean wasFetched() {
        return enteredNanos != 0;
    }

    boolean isFetching() {
        return enteredNanos != 0 && leftNanos == 0;
    }

    boolean wasInterrupted() {
        return interruptedNanos != 0;
    }

    /** A failure scripted for it, as opposed to one it threw because it was stopped. */
    boolean failedOnItsOwn() {
        return (script == Script.FAILS || script == Script.FAILS_WHEN_ALL_ARE_FETCHING) && threw == failure;
    }

    /** Its thread, in words: "thread 'Thread-7'". */
    String threadName() {
        Thread t = thread;
        if (t == null) {
            return "no thread";
        }
        return t.getName().isEmpty() ? "virtual thread #" + t.threadId() : "thread '" + t.getName() + "'";
    }

    /** What it has done so far, for a failure message: "fetched on thread 'x' for 2.0 s, never interrupted". */
    String describe(long now) {
        StringBuilder s = new StringBuilder("source ").append(index).append(" (").append(scriptInWords()).append("): ");
        if (!wasFetched()) {
            return s.append("never fetched").toString();
        }
        s.append("fetched on ").append(threadName());
        if (leftNanos == 0) {
            s.append(", still fetching after ").append(Stage.millis(now - enteredNanos)).append(" ms");
        }
        if (wasInterrupted()) {
            s.append(", interrupted after ").append(Stage.millis(interruptedNanos - enteredNanos)).append(" ms");
            if (windingDown) {
                s.append(" and still winding down");
            }
        } else if (leftNanos == 0) {
            s.append(", never interrupted");
        }
        if (threw != null) {
            s.append(", threw ").append(threw.getClass().getSimpleName());
        } else if (returned != null) {
            s.append(", returned");
        }
        if (leftNanos != 0) {
            s.append(" after ").append(Stage.millis(leftNanos - enteredNanos)).append(" ms");
        }
        Thread t = thread;
        if (t != null && leftNanos != 0 && ThreadEnd.stillRuns(t) && t != stage.caller()) {
            s.append("; its thread is still alive");
        }
        return s.toString();
    }

    String scriptInWords() {
        return switch (script) {
            case RETURNS -> "returns at once";
            case MEETS -> "waits until all are being fetched";
            case WAITS_FOR_ITS_TURN -> "waits for its turn to finish";
            case BLOCKS -> "slow; when stopped, " + stop.words + (stop.windsDown() && windDownMillis > 0
                    ? " (at least " + windDownMillis + " ms)" : "");
            case FAILS -> "throws " + failure.getClass().getSimpleName() + " at once";
            case FAILS_WHEN_ALL_ARE_FETCHING -> "throws " + failure.getClass().getSimpleName()
                    + " once all are being fetched";
            case SLEEPS -> "takes " + sleepMillis + " ms";
        };
    }

    @Override
    public String toString() {
        return "source " + index;
    }
}

package katas.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class OwnThreadsTest {

    /** A learner's watchdog: a thread by inheritance. */
    static final class Watchdog extends Thread {
    }

    private final OwnThreads own = new OwnThreads(OwnThreadsTest.class);

    @Test
    @DisplayName("counts executors, timers and reflection, subtypes too, and leaves the lock and its conditions alone")
    void knowsWhatRunsElsewhere() {
        assertThat(own.runsElsewhere("java.util.Timer")).isTrue();
        assertThat(own.runsElsewhere("java.util.concurrent.ScheduledThreadPoolExecutor")).isTrue();
        assertThat(own.runsElsewhere("java.util.concurrent.CompletableFuture")).isTrue();
        assertThat(own.runsElsewhere("java.lang.reflect.Method")).isTrue();
        assertThat(own.runsElsewhere("java.util.concurrent.locks.ReentrantLock")).isFalse();
        assertThat(own.runsElsewhere("java.util.concurrent.locks.Condition")).isFalse();
        assertThat(own.runsElsewhere("java.lang.Thread")).as("Thread.currentThread() is fine").isFalse();
        assertThat(own.runsElsewhere("no.such.Type")).isFalse();
    }

    @Test
    @DisplayName("sees a thread built or started, through a class that extends Thread too, and lookups by name")
    void seesThreadsAndLookups() {
        assertThat(own.buildsAThread(Watchdog.class.getName())).isTrue();
        assertThat(own.buildsAThread("java.lang.Thread")).isTrue();
        assertThat(own.buildsAThread("java.lang.Object")).isFalse();
        assertThat(own.startsOrLooksUp(Watchdog.class.getName(), "start")).isTrue();
        assertThat(own.startsOrLooksUp("java.lang.Thread", "ofVirtual")).isTrue();
        assertThat(own.startsOrLooksUp("java.lang.Thread", "interrupt")).as("re-setting one's own status").isFalse();
        assertThat(own.startsOrLooksUp("java.util.List", "parallelStream")).isTrue();
        assertThat(own.startsOrLooksUp("java.lang.Class", "getDeclaredField")).isTrue();
        assertThat(own.startsOrLooksUp("java.lang.Class", "getName")).isFalse();
    }
}

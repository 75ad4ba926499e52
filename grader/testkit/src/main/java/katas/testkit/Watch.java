package katas.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Watches invariants while threads run, not only at the end: a sampling thread asks each check, over
 * and over, until the watch is closed. A check returns null while all is well, or a sentence saying
 * what it saw ("balance -10 after 13 withdrawals of 10"). Closing the watch fails with the first
 * thing seen and when, so a state that was wrong only for a moment still counts.
 *
 * <pre>{@code
 * try (Watch watch = Watch.of("balance never below zero", () -> account.balance() < 0
 *         ? "the balance was " + account.balance() : null)) {
 *     Contention.threads(16).run((t, i) -> account.withdraw(10));
 * }
 * }</pre>
 *
 * <p>Only check what must hold at every instant of a correct implementation and can be read without
 * taking part in the protocol (a single value, a count kept by a callback the test owns).
 */
public final class Watch implements AutoCloseable {

    private record Check(String rule, Supplier<String> seen) {
    }

    private final List<Check> checks = new ArrayList<>();
    private final AtomicReference<String> first = new AtomicReference<>();
    private final long start = System.nanoTime();
    private volatile boolean open = true;
    private Thread sampler;

    private Watch() {
    }

    /** A watch of one invariant, already sampling. */
    public static Watch of(String rule, Supplier<String> seen) {
        return new Watch().and(rule, seen).start();
    }

    /** A watch with no check yet: add them with {@link #and}, then {@link #start()}. */
    public static Watch of() {
        return new Watch();
    }

    /** Adds a check before the watch starts. */
    public Watch and(String rule, Supplier<String> seen) {
        if (sampler != null) {
            throw new IllegalStateException("add checks before the watch starts");
        }
        checks.add(new Check(rule, seen));
        return this;
    }

    /** Starts sampling. */
    public Watch start() {
        sampler = TestThreads.own(Thread.ofPlatform().daemon(true).name("watch").unstarted(this::sample));
        sampler.start();
        return this;
    }

    private void sample() {
        while (open && first.get() == null) {
            for (Check check : checks) {
                String seen;
                try {
                    seen = check.seen().get();
                } catch (RuntimeException | Error broken) {
                    seen = "reading it threw " + broken;
                }
                if (seen != null) {
                    first.compareAndSet(null, check.rule() + " broken while the threads ran, "
                            + Duration.ofNanos(System.nanoTime() - start).toMillis() + " ms in: " + seen);
                    return;
                }
            }
            // Often enough to see a moment's breach, rarely enough to leave the cores to the threads watched.
            LockSupport.parkNanos(20_000);
        }
    }

    /** The first broken invariant seen so far, or null. */
    public String firstBroken() {
        return first.get();
    }

    /** Stops sampling, checks once more, and fails with the first broken invariant seen, if any. */
    @Override
    public void close() throws InterruptedException {
        open = false;
        if (sampler != null) {
            sampler.join();
        }
        if (first.get() == null) {
            for (Check check : checks) {
                String seen = check.seen().get();
                if (seen != null) {
                    first.compareAndSet(null, check.rule() + " broken at the end: " + seen);
                }
            }
        }
        if (first.get() != null) {
            throw new AssertionError(first.get());
        }
    }
}

package katas.parallelprimes;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongPredicate;

/**
 * Predicates that watch how the learner's counter calls them. Every wait in them is bounded, so a
 * counter that never runs two tests at once fails with an explanation instead of hanging.
 */
final class Probes {

    /** How long a probe waits for other threads before it concludes they are not coming. */
    static final Duration PATIENCE = Duration.ofSeconds(5);

    private Probes() {
    }

    /**
     * Says yes to every number. The full fence keeps the JIT from merging the increments of a loop
     * that calls it into one, so a running total shared without synchronization is updated once per
     * find, where another thread can interleave.
     */
    static boolean yesWithAFence(long n) {
        VarHandle.fullFence();
        return true;
    }

    /** Records which numbers were asked about, how often, and by which threads. */
    static final class CallLedger implements LongPredicate {
        private final long from;
        private final long to;
        private final LongPredicate answer;
        private final AtomicIntegerArray calls;
        private final AtomicLong outside = new AtomicLong();
        private final AtomicLong firstOutside = new AtomicLong(Long.MIN_VALUE);
        private final Thread caller = Thread.currentThread();
        private final Set<Thread> workers = ConcurrentHashMap.newKeySet();
        private final ThreadLocal<Boolean> seen = ThreadLocal.withInitial(() -> false);

        CallLedger(long from, long to, LongPredicate answer) {
            this.from = from;
            this.to = to;
            this.answer = answer;
            this.calls = new AtomicIntegerArray(Math.toIntExact(to - from));
        }

        @Override
        public boolean test(long n) {
            if (!seen.get()) {
                seen.set(true);
                if (Thread.currentThread() != caller) {
                    workers.add(Thread.currentThread());
                }
            }
            if (n >= from && n < to) {
                calls.incrementAndGet(Math.toIntExact(n - from));
            } else {
                outside.incrementAndGet();
                firstOutside.compareAndSet(Long.MIN_VALUE, n);
            }
            return answer.test(n);
        }

        /** The threads other than the caller that ran isPrime. */
        Set<Thread> workers() {
            return workers;
        }

        /** What went wrong, in words; empty when every number was asked about exactly once. */
        List<String> problems() {
            List<String> problems = new ArrayList<>();
            long never = 0;
            long twice = 0;
            long firstNever = -1;
            long firstTwice = -1;
            for (int i = 0; i < calls.length(); i++) {
                int c = calls.get(i);
                if (c == 0 && never++ == 0) {
                    firstNever = from + i;
                } else if (c > 1 && twice++ == 0) {
                    firstTwice = from + i;
                }
            }
            if (never > 0) {
                problems.add(String.format("%,d numbers were never asked about (the first is %d): a piece of "
                        + "[%d, %d) was left out", never, firstNever, from, to));
            }
            if (twice > 0) {
                problems.add(String.format("%,d numbers were asked about more than once (the first is %d): "
                        + "pieces overlap", twice, firstTwice));
            }
            if (outside.get() > 0) {
                problems.add(String.format("%,d numbers outside [%d, %d) were asked about (the first is %d): a "
                        + "piece runs past the range (an overflow near Long.MAX_VALUE turns a bound negative)",
                        outside.get(), from, to, firstOutside.get()));
            }
            return problems;
        }
    }

    /**
     * Trial division, except that each thread's first call waits (at most {@link #PATIENCE}) until
     * {@code wanted} threads are inside isPrime together: they can only meet if they run at once.
     * Once the wait has run out, later threads no longer wait, so a sequential counter is slow
     * once, not once per piece.
     */
    static final class MeetingProbe implements LongPredicate {
        private final CountDownLatch allInside;
        private final Set<Thread> arrived = ConcurrentHashMap.newKeySet();
        private final AtomicInteger inside = new AtomicInteger();
        private final AtomicInteger peak = new AtomicInteger();
        private volatile boolean gaveUp;

        MeetingProbe(int wanted) {
            this.allInside = new CountDownLatch(wanted);
        }

        @Override
        public boolean test(long n) {
            peak.accumulateAndGet(inside.incrementAndGet(), Math::max);
            try {
                if (!gaveUp && allInside.getCount() > 0 && arrived.add(Thread.currentThread())) {
                    allInside.countDown();
                    if (!allInside.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)) {
                        gaveUp = true;
                    }
                }
            } catch (InterruptedException interrupted) {
                gaveUp = true;
                Thread.currentThread().interrupt();
            } finally {
                inside.decrementAndGet();
            }
            return TrialDivision.isPrime(n);
        }

        /** The most threads that were inside isPrime at the same moment. */
        int peak() {
            return peak.get();
        }
    }

    /**
     * Trial division, except that the first call on a number at or above {@code stickAt} gets
     * stuck until the counter has tested a given share of the range (or {@link #PATIENCE} runs
     * out): a counter that balances its load lets its free threads take over the work that the
     * stuck thread has not started; a counter that divided the range up front cannot.
     */
    static final class StuckWorkerProbe implements LongPredicate {
        private final long stickAt;
        private final long enough;
        private final AtomicReference<Thread> stuck = new AtomicReference<>();
        private final AtomicLong tested = new AtomicLong();
        private final CountDownLatch release = new CountDownLatch(1);
        private volatile long stuckOn = -1;
        private volatile long testedBefore;
        private volatile long testedAtRelease;
        private volatile boolean releasedInTime;

        StuckWorkerProbe(long from, long to, long stickAt, double shareToTestMeanwhile) {
            this.stickAt = stickAt;
            this.enough = (long) Math.ceil((to - from) * shareToTestMeanwhile);
        }

        @Override
        public boolean test(long n) {
            if (n >= stickAt && stuck.get() == null && stuck.compareAndSet(null, Thread.currentThread())) {
                stuckOn = n;
                testedBefore = tested.get();
                try {
                    releasedInTime = release.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
                testedAtRelease = tested.get();
            } else if (tested.incrementAndGet() >= enough) {
                release.countDown();
            }
            return TrialDivision.isPrime(n);
        }

        boolean releasedInTime() {
            return releasedInTime;
        }

        /** Why the stuck thread was not released in time, in the learner's terms. */
        String whyNotReleased(long size) {
            long meanwhile = testedAtRelease - testedBefore;
            if (meanwhile == 0) {
                return String.format("one thread got stuck on %,d, and in the %d s it was stuck no other thread tested "
                        + "a single number: the pieces run one after another (each one awaited before the next is "
                        + "handed out), so one slow number holds up the whole count", stuckOn, PATIENCE.toSeconds());
            }
            return String.format("one thread got stuck on %,d; in the %d s it was stuck, the other threads tested %,d "
                    + "numbers and then found nothing left to do, although %,d of the %,d were still untested. The "
                    + "range was divided up front into one share per thread, so the stuck thread's share waited for "
                    + "it. Real numbers are not equal work either (big ones take longer): cut the range into many more "
                    + "pieces than threads, and let whichever thread is free take the next piece",
                    stuckOn, PATIENCE.toSeconds(), meanwhile, size - testedAtRelease - 1, size);
        }
    }
}

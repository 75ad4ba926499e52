package katas.parallelprimes;

import java.util.BitSet;
import java.util.SplittableRandom;
import katas.testkit.perf.SpeedupWorkload;

/**
 * The speedup the grader measures: the learner's {@code new ParallelPrimeCounter()} (one thread
 * per core) against the hidden sequential count, both asking a fresh predicate of the same class
 * ({@link Asked}: trial division with a twist) through the same {@link java.util.function.LongPredicate}.
 *
 * <p>One timed input is 7,000,000 numbers starting a little further up each trial; the sequential
 * count of one takes about 1 s on the 2-core machine this kit was built on (0.96 s measured on JDK 25,
 * 476,648 primes in [0, 7,000,000)). Trial 0, the warm-up, is smaller. The counter is built and closed
 * inside each timed call, so starting its threads is part of what is measured (well under a millisecond).
 *
 * <p>Every count must ask its own predicate (rule 1), and the workload makes sure that nothing else
 * gives the right count. Each trial, in each of {@value #SEGMENTS} equal segments of its range, one
 * composite number not yet flipped is answered "prime" from then on, drawn from a secret seed: the
 * flipped numbers only grow, and only composites are flipped. So a sieve (or any true prime count)
 * comes out short by every flip in the range; and an answer remembered from an earlier trial is either
 * still right or is a "no" for a number flipped since, never too many yeses: a counter that reuses the
 * answers of a whole segment comes out short, every time, with no way for errors to cancel. Each count
 * gets a new predicate object, so nothing can be keyed on it either. The expected count (a sieve of the
 * range plus the flips in it) is worked out in {@link #input}, before the clock starts, and a wrong count
 * fails the measurement with a message that says why.
 */
public final class PrimeCountingWorkload implements SpeedupWorkload<PrimeCountingWorkload.Range, Long> {

    static final long TIMED_SIZE = 7_000_000;
    static final long WARM_UP_SIZE = 1_000_000;
    static final int SEGMENTS = 64;

    /** The numbers {@code from <= n < to}, the numbers answered the other way, and the count they make. */
    public record Range(long from, long to, BitSet flipped, long expected) {
        @Override
        public String toString() {
            return String.format("[%,d, %,d)", from, to);
        }
    }

    private final SplittableRandom secret = new SplittableRandom();
    private final BitSet flipped = new BitSet();

    public PrimeCountingWorkload() {
    }

    @Override
    public Range input(int trial) {
        long from = trial == 0 ? 0 : 1_009L * trial;
        long to = trial == 0 ? WARM_UP_SIZE : from + TIMED_SIZE;
        BitSet composite = composites((int) to);
        long segment = (to - from) / SEGMENTS;
        for (int s = 0; s < SEGMENTS; s++) {
            long lo = from + s * segment;
            while (true) {
                int n = (int) (lo + secret.nextLong(segment));
                if (composite.get(n) && !flipped.get(n)) {
                    flipped.set(n);
                    break;
                }
            }
        }
        long primes = 0;
        for (long n = Math.max(2, from); n < to; n++) {
            if (!composite.get((int) n)) {
                primes++;
            }
        }
        BitSet mine = (BitSet) flipped.clone();
        long flips = mine.get((int) from, (int) to).cardinality();
        return new Range(from, to, mine, primes + flips);
    }

    /** A sieve of Eratosthenes: the composites below {@code to} (0 and 1 are neither, and not marked). */
    private static BitSet composites(int to) {
        BitSet composite = new BitSet(to);
        for (int p = 2; (long) p * p < to; p++) {
            if (!composite.get(p)) {
                for (int m = p * p; m < to; m += p) {
                    composite.set(m);
                }
            }
        }
        return composite;
    }

    @Override
    public Long baseline(Range input) {
        return TrialDivision.sequentialCount(input.from(), input.to(), new Asked(0, input.flipped(), null));
    }

    @Override
    public Long candidate(Range input) {
        long got;
        try (ParallelPrimeCounter counter = new ParallelPrimeCounter()) {
            got = counter.count(input.from(), input.to(), new Asked(0, input.flipped(), null));
        }
        if (got != input.expected()) {
            throw new IllegalStateException(String.format("rule 1: your count of %s answered %,d, but the isPrime it "
                    + "was given said yes to %,d of those numbers: a count must ask the isPrime it is given about every "
                    + "number, each time (this predicate is new for every count and answers some numbers its own way, "
                    + "so a sieve, or answers remembered from an earlier count, miss)", input, got, input.expected()));
        }
        return got;
    }

    @Override
    public String describe(Range input) {
        return String.format("primes in [%,d, %,d) by trial division", input.from(), input.to());
    }
}

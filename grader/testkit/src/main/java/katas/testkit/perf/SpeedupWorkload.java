package katas.testkit.perf;

/**
 * What a hidden suite gives the grader to measure a speedup: its own sequential baseline, the
 * learner's implementation, and fresh inputs. The grader times baseline and candidate on the same
 * input, alternating, after a warm-up, and checks every timed answer against the baseline's.
 *
 * <p>Implementations must have a public no-argument constructor. They are only ever driven by
 * the grader's measuring step, never by a unit test: speed is a report, not an assertion.
 *
 * @param <I> an input; a new one per trial, so that nothing can be cached between trials
 * @param <A> an answer, compared with {@code equals}
 */
public interface SpeedupWorkload<I, A> {

    /** A fresh input for the given trial; trial 0 is the warm-up and may be smaller. */
    I input(int trial);

    /** The hidden suite's own sequential solution. */
    A baseline(I input) throws Exception;

    /** The learner's implementation, on the same input. */
    A candidate(I input) throws Exception;

    /**
     * How many threads or processes the candidate works with at most: the target never counts more
     * cores than this. Every core, unless the kata caps it (a pool of at most 8 worker processes).
     */
    default int parallelism() {
        return Runtime.getRuntime().availableProcessors();
    }

    /** How the input reads in a report, e.g. "primes in [0, 5000000)". */
    default String describe(I input) {
        return String.valueOf(input);
    }
}

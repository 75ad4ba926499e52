package katas.processpoolprimes;

import java.util.List;
import katas.testkit.Shapes;

/**
 * Spans of numbers for a worker to count, drawn from every region of {@code long}: small numbers,
 * across zero, across the limits of {@code int} and of 32 bits, around 10^12, near
 * {@code Long.MIN_VALUE} and right up to {@code Long.MAX_VALUE}. Each is cheap to count by trial
 * division (near {@code Long.MAX_VALUE} only numbers with a small factor are drawn: a prime there
 * would take a worker minutes), and comes with its count by the tests' own method.
 */
final class Spans {

    /** A request and the answer it must get. */
    record Span(long from, long to, long primes, String region) {

        String request() {
            return "count " + from + " " + to;
        }

        @Override
        public String toString() {
            return String.format("[%,d, %,d) (%s)", from, to, region);
        }
    }

    /** Every region a span is drawn from. */
    static final List<String> REGIONS = List.of("small numbers", "across zero", "across 2^31", "across 2^32",
            "around 10^12", "near Long.MIN_VALUE", "up to Long.MAX_VALUE", "empty");

    private Spans() {
    }

    /** A span from a region drawn at random; every value drawn is remembered under {@code name}. */
    static Span draw(Shapes shapes, String name) {
        return draw(shapes, name, shapes.oneOf(name + " region", REGIONS));
    }

    static Span draw(Shapes shapes, String name, String region) {
        long from;
        long to;
        switch (region) {
            case "small numbers" -> {
                from = shapes.between(name + " from", 0L, 200_000L);
                to = from + shapes.between(name + " length", 1L, 3_000L);
            }
            case "across zero" -> {
                from = -shapes.between(name + " below zero", 1L, 3_000L);
                to = shapes.between(name + " to", 0L, 3_000L);
            }
            case "across 2^31" -> {
                from = Integer.MAX_VALUE - shapes.between(name + " below 2^31", 0L, 2_000L);
                to = from + shapes.between(name + " length", 1L, 4_000L);
            }
            case "across 2^32" -> {
                from = (1L << 32) - shapes.between(name + " below 2^32", 0L, 1_000L);
                to = from + shapes.between(name + " length", 1L, 2_000L);
            }
            case "around 10^12" -> {
                from = 1_000_000_000_000L + shapes.between(name + " above 10^12", 0L, 1_000_000_000L);
                to = from + shapes.between(name + " length", 1L, 150L);
            }
            case "near Long.MIN_VALUE" -> {
                from = Long.MIN_VALUE + shapes.between(name + " above Long.MIN_VALUE", 0L, 1_000L);
                to = from + shapes.between(name + " length", 0L, 1_000L);
            }
            case "up to Long.MAX_VALUE" -> {
                long length = shapes.between(name + " length", 1L, 10L);
                long below = shapes.between(name + " below Long.MAX_VALUE", 0L, 1_000_000L);
                return composites(Long.MAX_VALUE - below - length, length, region);
            }
            default -> {
                from = shapes.between(name + " at", Long.MIN_VALUE / 2, Long.MAX_VALUE / 2);
                to = from;
            }
        }
        return new Span(from, to, Sieve.primesIn(from, to), region);
    }

    /**
     * The highest span of {@code length} numbers starting at or below {@code highestFrom} whose
     * numbers all have a factor below 2^20 (so none is prime, and trial division stops early).
     */
    private static Span composites(long highestFrom, long length, String region) {
        long from = highestFrom;
        for (long n = from + length - 1; n >= from; n--) {
            if (Sieve.smallFactor(n, 1 << 20) == 0) {
                from = n - length;
                n = from + length;
            }
        }
        return new Span(from, from + length, 0, region);
    }
}

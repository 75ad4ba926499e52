package katas.startandjoin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeoutException;
import katas.startandjoin.ScriptedSource.Stop;
import katas.testkit.Shapes;

/**
 * The tests' data, drawn from a seed: the sections of a morning briefing, failures of every kind, and how
 * sources react when stopped.
 */
final class Briefing {

    private static final List<String> TOPICS = List.of("weather at OSL", "weather at TRD", "crew roster", "fuel price",
            "NOTAMs", "slot times at LHR", "de-icing queue", "gate changes", "catering", "aircraft status",
            "passenger count", "ATC strike notice", "runway works at BGO", "volcanic ash advisory", "connections");

    /** Where the failed sources of the sub-reports that sources build themselves start: past any report's size. */
    static final int OTHER_REPORT_INDEX = 1_000;

    private Briefing() {
    }

    /** {@code count} sections, all different. */
    static List<String> distinctSections(Shapes round, int count) {
        Random random = round.random();
        List<String> sections = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            sections.add(TOPICS.get(random.nextInt(TOPICS.size())) + ": " + (random.nextInt(9_000) + 1_000) + " #" + i);
        }
        return sections;
    }

    /** {@code count} sections, some of them empty and some the same as another. */
    static List<String> sections(Shapes round, int count) {
        List<String> sections = distinctSections(round, count);
        Random random = round.random();
        boolean repeats = round.chance("some sections repeat", 0.5);
        boolean empties = round.chance("some sections are empty", 0.3);
        for (int i = 1; i < count; i++) {
            if (repeats && random.nextInt(4) == 0) {
                sections.set(i, sections.get(random.nextInt(i)));
            } else if (empties && random.nextInt(5) == 0) {
                sections.set(i, "");
            }
        }
        return sections;
    }

    /**
     * One failure of each kind (an unchecked exception, an Error, a checked exception, and the failure of a
     * report the source builds itself: a SourceFailedException naming a source of that other report), in a
     * random order.
     */
    static List<Throwable> oneFailureOfEachKind(Shapes round, String what) {
        Random random = round.random();
        List<Throwable> kinds = List.of(
                new SourceFailedException(OTHER_REPORT_INDEX + random.nextInt(500), pick(random, new IOException(
                        what + ": sub-report source refused"), new IllegalStateException(what + ": sub-report down"))),
                pick(random, new IllegalStateException(what + " is down"), new UncheckedIOException(
                        new IOException("connection reset")), new ArithmeticException(what + ": / by zero")),
                pick(random, new Shapes.KataError(what + " ran out of patience"), new AssertionError(what
                        + " broke an assertion"), new StackOverflowError(what + " recursed too deep")),
                pick(random, new IOException(what + ": connection refused"), new TimeoutException(what
                        + " timed out"), new Exception(what + " failed")));
        return round.shuffled("failure kinds in order", kinds);
    }

    /** Any failure, of any kind. */
    static Throwable anyFailure(Shapes round, String name, String what) {
        return round.oneOf(name, oneFailureOfEachKind(round, what));
    }

    private static Throwable pick(Random random, Throwable... options) {
        return options[random.nextInt(options.length)];
    }

    /** How a stopped source reacts, at random. */
    static Stop anyStop(Shapes round, String name) {
        return round.oneOf(name, Stop.values());
    }

    /** How a stopped source reacts, when it must throw something. */
    static Stop throwingStop(Shapes round, String name) {
        return round.oneOf(name, Stop.THROWS_INTERRUPTED_EXCEPTION, Stop.THROWS_A_FAILURE, Stop.WINDS_DOWN_THEN_THROWS);
    }

    /** How a stopped source reacts, when it must take a while. */
    static Stop windingDownStop(Shapes round, String name) {
        return round.oneOf(name, Stop.WINDS_DOWN_THEN_THROWS, Stop.WINDS_DOWN_THEN_RETURNS);
    }

    /** What a source throws when stopped, for {@link Stop#THROWS_A_FAILURE}. */
    static Throwable stopFailure(Shapes round, String name) {
        return round.oneOf(name, new IllegalStateException("stopped"), new IOException("interrupted while reading"),
                new Shapes.KataError("stopped"));
    }
}

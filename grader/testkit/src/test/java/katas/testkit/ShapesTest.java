package katas.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

@DisplayName("Shapes")
class ShapesTest {

    @Test
    @DisplayName("draw the same values from the same seed, and others from another")
    void areReplayableFromTheirSeed() {
        List<Integer> first = draws(Shapes.seeded(4242));
        assertThat(draws(Shapes.seeded(4242))).isEqualTo(first);
        assertThat(draws(Shapes.seeded(4243))).isNotEqualTo(first);
    }

    private static List<Integer> draws(Shapes shapes) {
        List<Integer> values = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            values.add(shapes.between("n" + i, 1, 1_000_000));
        }
        return values;
    }

    @Test
    @DisplayName("stay within their bounds, both included, and reach both ends")
    void stayWithinBounds() {
        Shapes shapes = Shapes.seeded(1);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 2_000; i++) {
            seen.add(shapes.between("threads", 2, 5));
        }
        assertThat(seen).containsExactlyInAnyOrder(2, 3, 4, 5);
        assertThat(Shapes.seeded(2).between("max", Long.MAX_VALUE - 3, Long.MAX_VALUE))
                .isBetween(Long.MAX_VALUE - 3, Long.MAX_VALUE);
    }

    @Test
    @DisplayName("name every value drawn, in the order drawn")
    void describeWhatWasDrawn() {
        Shapes shapes = Shapes.seeded(7);
        int threads = shapes.between("threads", 3, 3);
        String order = shapes.oneOf("order", "up", "down");
        assertThat(threads).isEqualTo(3);
        assertThat(shapes.describe()).isEqualTo("threads=3, order=" + order);
    }

    @Test
    @DisplayName("throw every kind of failure in turn: unchecked, Error, checked and a bare Throwable")
    void drawEveryKindOfFailure() {
        Shapes shapes = Shapes.seeded(11);
        Set<Class<?>> kinds = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            kinds.add(shapes.failure("failure", "boom").getClass());
        }
        assertThat(kinds).containsExactlyInAnyOrder(IllegalStateException.class, Shapes.KataError.class,
                IOException.class, Shapes.KataThrowable.class);
    }

    @Test
    @DisplayName("meet every kind of failure within as many draws as there are kinds, whatever the seed")
    void meetEveryKindWithinAsManyDraws() {
        for (long seed = 1; seed <= 50; seed++) {
            Shapes shapes = Shapes.seeded(seed);
            Set<Class<?>> kinds = new HashSet<>();
            for (int i = 0; i < Shapes.FAILURE_KINDS; i++) {
                kinds.add(shapes.failure("failure " + i, "boom").getClass());
            }
            assertThat(kinds).as("kinds drawn with seed %d", seed).hasSize(Shapes.FAILURE_KINDS);
        }
    }

    @Test
    @DisplayName("give the kind of failure a test asks for, and remember it like a drawn one")
    void giveTheKindOfFailureAskedFor() {
        Shapes shapes = Shapes.seeded(5);
        List<Class<?>> kinds = new ArrayList<>();
        for (int kind = 0; kind < 2 * Shapes.FAILURE_KINDS; kind++) {
            kinds.add(shapes.failure("failure " + kind, "boom", kind).getClass());
        }
        assertThat(kinds).containsExactly(IllegalStateException.class, Shapes.KataError.class, IOException.class,
                Shapes.KataThrowable.class, IllegalStateException.class, Shapes.KataError.class, IOException.class,
                Shapes.KataThrowable.class);
        assertThat(shapes.describe()).startsWith("failure 0=IllegalStateException, failure 1=KataError");
    }

    @Test
    @DisplayName("check a property over rounds and, when one fails, report its shape and a smaller one that fails too")
    void shrinkAFailingShape() {
        Shapes shapes = Shapes.seeded(99);
        assertThatThrownBy(() -> shapes.check(5, round -> {
            int n = round.between("n", 10, 1_000);
            if (n >= 10) {
                throw new AssertionError("n is " + n);
            }
        })).hasMessageStartingWith("n is ");
        String note = shapes.replayNote();
        assertThat(note).contains("shape: round=1 of 5, n=").contains("smallest shape that also failed: n=")
                .contains("replay with seed 99: ./grade --seed 99");
        String smallest = note.substring(note.indexOf("also failed: n=") + "also failed: n=".length(),
                note.indexOf('\n', note.indexOf("also failed")));
        assertThat(Integer.parseInt(smallest.replace(",", ""))).isLessThan(200);
    }

    @Test
    @DisplayName("look for no smaller shape when the configuration says not to shrink, as a fail-fast grade does")
    void shrinkNotWhenToldNotTo() throws Exception {
        Shapes shapes = (Shapes) new Shapes.Extension().resolveParameter(null, context(Map.of(
                Shapes.SEED_PARAMETER, "99", Shapes.SHRINK_PARAMETER, "false")));
        List<Integer> tried = new ArrayList<>();
        assertThatThrownBy(() -> shapes.check(5, round -> {
            tried.add(round.between("n", 10, 1_000));
            throw new AssertionError("always");
        })).hasMessage("always");
        assertThat(tried).as("rounds run, shrinking included").hasSize(1);
        assertThat(shapes.replayNote()).contains("shape: round=1 of 5, n=").doesNotContain("smallest shape")
                .contains("replay with seed 99");
    }

    @Test
    @DisplayName("name the kata in the replay command when the configuration says which kata runs, as the grader does")
    void replayNamesTheKata() throws Exception {
        Shapes named = (Shapes) new Shapes.Extension().resolveParameter(null, context(Map.of(
                Shapes.SEED_PARAMETER, "7", Shapes.KATA_PARAMETER, "fix-the-race")));
        Shapes unnamed = (Shapes) new Shapes.Extension().resolveParameter(null, context(Map.of(
                Shapes.SEED_PARAMETER, "7", Shapes.KATA_PARAMETER, "fix the race; rm -rf /")));

        assertThat(named.replayNote()).isEqualTo(
                "replay with seed 7: ./grade --seed 7 fix-the-race, or mvn -q test -pl exercises/fix-the-race -am "
                        + "-Dkatas.seed=7");
        assertThat(unnamed.replayNote()).contains("./grade --seed 7 <kata>,");
    }

    @Test
    @DisplayName("describe a shuffle of things that cannot say what they are (lambdas) by their places in the list")
    void describeAShuffleOfLambdas() {
        Shapes shapes = Shapes.seeded(3);
        List<Runnable> steps = List.of(() -> { }, () -> { }, () -> { });
        List<Runnable> shuffled = shapes.shuffled("steps", steps);
        List<String> words = shapes.shuffled("words", List.of("a", "b"));

        assertThat(shuffled).containsExactlyInAnyOrderElementsOf(steps);
        String places = shuffled.stream().map(step -> String.valueOf(steps.indexOf(step) + 1))
                .collect(java.util.stream.Collectors.joining(", "));
        assertThat(shapes.describe()).contains("steps=items " + places + " of the list")
                .containsPattern("words=\\[[ab], [ab]\\]").doesNotContain("Lambda");
    }

    /** An extension context that knows only configuration parameters, a unique id and a store. */
    @SuppressWarnings("unchecked")
    private static ExtensionContext context(Map<String, String> parameters) {
        Map<Object, Object> values = new HashMap<>();
        ExtensionContext.Store store = (ExtensionContext.Store) Proxy.newProxyInstance(
                ShapesTest.class.getClassLoader(), new Class<?>[] {ExtensionContext.Store.class}, (proxy, method, args) ->
                        switch (method.getName()) {
                            case "getOrComputeIfAbsent" -> values.computeIfAbsent(args[0],
                                    key -> ((java.util.function.Function<Object, Object>) args[1]).apply(key));
                            case "get" -> values.get(args[0]);
                            default -> throw new UnsupportedOperationException(method.getName());
                        });
        return (ExtensionContext) Proxy.newProxyInstance(ShapesTest.class.getClassLoader(),
                new Class<?>[] {ExtensionContext.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getConfigurationParameter" -> method.getParameterCount() == 1
                            ? Optional.ofNullable(parameters.get((String) args[0]))
                            : throwUnsupported(method.getName());
                    case "getUniqueId" -> "[engine:test]/[method:shrinkNotWhenToldNotTo()]";
                    case "getStore" -> store;
                    default -> throwUnsupported(method.getName());
                });
    }

    private static Object throwUnsupported(String name) {
        throw new UnsupportedOperationException(name);
    }

    @Test
    @DisplayName("pass a property that holds in every round")
    void passAPropertyThatHolds() throws Exception {
        Shapes shapes = Shapes.seeded(5);
        List<Integer> seen = new ArrayList<>();
        shapes.check(4, round -> seen.add(round.between("n", 1, 100)));
        assertThat(seen).hasSize(4);
    }

    @Test
    @DisplayName("add the replay note to an assertion's message, and as a suppressed note to anything else")
    void noteFailures() {
        Throwable assertion = Shapes.Extension.withNote(new AssertionError("lost 3 hits"), "replay with seed 1");
        assertThat(assertion).hasMessage("lost 3 hits\nreplay with seed 1");
        Throwable other = Shapes.Extension.withNote(new IllegalStateException("boom"), "replay with seed 1");
        assertThat(other).hasMessage("boom");
        assertThat(other.getSuppressed()).hasSize(1);
        assertThat(other.getSuppressed()[0]).isInstanceOf(Shapes.Replay.class).hasMessage("replay with seed 1");
    }

    @Test
    @DisplayName("throw checked exceptions sneakily, as they are")
    void throwSneakily() {
        assertThatThrownBy(() -> {
            throw Sneaky.raise(new IOException("disk"));
        }).isInstanceOf(IOException.class).hasMessage("disk");
    }
}
